"""Grading the readers on the corpus of real-looking texts, tests/corpora/understanding.tsv.

The file is UTF-8, tab-separated, with the header `split lang category text expected`. `split` is
`tune` (what the readers were built on) or `heldout` (written last, never tuned on). Today is
Wednesday 4 March 2026 for every row. `expected` is one of:

- `hours:mon=8,tue=6@job_search` — every amount, in order of no importance: its day (`mon`…`sun`,
  the last such day up to today; `week` this week's total; `lastweek` last week's; `?` when the text
  names no day, so the flow asks), its hours, and its activity after `@` when the text names one;
- `date:2026-12-20` — the one day a plan's date means (dates look ahead);
- `answer:done`, `answer:not_yet`, `answer:stuck`, or `answer:barrier:childcare` (not done, and why);
- `barrier:transportation` — what got in the way;
- `ask` — the text cannot be read one way: a sensible question must come back, never a value;
- `none` — the text holds no hours or date at all: nothing may be read from it.

Each row comes out as one of: understood (read as expected), clarified (a question comes back
where the text was unclear, or a detail left open that the flow asks about: a day, an activity,
one of two dates, what got in the way), wrong (a value read that the text does not say: the worst
outcome, stored without a question), not understood ("didn't get that").
"""

import csv
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from casefile.timesheets import week_of
from casefile.vocabulary import Barrier, Language
from conversations.answers import CheckIn
from conversations.barriers import read_barrier, read_step_answer
from conversations.dates import Toward, read_date
from conversations.hours import HoursEntry, read_hours, vague_amount

CORPUS = Path(__file__).parent / "corpora" / "understanding.tsv"
TODAY = date(2026, 3, 4)
OUTCOMES = ("understood", "clarified", "wrong", "not understood")
_DAYS = {
    name: TODAY - timedelta(days=(TODAY.weekday() - n) % 7)
    for n, name in enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
}


@dataclass(frozen=True)
class Row:
    split: str
    language: Language
    category: str
    text: str
    expected: str


def rows() -> list[Row]:
    with CORPUS.open(encoding="utf-8", newline="") as corpus:
        return [
            Row(row["split"], Language(row["lang"]), row["category"], row["text"], row["expected"])
            for row in csv.DictReader(corpus, delimiter="\t", quoting=csv.QUOTE_NONE)
        ]


def grade(row: Row) -> str:
    """One of OUTCOMES for a row."""
    if row.category == "hours":
        return _grade_hours(row)
    if row.category == "date":
        return _grade_date(row)
    if row.category == "answer":
        return _grade_answer(row)
    return _grade_barrier(row)


def _hours_key(day: str) -> tuple[date | None, bool]:
    if day == "week":
        return week_of(TODAY).start, True
    if day == "lastweek":
        return week_of(TODAY - timedelta(weeks=1)).start, True
    return (None if day == "?" else _DAYS[day]), False


def _expected_hours(expected: str) -> list[tuple[date | None, bool, float, str | None]]:
    found = []
    for item in expected.removeprefix("hours:").split(","):
        day, rest = item.split("=")
        amount, _, activity = rest.partition("@")
        found.append((*_hours_key(day), float(amount), activity or None))
    return sorted(found, key=str)


def _grade_hours(row: Row) -> str:
    entries = read_hours(row.text, TODAY, row.language)
    if row.expected == "none":
        return "understood" if not entries else "wrong"
    if row.expected == "ask":
        unclear = any(entry.day is None and not entry.weekly for entry in entries) or any(
            entry.day_choices for entry in entries
        )
        if (not entries and vague_amount(row.text)) or unclear:
            return "clarified"
        return "wrong" if entries else "not understood"
    if not entries:
        return "clarified" if vague_amount(row.text) else "not understood"
    expected = _expected_hours(row.expected)
    got = sorted(
        ((e.day, e.weekly, round(e.hours, 2), e.activity.value if e.activity else None) for e in entries), key=str
    )
    if got == expected:
        return "understood"
    return "clarified" if _only_left_open(entries, expected) else "wrong"


def _only_left_open(
    entries: tuple[HoursEntry, ...], expected: list[tuple[date | None, bool, float, str | None]]
) -> bool:
    """Every amount right, and any day or activity that differs left open (None), for the flow to ask."""
    if len(entries) != len(expected):
        return False
    remaining = list(expected)
    for entry in entries:
        match = next(
            (
                item
                for item in remaining
                if round(entry.hours, 2) == item[2]
                and (entry.day is None and not entry.weekly or (entry.day, entry.weekly) == item[:2])
                and (entry.activity is None or entry.activity.value == item[3])
            ),
            None,
        )
        if match is None:
            return False
        remaining.remove(match)
    return True


def _grade_date(row: Row) -> str:
    reading = read_date(row.text, TODAY, Toward.FUTURE, row.language)
    if row.expected == "none":
        return "understood" if not reading.days else "wrong"
    if not reading.days:
        return "not understood"
    if row.expected == "ask":
        return "clarified" if reading.ambiguous else "wrong"
    wanted = date.fromisoformat(row.expected.removeprefix("date:"))
    if reading.day == wanted:
        return "understood"
    return "clarified" if reading.ambiguous and wanted in reading.days else "wrong"


def _grade_answer(row: Row) -> str:
    """As the check-in flow takes it: a barrier named is taken (not done, and why) whatever else."""
    answer, barrier = read_step_answer(row.text)
    expected = row.expected.removeprefix("answer:")
    if expected.startswith("barrier:"):
        if barrier is not None:
            return "understood" if barrier.value == expected.removeprefix("barrier:") else "wrong"
        # Stuck without a reason: the flow asks what got in the way.
        if answer is CheckIn.STUCK:
            return "clarified"
        return "not understood" if answer is None else "wrong"
    if barrier is not None:
        return "wrong" if expected == CheckIn.DONE.value else "clarified"
    if answer is None:
        return "not understood"
    return "understood" if answer.value == expected else "wrong"


def _grade_barrier(row: Row) -> str:
    barrier = read_barrier(row.text)
    if barrier is None or barrier is Barrier.OTHER:
        return "not understood"
    return "understood" if barrier.value == row.expected.removeprefix("barrier:") else "wrong"


def table(graded: list[tuple[Row, str]]) -> dict[tuple[str, str], Counter[str]]:
    """Counts of each outcome per (split, category)."""
    counts: dict[tuple[str, str], Counter[str]] = {}
    for row, outcome in graded:
        counts.setdefault((row.split, row.category), Counter())[outcome] += 1
    return counts


def report(counts: dict[tuple[str, str], Counter[str]]) -> str:
    lines = [f"{'split':8} {'category':8} {'n':>4} " + " ".join(f"{name:>15}" for name in OUTCOMES)]
    for (split, category), outcome in sorted(counts.items()):
        total = sum(outcome.values())
        cells = " ".join(f"{outcome[name]:>5} ({100 * outcome[name] / total:5.1f}%)" for name in OUTCOMES)
        lines.append(f"{split:8} {category:8} {total:>4} {cells}")
    return "\n".join(lines)
