"""How well the readers understand the way people really text: the corpus in tests/corpora/understanding.tsv,
graded as tests/understanding.py documents (the `expected` notation and the four outcomes).

Per split and category it prints understood, clarified, wrong and not understood. In every category of
the tune split, wrong must stay at or under 1% and understood + clarified at or over 95%. The heldout
split (written last, never tuned on) is printed apart and held to the floor it was first measured at.
"""

from collections import Counter

import pytest

from casefile.vocabulary import Language
from tests.understanding import CORPUS, Row, grade, report, rows, table

ROWS = rows()
GRADED = [(row, grade(row)) for row in ROWS]
COUNTS = table(GRADED)


def _bar(outcomes: Counter[str]) -> tuple[float, float]:
    total = sum(outcomes.values())
    return 100 * outcomes["wrong"] / total, 100 * (outcomes["understood"] + outcomes["clarified"]) / total


def test_the_corpus_is_big_enough_half_spanish_and_a_fifth_held_out() -> None:
    assert len(ROWS) >= 600
    spanish = sum(row.language is Language.SPANISH for row in ROWS)
    assert 0.45 <= spanish / len(ROWS) <= 0.55
    heldout = sum(row.split == "heldout" for row in ROWS)
    assert 0.18 <= heldout / len(ROWS) <= 0.25
    assert {row.category for row in ROWS} == {"hours", "date", "answer", "barrier"}
    assert len({(row.language, row.text) for row in ROWS}) == len(ROWS), "a message is in the corpus twice"
    assert CORPUS.read_text(encoding="utf-8").startswith("split\tlang\tcategory\ttext\texpected\n")


#: The bar for every category of the tune split (the issue's), and for the heldout split the level
#: measured the one time it was first read, before any change: it does not reach the tune bar in every
#: category (see README, "Understanding"), and is kept as a floor against regressions, never tuned on.
BARS = {"tune": (1.0, 95.0), "heldout": (6.0, 92.0)}


@pytest.mark.parametrize("split", ["tune", "heldout"])
def test_every_category_is_understood_or_asked_about_and_almost_never_wrong(split: str) -> None:
    print(f"\n{report({key: value for key, value in COUNTS.items() if key[0] == split})}")
    most_wrong, least_read = BARS[split]
    for (in_split, category), outcomes in COUNTS.items():
        if in_split != split:
            continue
        wrong, understood_or_clarified = _bar(outcomes)
        mistakes = [
            (row.text, row.expected)
            for row, outcome in GRADED
            if outcome == "wrong" and row.category == category and row.split == split
        ]
        assert wrong <= most_wrong, f"{split} {category}: {wrong:.1f}% wrong: {mistakes}"
        assert understood_or_clarified >= least_read, (
            f"{split} {category}: only {understood_or_clarified:.1f}% understood or asked"
        )


def test_a_row_that_reads_as_something_else_is_graded_wrong() -> None:
    """The grader itself can fail: a label that disagrees with the reader counts as wrong."""
    assert grade(Row("tune", Language.ENGLISH, "hours", "8 hrs mon", "hours:tue=8")) == "wrong"
    assert grade(Row("tune", Language.ENGLISH, "date", "friday", "date:2026-03-13")) == "wrong"
    assert grade(Row("tune", Language.SPANISH, "answer", "ya lo hice", "answer:not_yet")) == "wrong"
    assert grade(Row("tune", Language.ENGLISH, "barrier", "my car broke down", "barrier:housing")) == "wrong"
    assert grade(Row("tune", Language.ENGLISH, "hours", "hola", "hours:mon=8")) == "not understood"
