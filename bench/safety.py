"""What the safety detector costs per message, against the whole engine's answer, in one run.

    python bench/safety.py [--repeats 7]

The messages are the safety corpus (tests/corpora/safety.tsv, every split, disclosures and everyday
texts in English and Spanish) and the webhook bench's bodies. Each is answered by
`conversations.engine.respond` for a confirmed participant in their language, from the menu, and
is given to `conversations.safety.detect` alone. Times are the best of --repeats passes (the
machine is shared; the best pass is the least disturbed). "Cold" clears the detector's word cache
before one pass: the cost for a message whose words have never been seen.
"""

import argparse
import csv
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casefile.vocabulary import ConsentState, Language  # noqa: E402
from conversations import safety  # noqa: E402
from conversations.engine import respond  # noqa: E402
from conversations.model import ConversationState, InboundText, ParticipantView  # noqa: E402

WEBHOOK_BODIES = ["hi", "menu", "1", "My car broke down and I missed class", "HELP", "3", "what is this?", "0"]


def messages() -> list[tuple[Language, str, str]]:
    """(language, label, text): the corpus's lines, then the webhook bench's everyday bodies."""
    with (ROOT / "tests" / "corpora" / "safety.tsv").open(encoding="utf-8", newline="") as corpus:
        rows = list(csv.DictReader(corpus, delimiter="\t", quoting=csv.QUOTE_NONE))
    found = [(Language.SPANISH if row["lang"] == "es" else Language.ENGLISH, row["label"], row["text"]) for row in rows]
    return found + [(Language.ENGLISH, "safe", body) for body in WEBHOOK_BODIES]


def best_per_message(passes: dict[str, Callable[[], None]], count: int, repeats: int) -> dict[str, float]:
    """Each pass timed `repeats` times, interleaved so that a busy moment hits them alike; the best."""
    best = dict.fromkeys(passes, float("inf"))
    for _ in range(repeats):
        for name, work in passes.items():
            started = time.perf_counter()
            work()
            best[name] = min(best[name], time.perf_counter() - started)
    return {name: seconds / count * 1e6 for name, seconds in best.items()}


def measure(texts: list[tuple[Language, str]], repeats: int) -> dict[str, float]:
    people = {
        language: ParticipantView("Jordan", language, ConsentState.CONFIRMED, "Dana Lee", "(510) 555-0199")
        for language in Language
    }
    state, now = ConversationState(), datetime(2026, 3, 2, 17, 0, tzinfo=UTC)

    def engine() -> None:
        for language, text in texts:
            respond(people[language], state, InboundText(text), now)

    def warm() -> None:
        for _, text in texts:
            safety.detect(text)

    def cold() -> None:
        safety.clear_caches()
        warm()

    return best_per_message({"engine": engine, "warm": warm, "cold": cold}, len(texts), repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    options = parser.parse_args()
    every = messages()
    print(f"best of {options.repeats} interleaved passes; µs per message")
    print(f"{'messages':34} {'engine.respond':>14} {'detect (warm)':>22} {'detect (cold)':>22}")
    for title, label in (("everyday texts", "safe"), ("disclosures", "danger"), ("all", None)):
        texts = [(language, text) for language, kind, text in every if label in (None, kind)]
        figures = measure(texts, options.repeats)
        engine, warm, cold = figures["engine"], figures["warm"], figures["cold"]
        print(
            f"{title + f' ({len(texts)})':34} {engine:14.1f} {warm:11.1f} = {warm / engine:6.1%} "
            f"{cold:11.1f} = {cold / engine:6.1%}"
        )
    # The engine asks the detector twice for one message (for the fact, and before any reply): its
    # share of `respond` is about twice the one-call figure above.


if __name__ == "__main__":
    main()
