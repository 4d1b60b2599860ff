"""What the safety detector costs per message, against the whole engine's answer, in one run.

    python bench/safety.py [--repeats 7]

The messages are the safety corpus (tests/corpora/safety.tsv, every split, disclosures and everyday
texts in English and Spanish, chosen to look like danger), and the webhook bench's bodies (what most
traffic looks like). Each is answered by
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
    """(language, label, text) for each line of the corpus."""
    with (ROOT / "tests" / "corpora" / "safety.tsv").open(encoding="utf-8", newline="") as corpus:
        rows = list(csv.DictReader(corpus, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(Language.SPANISH if row["lang"] == "es" else Language.ENGLISH, row["label"], row["text"]) for row in rows]


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

    # The detector itself, without the few last texts that `safety.detect` keeps for the engine.
    detect = safety.detect.__wrapped__

    def warm() -> None:
        for _, text in texts:
            detect(text)

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
    rows = {
        "corpus everyday texts": [(language, text) for language, kind, text in every if kind == "safe"],
        "corpus disclosures": [(language, text) for language, kind, text in every if kind == "danger"],
        "all of them": [(language, text) for language, _, text in every],
        # What most traffic looks like: the webhook bench's bodies (greeting, menu, help, a barrier).
        "webhook bench bodies": [(Language.ENGLISH, body) for body in WEBHOOK_BODIES] * 50,
    }
    for title, texts in rows.items():
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
