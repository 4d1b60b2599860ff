"""The dispatcher's write transactions on a county's database, in wall and CPU time.

    python bench/dispatch_county.py [--participants 100000] [--weeks 4]

On a copy of bench/seed.py's county (4 weeks of history by default: what the dispatcher reads does
not grow with history), the sweep queues what is due at the seeded moment (Monday 11:05 in
California), then `Service.dispatch` runs as `waypoint serve` runs it, sending through the real
twilio Client to a fake Twilio on 127.0.0.1 at no rate limit. Every write transaction (BEGIN
IMMEDIATE: SQLite's one write lock, which every webhook message waits for) is timed from BEGIN to
COMMIT in wall time and in the CPU time of the thread that ran it: on a loaded machine the wall
time counts the waits for a core, and in a busy process the waits for Python's GIL, too.

Printed: the dispatcher's write transactions (count, longest, p99, median, wall and CPU), its
read-only ones apart, the job's wall and process CPU time, and its three longest write
transactions, each with the statement that took longest in it. Baseline in the same run: one
webhook message's transaction (the median of 200, in-process). The goal (issue 19): none over ~50 ms.
"""

import argparse
import gc
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, event  # noqa: E402

from bench.dispatch import ACCOUNT, FakeTwilio  # noqa: E402
from bench.seed import NOW, phone_of, seeded_copy  # noqa: E402
from bot.app import build_service  # noqa: E402
from bot.inbox import Inbound  # noqa: E402
from bot.settings import Secret, Settings  # noqa: E402
from casefile.database import READ_ONLY  # noqa: E402
from casefile.vocabulary import Channel, MessageStatus  # noqa: E402


@dataclass(order=True)
class Held:
    """One transaction: its wall and CPU seconds, and its slowest statement."""

    wall: float
    cpu: float = 0.0
    slowest: tuple[float, str] = (0.0, "")
    statements: int = 0
    #: Seconds the cyclic garbage collector ran meanwhile (it stops every thread of the process).
    collecting: float = 0.0


@dataclass
class TransactionClock:
    """Times every transaction of an engine, filed under the part of the run it belongs to."""

    part: str = "-"
    held: dict[str, list[Held]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    collected: float = 0.0
    _collection: float = 0.0

    def watch(self, engine: Engine) -> None:
        gc.callbacks.append(self._collecting)
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)

    def _collecting(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._collection = time.perf_counter()
        else:
            self.collected += time.perf_counter() - self._collection

    def _begin(self, connection: Any) -> None:
        reads = bool(connection.get_execution_options().get(READ_ONLY))
        connection.info["held"] = (time.perf_counter(), time.thread_time(), reads, [0.0, "", 0], self.collected)

    def _before(self, connection: Any, cursor: Any, sql: str, *rest: Any) -> None:
        connection.info["statement"] = time.perf_counter()

    def _after(self, connection: Any, cursor: Any, sql: str, *rest: Any) -> None:
        began, held = connection.info.pop("statement", None), connection.info.get("held")
        if began is None or held is None:
            return
        held[3][2] += 1
        if (took := time.perf_counter() - began) > held[3][0]:
            held[3][:2] = [took, " ".join(sql.split()[:6])]

    def _end(self, connection: Any) -> None:
        held = connection.info.pop("held", None)
        if held is None:
            return
        began, cpu, reads, slowest, collected = held
        name = f"{self.part} (reads only)" if reads else self.part
        took = Held(
            time.perf_counter() - began,
            time.thread_time() - cpu,
            (slowest[0], slowest[1]),
            slowest[2],
            self.collected - collected,
        )
        with self.lock:
            self.held[name].append(took)


def report(name: str, held: list[Held], took: tuple[float, float] | None = None, done: object = "") -> None:
    walls = sorted(h.wall * 1000 for h in held) or [0.0]
    cpus = sorted(h.cpu * 1000 for h in held) or [0.0]

    def p99(values: list[float]) -> float:
        return values[max(0, int(len(values) * 0.99) - 1)]

    job = f"{took[0]:7.1f} {took[1]:7.1f}" if took else f"{'':7} {'':7}"
    print(
        f"{name:26} {len(held):6} {walls[-1]:8.1f} {p99(walls):7.1f} {statistics.median(walls):7.1f}"
        f" {cpus[-1]:8.1f} {p99(cpus):7.1f} {statistics.median(cpus):7.1f} {job}  {done}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4, help="sending threads (serve's dispatch job uses 4)")
    args = parser.parse_args()
    twilio = FakeTwilio()
    threading.Thread(target=twilio.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="waypoint-dispatch-") as folder:
        settings = Settings(
            database_url=seeded_copy(args.participants, Path(folder), args.weeks),
            twilio_account_sid=ACCOUNT,
            twilio_auth_token=Secret("bench-token"),
            twilio_from_number="+15105559999",
            twilio_api_base_url=twilio.url,
            sms_per_second=1_000_000.0,
        )
        service = build_service(settings, lambda: NOW)
        clock = TransactionClock()
        clock.watch(service.engine)
        clock.part = "one webhook message"
        for n in range(200):
            message = Inbound(Channel.SMS, phone_of(n * 37 % args.participants + 1), "hi", f"SMdisp{n}", NOW)
            service.inbox.receive(message, MessageStatus.SENT)
        clock.part = "sweep"
        service.sweep()
        clock.part = "dispatch"
        wall, cpu = time.perf_counter(), time.process_time()
        done = service.dispatch(workers=args.workers)
        took = (time.perf_counter() - wall, time.process_time() - cpu)
        service.close()
    twilio.shutdown()
    print(f"{args.participants:,} participants, {args.weeks} weeks, SQLite, at {NOW:%Y-%m-%d %H:%M} UTC")
    print(f"{'':26} {'':6} {'wall ms':^24} {'CPU ms (its thread)':^24} {'job s':^15}")
    print(
        f"{'transactions':26} {'count':>6} {'longest':>8} {'p99':>7} {'median':>7}"
        f" {'longest':>8} {'p99':>7} {'median':>7} {'wall':>7} {'CPU':>7}  did"
    )
    report("one webhook message", clock.held["one webhook message"])
    report("dispatch", clock.held["dispatch"], took, dict(done))
    report("dispatch (reads only)", clock.held["dispatch (reads only)"])
    for held in sorted(clock.held["dispatch"], reverse=True)[:3]:
        print(
            f"  a longest: {held.wall * 1000:.1f} ms wall, {held.cpu * 1000:.1f} ms CPU, {held.statements} statements,"
            f" {held.collecting * 1000:.1f} ms collecting garbage;"
            f" its slowest statement {held.slowest[0] * 1000:.1f} ms: {held.slowest[1]}"
        )


if __name__ == "__main__":
    main()
