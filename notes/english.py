"""English renderings of participants' Spanish, for a record an English-only reader can act on.

No online service may see a participant's words, and offline translation models cannot be
installed here (argostranslate fetches its models at run time), so this is a controlled rendering:
a phrase-level glossary (notes/glossary_es_en.tsv) of the words participants use about work, child
care, transport, health, money, housing and appointments, longest phrase first. A word the glossary
does not know stays in Spanish, in [brackets], rather than being guessed. A note always shows the
original beside the rendering, marked "(translation, not verified)". How often a bilingual reader
accepts a rendering as faithful is measured in tests/test_notes_english.py.
"""

import re
from functools import lru_cache
from pathlib import Path

from conversations.life_events import fold

GLOSSARY_FILE = Path(__file__).with_name("glossary_es_en.tsv")
#: After these, a verb in the infinitive takes "to" ("necesito reprogramar": "I need to reschedule");
#: after "para" the "to" replaces "for" ("para pagar la renta": "to pay the rent").
_WANTS = frozenset(["necesito", "necesitamos", "quiero", "queremos", "quisiera", "me gustaria", "para"])
_INFINITIVE = re.compile(r"[a-z]*(?:ar|er|ir)(?:la|lo|las|los|me|le)?$")
#: Words and numbers, and the punctuation between them.
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+(?:[.:/]\d+)*|[^\w\s]")
_SPACE_BEFORE = re.compile(r" ([,.;:!?)%])")
_SPACE_AFTER = re.compile(r"([($]) ")
_SENTENCE_START = re.compile(r"(?:^|[.!?] )\[?[a-z]")


def _load() -> tuple[dict[str, str], int]:
    glossary: dict[str, str] = {}
    for line in GLOSSARY_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            spanish, english = line.split("\t")
            english = english.strip()
            glossary[fold(spanish)] = english
    return glossary, max(len(phrase.split()) for phrase in glossary)


GLOSSARY, LONGEST = _load()


@lru_cache(maxsize=4096)
def english_rendering(text: str) -> str | None:
    """The text in English, phrase by phrase; None when it has no words to render."""
    # Quotes and brackets are the note's own marks (the quote, a word left in Spanish): not theirs.
    tokens = _TOKEN.findall(text.replace('"', "").replace("[", "(").replace("]", ")"))
    folded = [fold(token) for token in tokens]
    if not any(token.isalpha() for token in folded):
        return None
    out: list[str] = []
    index, wanting = 0, False
    while index < len(tokens):
        for length in range(min(LONGEST, len(tokens) - index), 0, -1):
            phrase = " ".join(folded[index : index + length])
            english = GLOSSARY.get(phrase)
            if english is not None:
                if wanting and _INFINITIVE.fullmatch(folded[index]) and not english.startswith("to "):
                    out[-1] = "to" if out[-1] == "for" else f"{out[-1]} to"
                if english:  # the reflexive "se" says nothing in English
                    out.append(english)
                wanting = phrase in _WANTS
                index += length
                break
        else:
            wanting = False
            token = tokens[index]
            if token in "¿¡":
                pass
            elif token[0].isalpha():
                out.append(f"[{token}]")
            else:
                out.append(token)
            index += 1
    rendered = _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", " ".join(out)))
    return _SENTENCE_START.sub(lambda start: start.group(0).upper(), rendered)
