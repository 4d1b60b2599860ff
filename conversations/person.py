"""Whether a text asks for a person: "can i talk to my worker", "call me", "hablar con mi trabajadora".

Built from parts rather than whole sentences, on folded text (lower case, no accents, no
punctuation), in English and Spanish as people text them ("cn i tlk to sum1", "me puede llamar"):
- a verb of talking with a person (talk/speak/chat with; hablar/platicar/comunicarme con) and a
  person (worker, counselor, someone, a human; trabajadora, consejera, alguien, una persona);
- a verb of wanting or reaching (need, want, get a hold of; necesito, quiero) and a person;
- "call me" and its kin ("give me a call", "me puede llamar", "llamenme");
- a real person or a human named as such ("real person pls", "persona real").
What only mentions a person ("my worker said…", "I called my worker yesterday", "she will call me")
is kept out: a past or future statement about the person is not a request.
"""

import re

from conversations.keywords import fold

_PERSON_EN = (
    r"(?:my |a |the |an |ur |your |some )?"
    r"(?:(?:case ?|social )?worker|caseworker|cw|case ?manager|counsel+or|counsl?er|councel+or|counseler|conselor|"
    r"councilor|counsel|someone|some one|somebody|sum1|smone|anyone|anybody|any1|(?:real |live |actual )?(?:person|human)|"
    r"human being|agent|rep|representative|operator|staff|supervisor|advisor|adviser|employment counselor|"
    r"somebody real|someone real|worker lady)"
)
_PERSON_ES = (
    r"(?:mi |una |un |la |el |alguna |algun |su )?"
    r"(?:trabajador[a]?(?: social)?|trabajadorx|consejer[oa]|consejero\(a\)|conseje|alguien|persona(?: real)?|"
    r"humano|humana|ser humano|agente|representante|encargad[oa]|supervisor[a]?|licenciad[oa]|lic|asistente|"
    r"worker|caseworker|counselor|senorita|operador[a]?)"
)
_TALK_EN = r"(?:talk|tlk|tak|talkin|talking|speak|spk|speek|speaking|chat|chatting|meet|get ahold|get a hold|get in touch|get in contact)"
_WANT_EN = r"(?:need|needs|neeed|nee|ned|want|wanna|wana|would like|d like|like to have|get|reach|contact|see|have)"
_REQUEST = [
    # "can i talk to my worker", "need to speak w someone", "talk to a human pls"
    rf"{_TALK_EN} (?:to|with|w|wit|2|too|wth|whit|at) {_PERSON_EN}\b",
    # "i need my worker", "want a real person", "i need someone"
    rf"\b(?:i|i m|im|just|really|please|pls|plz|can i|could i|i would|i d|ill|i will)? ?{_WANT_EN} (?:to (?:see |reach |contact |call )?)?{_PERSON_EN}\b",
    rf"\b(?:let me|lemme|put me through to|transfer me to|connect me (?:to|with)) {_PERSON_EN}\b",
    # "call me", "give me a call", "can u call me back", "have my worker call me"
    # The look-ahead first: the look-behinds are tried only where a call is asked for.
    r"\b(?=(?:call|cal|cll|calll|phone|ring) (?:me|mee|back)\b)"
    r"(?<!\bwill )(?<!\bwould )(?<!\bto )(?<!\bdont )(?<!\bdon t )(?<!\bnot )(?<!\bnever )(?<!\bshe )(?<!\bhe )"
    r"(?<!\bthey )(?<!\bstop )"
    r"(?:call|cal|cll|calll|phone|ring) (?:me|me back|mee|back)\b",
    r"\b(?:can|could|would|will|pls|plz|please) (?:u|you|ya|someone|somebody|she|he|they|my worker|my counselor) "
    r"(?:please |pls )?(?:call|cal|cll|phone)\b",
    r"\b(?:give me|gimme) a (?:call|ring)\b",
    r"\b(?:can|could|may) i (?:get|have) a (?:call|phone call|call back|callback)\b",
    rf"\b(?:is there|are there|is their|any) {_PERSON_EN} (?:i|that i|we) (?:can|could) (?:talk|speak|call)\b",
    rf"\bget (?:a ?hold|ahold|in touch|in contact) (?:of|with) {_PERSON_EN}\b",
    r"\bcallme\b",
    r"\b(?:real|live|actual) (?:person|human)\b",
    r"^(?:human|agent|representative|operator|person)(?: (?:please|pls|plz))?$",
    # Spanish: "quiero hablar con mi trabajadora", "comunicarme con alguien"
    rf"\b(?:hablar|ablar|hablarle|hablarla|platicar|comunicarme|comunicarse|conversar|charlar|reunirme|verme) "
    rf"(?:con|a|co) {_PERSON_ES}\b",
    rf"\b(?:necesito|nesecito|nececito|quiero|kiero|ocupo|quisiera|puedo|podria|busco|quiero ver a|necesito ver a) "
    rf"(?:a )?{_PERSON_ES}\b",
    rf"\b(?:contactar|contacto|localizar|localizo|ver)(?: a)? {_PERSON_ES}\b",
    rf"\b(?:comunico|comunicar|comunicarme|comunicarse) con {_PERSON_ES}\b",
    r"\bcomunic\w* (?:alguien |una persona )?conmigo\b",
    r"\bhay (?:alguien|una persona) con (?:quien|quién) (?:pueda|puedo|podria) (?:hablar|platicar)\b",
    r"\b(?:persona real|un humano|una persona de verdad|ser humano)\b",
    # "me puede llamar", "me pueden marcar", "podrian llamarme", "llamenme", "me llaman porfa"
    r"\bme (?:puede|pueden|podria|podrian|puedes|podrias|pudiera|pudieran|quiere|quieren) (?:llamar|marcar|hablar)\b",
    r"\b(?:puede|pueden|podria|podrian|puedes|podrias|pudiera|pudieran) (?:llamarme|marcarme|hablarme)\b",
    r"\b(?:llamame|llameme|llamenme|yamame|yameme|yamenme|marcame|marqueme|marquenme|hablame|hableme|hablenme)\b",
    r"\bme (?:llaman|llama|llamas|marcan|marca|marcas)(?: (?:por favor|porfa|porfavor|xfa|xfavor|plis|pls))\b",
    r"\b(?:que )?me (?:llame|llamen|marque|marquen)\b(?! (?:ayer|antes))",
]
#: Statements about a past or planned call, which are not asking for one.
_STATEMENT = re.compile(
    r"\b(?:said (?:she|he|they)?(?: d| would| will)?|dijo que|dijeron que|iba a|va a|van a|ya me|ayer|"
    r"yesterday|already|last week|la semana pasada|supposed to|going to|gonna|missed (?:her|his|your|the) call|"
    r"didn t|didnt|did not|never|hasn t|hasnt|no me ha|nunca)\b"
)
_ASKS = re.compile("|".join(f"(?:{part})" for part in _REQUEST))
#: A word stem every request above contains: most texts have none, and are ruled out in one scan
#: (the full patterns cost about five times as much; bench/handoff.py).
_CANDIDATE = re.compile(
    r"talk|tlk|tak|speak|spk|speek|chat|meet|hold|touch|contact|call|cal|cll|phone|ring|person|human|agent|rep|"
    r"operator|worker|counsel|counsl|councel|conselor|cw|manager|some|sum1|smone|any|staff|super|advis|"
    r"habl|abl|platic|comunic|conversar|charlar|reunir|llam|yam|marc|marq|alguien|persona|humano|trabajador|consejer|"
    r"conseje|encargad|licenciad|lic|asistente|senorita|operador|necesito|quiero|ocupo|localiz"
)
_REQUEST_WORDS = re.compile(
    r"\b(?:can|could|please|pls|plz|need|want|wanna|puede|pueden|necesito|quiero|porfa|favor)\b"
)


def asks_for_person(text: str, names: tuple[str, ...] = ()) -> bool:
    """A request to talk with a person (the counselor or anyone), in English or Spanish; `names`
    are what the participant may call their counselor ("can i talk to Dana")."""
    folded = fold(text)
    if not (_CANDIDATE.search(folded) or any(fold(name) in folded for name in names if fold(name))):
        return False
    if not (_ASKS.search(folded) or (names and _asks_for_named(folded, names))):
        return False
    # "she said she would call me" reports a call; "she never called, can i talk to her supervisor"
    # still asks: a statement word only rules a text out when no word of asking comes with it.
    return not (_STATEMENT.search(folded) and not _REQUEST_WORDS.search(folded))


def _asks_for_named(folded: str, names: tuple[str, ...]) -> bool:
    named = "|".join(re.escape(fold(name)) for name in names if fold(name))
    if not named:
        return False
    return bool(
        re.search(
            rf"\b(?:{_TALK_EN} (?:to|with|w|2)|{_WANT_EN}|(?:hablar|platicar|comunicarme) con|necesito|quiero) "
            rf"(?:(?:ms|mrs|miss|mr|la|el|senora|sra) )?(?:{named})\b",
            folded,
        )
    )
