"""What reading hours and dates costs per message, before and after, in the same run; and how well
three date readers do on the same corpus: the one a baseline commit had, ours, and `dateparser`.

    python bench/understanding.py [--baseline da02cb4] [--rounds 20]

The texts are the 609 of tests/corpora/understanding.tsv (today: Wednesday 4 March 2026). The
baseline's `conversations` and `casefile` packages are exported with `git archive` into a temporary
folder and timed in a subprocess with the same code as ours, one after the other, so both figures
come from one machine at one moment; the engine's whole answer to each text sent at the menu (where
any text may be an hours report) is timed too, as what the webhook's conversation work costs. `dateparser` is measured when it is installed (it is not a
dependency: `pip install dateparser` to include it); it gets each text with the language and
PREFER_DATES_FROM=future, and `search_dates` when the whole text is not a date.
"""

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpora" / "understanding.tsv"
TODAY = date(2026, 3, 4)

#: Run in a subprocess with `sys.path[0]` set to a tree (the baseline's or ours): prints JSON.
_MEASURE = r"""
import json, sys, time
from datetime import date
sys.path.insert(0, sys.argv[1])
from casefile.vocabulary import Language
from conversations.dates import Toward, read_date
from conversations.hours import read_hours
rows = json.loads(sys.stdin.read())
rounds = int(sys.argv[2])
today = date(2026, 3, 4)
texts = [(text, Language(lang)) for _, lang, _, text, _ in rows]
def timed(read):
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for text, language in texts:
            read(text, language)
        best = min(best, time.perf_counter() - start)
    return best / len(texts) * 1e6
hours_us = timed(lambda text, language: read_hours(text, today, language))
dates_us = timed(lambda text, language: read_date(text, today, Toward.FUTURE, language))
from datetime import UTC, datetime
from casefile.vocabulary import ConsentState
from conversations.engine import respond
from conversations.model import ConversationState, InboundText, ParticipantView
now = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)
people = {
    language: ParticipantView("Ana", language, ConsentState.CONFIRMED, "Dana Lee", "(510) 555-0199")
    for language in Language
}
engine_us = timed(lambda text, language: respond(people[language], ConversationState(), InboundText(text), now))
readings = {
    text: [day.isoformat() for day in read_date(text, today, Toward.FUTURE, Language(lang)).days]
    for _, lang, category, text, _ in rows if category == "date"
}
print(json.dumps({"hours_us": hours_us, "dates_us": dates_us, "engine_us": engine_us, "readings": readings}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="da02cb4", help="the commit to compare with (default: before issue 15)")
    parser.add_argument("--rounds", type=int, default=20, help="timing rounds over the corpus; the best is kept")
    options = parser.parse_args()
    with CORPUS.open(encoding="utf-8", newline="") as corpus:
        rows = [list(row.values()) for row in csv.DictReader(corpus, delimiter="\t", quoting=csv.QUOTE_NONE)]
    dated = [row for row in rows if row[2] == "date"]
    print(f"{len(rows)} texts ({len(dated)} with a date to read); best of {options.rounds} rounds")
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", options.baseline, "conversations", "casefile", "templates"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        before = _measure(folder, rows, options.rounds)
    after = _measure(str(ROOT), rows, options.rounds)
    print(f"{'per message':28} {'before (' + options.baseline + ')':>18} {'after':>10}")
    print(f"{'read_hours':28} {before['hours_us']:>15.1f} us {after['hours_us']:>7.1f} us")
    print(f"{'read_date':28} {before['dates_us']:>15.1f} us {after['dates_us']:>7.1f} us")
    print(f"{'engine, a text at the menu':28} {before['engine_us']:>15.1f} us {after['engine_us']:>7.1f} us")
    print()
    print("dates of the corpus, one reader at a time (understood / asked / wrong / not understood):")
    _grade("before", before["readings"], dated)
    _grade("ours", after["readings"], dated)
    _dateparser(dated)


def _measure(tree: str, rows: list[list[str]], rounds: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, tree, str(rounds)],
        input=json.dumps(rows),
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _grade(name: str, readings: dict[str, list[str]], dated: list[list[str]]) -> None:
    counts = {"understood": 0, "asked": 0, "wrong": 0, "not understood": 0}
    for _, _, _, text, expected in dated:
        days = readings.get(text, [])
        if expected == "none":
            counts["understood" if not days else "wrong"] += 1
        elif not days:
            counts["not understood"] += 1
        elif expected == "ask":
            counts["asked" if len(days) > 1 else "wrong"] += 1
        elif days == [expected.removeprefix("date:")]:
            counts["understood"] += 1
        else:
            counts["asked" if len(days) > 1 and expected.removeprefix("date:") in days else "wrong"] += 1
    total = len(dated)
    cells = "  ".join(f"{key} {value} ({100 * value / total:.1f}%)" for key, value in counts.items())
    print(f"  {name:11} {cells}")


def _dateparser(dated: list[list[str]]) -> None:
    try:
        import dateparser  # type: ignore[import-untyped]
        from dateparser.search import search_dates  # type: ignore[import-untyped]
    except ImportError:
        print("  dateparser  not installed (pip install dateparser to compare)")
        return
    base = datetime(2026, 3, 4, 12, 0)
    readings: dict[str, list[str]] = {}
    start = time.perf_counter()
    for _, language, _, text, _ in dated:
        settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future"}
        found = dateparser.parse(text, languages=[language], settings=settings)
        if found is None:
            searched = search_dates(text, languages=[language], settings=settings) or []
            found = searched[0][1] if searched else None
        readings[text] = [found.date().isoformat()] if found else []
    per_message = (time.perf_counter() - start) / len(dated) * 1e6
    _grade("dateparser", readings, dated)
    print(f"  dateparser per message: {per_message:.0f} us (parse, then search_dates when parse finds nothing)")


if __name__ == "__main__":
    main()
