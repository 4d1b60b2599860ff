"""How a rule is written: parts (who, act, target; feeling, object) in order, with room between.

A rule is a sequence of parts. A part is a word list (`words("hit|slapped|beat*")`, a `*` standing
for any ending), a `Gap` of up to n ordinary words, or a raw regular expression such as a look-ahead
that keeps an idiom out (`unless_next("at|to")` after "beat me": "he beat me at cards"). Parts
match whole words in a text as `text.py` reads it; a gap never spans a negation ("he did not hit
me") nor a sentence's end.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    VIOLENCE = "violence"
    THREAT = "threat"
    FEAR = "fear"
    STALKING = "stalking_control"
    SEXUAL_VIOLENCE = "sexual_violence"
    CHILD_ABUSE = "child_abuse"
    SUICIDAL = "suicidal"
    SELF_HARM = "self_harm"
    OVERDOSE = "overdose"


#: Words that, just before a disclosure or inside its gap, turn it around ("he never hit me").
#: English "no" is left out of what comes before: "no he hit me" answers "are you safe?".
NEGATORS = frozenset({"not", "never", "nobody", "nunca", "jamas", "nadie"})
#: In Spanish "no" goes just before the verb it negates: "no me pega" (but "no, me pega").
NEGADORES = NEGATORS | {"no", "ni"}
_NEGATION = "|".join(sorted(NEGADORES))
#: A gap's word; a comma is crossed ("my ex, he hit me"), a sentence's end is not.
_WORD = "(?:[a-z0-9]+|,)"


@dataclass(frozen=True)
class Gap:
    """Up to `most` words that are neither a negation nor a sentence's end."""

    most: int


@dataclass(frozen=True)
class Raw:
    """A regular expression put in as it is (look-aheads that keep idioms out, an end of text)."""

    expression: str


Part = str | Gap | Raw


def words(*phrases: str) -> str:
    """Alternatives, given as "a|b c|d*" or as separate phrases; a trailing `*` means any ending."""
    return "|".join(re.sub(r"\*", "[a-z]*", phrase) for phrase in phrases)


def unless_next(*phrases: str) -> Raw:
    """Keeps the rule from matching when these words come next ("beat me" + "at cards")."""
    return Raw(rf"(?!(?:{words(*phrases)})(?: |$))")


def unless_within(most: int, *phrases: str) -> Raw:
    """Keeps the rule from matching when these words come within the next `most` words
    ("me encerró en la oficina sin querer")."""
    return Raw(rf"(?!(?:{_WORD} ){{0,{most}}}(?:{words(*phrases)})(?: |$))")


#: The end of the message or of its sentence.
END = Raw(r"(?=$|[.,] )")


@dataclass(frozen=True)
class Rule:
    name: str
    category: Category
    pattern: re.Pattern[str]
    #: Words that cancel a match when they come in the two words before it.
    not_after: frozenset[str]
    #: The plain words of its word lists: what a typo is mended towards.
    vocabulary: frozenset[str]
    #: A text can only match if one of its words is one of these, or starts with one of the
    #: stems: the detector tries a rule only on such a text, which keeps it fast.
    triggers: frozenset[str]
    trigger_stems: tuple[str, ...]


def regla(nombre: str, categoria: Category, *partes: Part, not_after: Iterable[str] = NEGADORES) -> Rule:
    """A Spanish rule: the same parts, with Spanish negation before it."""
    return rule(nombre, categoria, *partes, not_after=not_after)


def rule(name: str, category: Category, *parts: Part, not_after: Iterable[str] = NEGATORS) -> Rule:
    source = "(?<![a-z0-9])"
    plain = [part for part in parts if isinstance(part, str)]
    for part in parts:
        if isinstance(part, Gap):
            source += rf"(?:(?!(?:{_NEGATION}) ){_WORD} ){{0,{part.most}}}"
        elif isinstance(part, Raw):
            source += part.expression
        else:
            source += f"(?:{part}) "
    triggers, stems = _rarest_key_words(plain)
    return Rule(
        name, category, re.compile(source), frozenset(not_after), frozenset(_plain_words(plain)), triggers, stems
    )


#: Words in nearly every text: a part made of them says little about whether a rule can match.
_COMMON = frozenset(
    "i me my you he she it we they us him her the a an to of in on and is am are was be do not no that this "
    "at for with have will would can el la los las de que y a en me mi mis se lo le no por para con un una es "
    "esta estoy ya".split()
)
_PLAIN = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
_STEM = re.compile(r"([a-z]{3,})\[a-z\]\*")


def _rarest_key_words(parts: Iterable[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Of the parts a match must contain, the one whose words are least common."""
    best: tuple[int, int, frozenset[str], tuple[str, ...]] | None = None
    for part in parts:
        key_words: set[str] = set()
        stems: list[str] = []
        for alternative in part.split("|"):
            if _PLAIN.fullmatch(alternative):
                # Every word of the phrase must be in the text: the least common one says most.
                key_words.add(min(alternative.split(), key=lambda word: (word in _COMMON, -len(word))))
            elif stem := _STEM.fullmatch(alternative):
                stems.append(stem.group(1))
            else:
                break
        else:
            score = (len(key_words & _COMMON), len(key_words) + len(stems), frozenset(key_words), tuple(stems))
            best = score if best is None or score[:2] < best[:2] else best
    return (best[2], best[3]) if best is not None else (frozenset(), ())


def _plain_words(parts: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for part in parts:
        for alternative in part.split("|"):
            found.update(w for w in alternative.split() if w.isalpha())
    return found
