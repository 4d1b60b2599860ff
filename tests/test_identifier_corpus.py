"""SSNs and case numbers as people really write them, against the one definition of SSN-like that the
outbound guard, inbound masking, log redaction and the notes check share (casefile.identifiers).

`tests/corpora/identifiers.tsv` (UTF-8, tab-separated: split, lang, label, text, form; "\\n" is a line
break) holds texts in English and Spanish, labelled `ssn` (one SSN or ITIN in it), `case` (a case,
account or file number a counselor must not text) or `none` (a near miss that must pass untouched).
Where they come from:
- the SSN's printed shape and the ways forms and guides tell people to write it: the Social Security
  Administration's "Your Number and Card" (English and its Spanish edition, "Su número y tarjeta de
  Seguro Social"), guides on writing an SSN with and without hyphens, and data-loss-prevention
  catalogues that list the shapes seen in the wild (Trellix's US SSN patterns: no delimiter, space,
  hyphen, and space-dash-space);
- what phones and copies do to them: iOS smart punctuation turns "--" into an em dash, word processors
  make en dashes and non-breaking hyphens, PDFs carry no-break, thin and zero-width spaces, Asian
  keyboards type fullwidth digits, and fancy-text generators superscript, subscript and circled ones;
- the near misses from what participants and counselors text in this programme: phone numbers of
  the US, Mexico (old "044" and "+52 1" forms), Guatemala, El Salvador and Spain, times and hours
  ("10-2", "8 am - 12 pm", "8:30–5:00" as county pages print office hours), dates, money in both
  notations, ZIP+4, addresses, card, tracking and meeting numbers, and "in case" / "en caso".
The `tune` split is what the definition was written against; the `heldout` split was written with
it and measured once, untouched since: it shows how the definition generalises.

    pytest tests/test_identifier_corpus.py -rP     # prints the figures per split
    python bench/identifiers.py --base main        # the same figures for another revision, and the cost
"""

import csv
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from bot.log_redaction import redact
from casefile import identifiers
from notes.check import check_text

CORPUS = Path(__file__).parent / "corpora" / "identifiers.tsv"
TODAY = date(2026, 3, 2)
#: The held-out split, measured once when it was written (with the definition as it stands) and
#: never tuned on: its figures are held to what they were.
HELDOUT_AT_LEAST = {"ssn_guard": 36 / 36, "ssn_mask": 36 / 36, "case_guard": 10 / 10}
HELDOUT_FALSE_ALARMS_AT_MOST = 0


@dataclass(frozen=True)
class Line:
    split: str
    lang: str
    label: str
    text: str
    form: str


@dataclass(frozen=True)
class Someone:
    first_name: str = "Rosa"
    last_name: str = "Díaz"


def read_corpus() -> list[Line]:
    with CORPUS.open(encoding="utf-8", newline="") as corpus:
        rows = list(csv.reader(corpus, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["split", "lang", "label", "text", "form"]
    return [Line(split, lang, label, text.replace("\\n", "\n"), form) for split, lang, label, text, form in rows[1:]]


LINES = read_corpus()


def digits_in(text: str) -> int:
    """How many characters read as a digit (any script, superscripts, circled ones)."""
    return sum(unicodedata.digit(character, None) is not None for character in text)


@dataclass(frozen=True)
class Figures:
    """Counts for one split: caught of how many, and near misses wrongly caught."""

    ssn_guard: tuple[int, int]
    ssn_mask: tuple[int, int]
    case_guard: tuple[int, int]
    guard_false_alarms: tuple[int, int]
    mask_false_alarms: tuple[int, int]

    def line(self) -> str:
        def share(pair: tuple[int, int]) -> str:
            return f"{pair[0]}/{pair[1]}"

        return (
            f"SSN refused {share(self.ssn_guard)}, SSN masked {share(self.ssn_mask)}, "
            f"case number refused {share(self.case_guard)}; near misses refused {share(self.guard_false_alarms)}, "
            f"masked {share(self.mask_false_alarms)}"
        )


def figures(module: ModuleType, split: str) -> Figures:
    """The corpus's figures for one split, for an identifiers module (this tree's, or another
    revision's loaded by bench/identifiers.py)."""
    lines = [line for line in LINES if line.split == split]
    ssn = [line for line in lines if line.label == "ssn"]
    case = [line for line in lines if line.label == "case"]
    near = [line for line in lines if line.label == "none"]

    def refused(text: str, *reasons: str) -> bool:
        problems = module.outbound_problems(text, Someone(), today=TODAY)
        return any(reason in problem for problem in problems for reason in reasons)

    def fully_masked(text: str) -> bool:
        masked, found = module.mask_ssns(text)
        return bool(found) and digits_in(masked) == digits_in(text) - 9

    identifier = ("Social Security number", "case number", "long number")
    return Figures(
        (sum(refused(line.text, "Social Security number") for line in ssn), len(ssn)),
        (sum(fully_masked(line.text) for line in ssn), len(ssn)),
        (sum(refused(line.text, "case number", "long number") for line in case), len(case)),
        (sum(refused(line.text, *identifier) for line in near), len(near)),
        (sum(module.mask_ssns(line.text)[1] for line in near), len(near)),
    )


def test_every_line_is_well_formed() -> None:
    for line in LINES:
        assert line.split in ("tune", "heldout"), line
        assert line.lang in ("en", "es"), line
        assert line.label in ("ssn", "case", "none"), line
        assert line.text.strip() == line.text and line.text and line.form, line
    texts = [line.text for line in LINES]
    assert len(texts) == len(set(texts)), "a text appears twice"


def test_the_corpus_covers_both_languages_and_splits() -> None:
    for split, least in (("tune", 15), ("heldout", 5)):
        for lang in ("en", "es"):
            for label in ("ssn", "case", "none"):
                found = [line for line in LINES if (line.split, line.lang, line.label) == (split, lang, label)]
                assert len(found) >= (least if label != "case" else 4), (split, lang, label)
    assert len({line.form for line in LINES if line.label == "ssn"}) >= 40


def test_every_ssn_of_the_tuning_split_is_refused_and_masked_and_no_near_miss_is() -> None:
    found = figures(identifiers, "tune")
    print("tune:", found.line())
    assert found.ssn_guard[0] == found.ssn_guard[1]
    assert found.ssn_mask[0] == found.ssn_mask[1]
    assert found.case_guard[0] == found.case_guard[1]
    assert found.guard_false_alarms[0] == 0
    assert found.mask_false_alarms[0] == 0


def test_the_held_out_split_keeps_what_it_measured() -> None:
    found = figures(identifiers, "heldout")
    print("heldout:", found.line())
    for name, least in HELDOUT_AT_LEAST.items():
        caught, total = getattr(found, name)
        assert caught / total >= least, (name, caught, total)
    assert found.guard_false_alarms[0] <= HELDOUT_FALSE_ALARMS_AT_MOST
    assert found.mask_false_alarms[0] <= HELDOUT_FALSE_ALARMS_AT_MOST


@pytest.mark.parametrize(
    ("name", "caught"),
    [
        ("log redaction", lambda text: digits_in(redact(text)) <= digits_in(text) - 9),
        ("notes check", lambda text: any("Social Security number" in problem for problem in check_text(text, TODAY))),
    ],
)
def test_logs_and_notes_catch_every_ssn_the_guard_does(name: str, caught: Callable[[str], bool]) -> None:
    missed = [line.text for line in LINES if line.label == "ssn" and not caught(line.text)]
    assert missed == [], name
