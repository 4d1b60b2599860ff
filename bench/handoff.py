"""What handing off costs per inbound message, against the engine's and the inbox's own time.

    python bench/handoff.py [--rounds 20]

Every message now asks "is a handoff open?" (one indexed read in the inbox) and "does this text
ask for a person / to stop?" (the recognisers, in the engine). Printed: microseconds a message for
each recogniser over the handoff corpus, for the engine's whole `respond`, and for the inbox's
whole `receive` on SQLite with and without the handoff read: the baseline is in the same run.
"""

import argparse
import csv
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import build_service  # noqa: E402
from bot.demo import seed_demo  # noqa: E402
from bot.inbox import Inbound  # noqa: E402
from bot.settings import Settings  # noqa: E402
from casefile.handoffs import open_handoff_of  # noqa: E402
from casefile.migrate import upgrade  # noqa: E402
from casefile.people import find_participant_by_phone  # noqa: E402
from casefile.vocabulary import Channel, ConsentState, Language, MessageStatus  # noqa: E402
from conversations.engine import respond  # noqa: E402
from conversations.keywords import asks_to_stop, fold  # noqa: E402
from conversations.model import ConversationState, InboundText, ParticipantView  # noqa: E402
from conversations.person import asks_for_person  # noqa: E402
from conversations.safety import suggests_danger  # noqa: E402

CORPUS = ROOT / "tests" / "corpora" / "handoff.tsv"


def texts() -> list[str]:
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]


def per_message(run: Callable[[str], object], messages: list[str], rounds: int) -> float:
    """Median over rounds of microseconds per message."""
    samples = []
    for _ in range(rounds):
        fold.cache_clear()  # every text as if new: the recognisers fold it themselves
        start = time.perf_counter()
        for text in messages:
            run(text)
        samples.append((time.perf_counter() - start) / len(messages) * 1e6)
    return statistics.median(samples)


def inbox_figures(messages: list[str], rounds: int) -> tuple[float, float]:
    """Microseconds a message through Inbox.receive on SQLite, and of the handoff read alone."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{folder}/bench.sqlite3")
        clock_at = [datetime(2026, 3, 2, 17, 0, tzinfo=UTC)]
        service = build_service(settings, lambda: clock_at[0])
        upgrade(service.engine)
        with service.sessions.begin() as session:
            seed_demo(session, settings.timezone, clock_at[0])
            jordan = find_participant_by_phone(session, "+15105550100")
            assert jordan is not None
            jordan.consent_state = ConsentState.CONFIRMED
            participant_id = jordan.id
        # Only texts that leave no handoff open, so that every message takes the bot's whole path.
        plain = [text for text in messages if not asks_for_person(text) and not asks_to_stop(text)]
        count = 0
        start = time.perf_counter()
        for _ in range(max(1, rounds // 4)):
            for text in plain:
                count += 1
                clock_at[0] += timedelta(seconds=1)
                inbound = Inbound(Channel.SMS, "+15105550100", text, f"SM{count}", clock_at[0])
                service.inbox.receive(inbound, MessageStatus.SENT)
        receive = (time.perf_counter() - start) / count * 1e6
        with service.sessions.begin() as session:
            start = time.perf_counter()
            for _ in range(count):
                open_handoff_of(session, participant_id)
            read = (time.perf_counter() - start) / count * 1e6
        service.close()
    return receive, read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    messages = texts()
    view = ParticipantView("Jordan", Language.ENGLISH, ConsentState.CONFIRMED, "Dana Lee", "(510) 555-0199")
    now = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    engine = per_message(lambda text: respond(view, ConversationState(), InboundText(text), now), messages, args.rounds)
    person = per_message(lambda text: asks_for_person(text, ("Dana",)), messages, args.rounds)
    stop = per_message(asks_to_stop, messages, args.rounds)
    danger = per_message(suggests_danger, messages, args.rounds)
    print(f"{len(messages)} corpus texts, median of {args.rounds} rounds, microseconds a message")
    print(f"  engine respond (baseline, everything) {engine:8.1f}")
    print(f"  asks_for_person                       {person:8.1f}  {person / engine:6.1%} of the engine")
    print(f"  asks_to_stop                          {stop:8.1f}  {stop / engine:6.1%} of the engine")
    print(f"  suggests_danger                       {danger:8.1f}  {danger / engine:6.1%} of the engine")
    receive, read = inbox_figures(messages, args.rounds)
    print(f"  inbox receive on SQLite (baseline)    {receive:8.1f}")
    print(f"  open handoff read                     {read:8.1f}  {read / receive:6.1%} of the inbox")


if __name__ == "__main__":
    main()
