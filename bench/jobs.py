"""How long each of the scheduler's jobs holds SQLite's write lock, on a county's database.

    python bench/jobs.py [--participants 100000] [--weeks 26] [--jobs sweep,dispatch,notes,documents]

Every transaction begins IMMEDIATE (casefile/database.py), so it holds the one write lock from
BEGIN to COMMIT, and a webhook message waits for it that long; read-only ones (`reading`) hold
none and are listed apart. Each job runs once, as `waypoint
serve` would run it at the seeded moment (Monday 11:05 in California, check-ins due, the monthly
hours verification owed for February), on a fresh copy of bench/seed.py's database, with the
dispatcher sending to a fake Twilio on 127.0.0.1 at no rate limit. Printed per job: its transactions, the longest
and the 99th percentile, and the job's whole time, and under it the same figures of the
transactions' CPU time; then its three longest transactions, each named by the statement it began
with (which pass of the job held the lock) and with what it waited for besides its CPU. The goal (issue 19) is no transaction over ~50 ms.
Baseline, same run: one webhook message's transaction (the median of 200, in-process). `cpu s` is
the process's CPU time during the job: on a shared machine it says what the job costs, the wall
clock does not. --weeks 4 uses the 4-week file (0.8 GB against 4.9 GB; February is in both).
"""

import argparse
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.dispatch import ACCOUNT, FakeTwilio  # noqa: E402
from bench.seed import NOW, phone_of, seeded_copy  # noqa: E402
from bot.app import Service, build_service  # noqa: E402
from bot.inbox import Inbound  # noqa: E402
from bot.settings import Secret, Settings  # noqa: E402
from casefile.database import READ_ONLY  # noqa: E402
from casefile.vocabulary import Channel, MessageStatus  # noqa: E402


class LockClock:
    """Times every transaction on an engine, filed under the job running at the time."""

    def __init__(self, service: Service) -> None:
        self.job = "-"
        self.held: dict[str, list[float]] = defaultdict(list)
        #: The longest transactions of each job, with what they began with (which pass of the job).
        self.longest: dict[str, list[tuple[float, float, str, str]]] = defaultdict(list)
        #: The CPU time of the thread that ran each transaction: what it cost, apart from waiting
        #: for a core on a shared machine.
        self.cpu_held: dict[str, list[float]] = defaultdict(list)
        self._lock = threading.Lock()
        #: The process's CPU seconds during the last job run.
        self.cpu = 0.0
        event.listen(service.engine, "begin", self._begin)
        event.listen(service.engine, "before_cursor_execute", self._statement)
        event.listen(service.engine, "commit", self._end)
        event.listen(service.engine, "rollback", self._end)

    def _begin(self, connection: Any) -> None:
        connection.info["began"] = time.perf_counter()
        connection.info["cpu"] = time.thread_time()
        connection.info["usage"] = resource.getrusage(resource.RUSAGE_THREAD)
        # A read-only transaction (casefile.database.reading) holds no write lock: filed apart.
        connection.info["reads"] = bool(connection.get_execution_options().get(READ_ONLY))
        connection.info["first"] = ""

    def _statement(self, connection: Any, cursor: Any, sql: str, *rest: Any) -> None:
        if not connection.info.get("first") and not sql.startswith(("BEGIN", "SAVEPOINT")):
            # "UPDATE contacts SET closed_at", "INSERT INTO case_notes": enough to tell the pass.
            connection.info["first"] = " ".join(sql.split()[:4])

    def _end(self, connection: Any) -> None:
        began = connection.info.pop("began", None)
        if began is not None:
            name = f"{self.job} (reads only)" if connection.info.pop("reads", False) else self.job
            took = time.perf_counter() - began
            cpu = time.thread_time() - connection.info.pop("cpu", 0.0)
            waits = _waits(connection.info.pop("usage"), resource.getrusage(resource.RUSAGE_THREAD))
            with self._lock:
                self.held[name].append(took)
                self.cpu_held[name].append(cpu)
                longest = self.longest[name]
                longest.append((took, cpu, waits, connection.info.get("first", "")))
                longest.sort(reverse=True)
                del longest[3:]

    def run(self, job: str, work: Callable[[], object]) -> tuple[float, object]:
        self.job = job
        started, cpu = time.perf_counter(), time.process_time()
        done = work()
        self.cpu = time.process_time() - cpu
        return time.perf_counter() - started, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--jobs", default="sweep,dispatch,notes,documents", help="which jobs to run, in order")
    parser.add_argument("--weeks", type=int, default=26, help="weeks of seeded history (a cached file: 26 or 4)")
    args = parser.parse_args()
    twilio = FakeTwilio()
    threading.Thread(target=twilio.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="waypoint-jobs-") as folder:
        url = seeded_copy(args.participants, Path(folder), args.weeks)
        settings = Settings(
            database_url=url,
            twilio_account_sid=ACCOUNT,
            twilio_auth_token=Secret("bench-token"),
            twilio_from_number="+15105559999",
            twilio_api_base_url=twilio.url,
            # Unlimited: this measures how long the dispatcher holds the lock, not its rate.
            sms_per_second=1_000_000.0,
            documents_dir=str(Path(folder) / "documents"),
        )
        service = build_service(settings, lambda: NOW)
        clock = LockClock(service)
        for n in range(200):
            message = Inbound(Channel.SMS, phone_of(n * 37 % args.participants + 1), "hi", f"SMjobs{n}", NOW)
            clock.run("one webhook message", partial(service.inbox.receive, message, MessageStatus.SENT))
        print(f"{args.participants:,} participants, {args.weeks} weeks, SQLite, at {NOW:%Y-%m-%d %H:%M} UTC")
        print(
            f"{'job':20} {'transactions':>12} {'longest ms':>11} {'p99 ms':>8} {'median ms':>10} {'job s':>7} {'cpu s':>7}  did"
        )
        report("one webhook message", clock.held["one webhook message"], None, None, None)
        report_cpu("one webhook message", clock.cpu_held["one webhook message"])
        jobs: dict[str, Callable[[], object]] = {
            "sweep": service.sweep,
            "dispatch": service.dispatch,
            "notes": service.draft_notes,
            "documents": service.documents.fetch_due,
        }
        for job in args.jobs.split(","):
            took, done = clock.run(job, jobs[job])
            report(job, clock.held[job], took, clock.cpu, done)
            if clock.held.get(f"{job} (reads only)"):
                report(f"{job} (reads only)", clock.held[f"{job} (reads only)"], None, None, None)
            report_cpu(job, clock.cpu_held[job])
            for held, cpu, waits, first in clock.longest[job]:
                print(f"{'':20} a longest: {held * 1000:8.1f} ms ({cpu * 1000:.1f} ms CPU; {waits}), beginning {first}")
        service.close()
    twilio.shutdown()


def report(job: str, held: list[float], took: float | None, cpu: float | None, done: object) -> None:
    """One job's line, printed as soon as it has run (the notes job takes minutes at 100k)."""
    held = sorted(held) or [0.0]
    p99 = held[max(0, int(len(held) * 0.99) - 1)]
    did = dict(done) if isinstance(done, dict) else done
    print(
        f"{job:20} {len(held):12} {held[-1] * 1000:11.1f} {p99 * 1000:8.1f} {statistics.median(held) * 1000:10.1f} "
        f"{took if took is not None else sum(held):7.1f} {'' if cpu is None else f'{cpu:7.1f}':>7}  "
        f"{did if did is not None else ''}",
        flush=True,
    )


def _waits(before: resource.struct_rusage, after: resource.struct_rusage) -> str:
    """What a transaction waited for besides its CPU: pages read from disk (major faults, the database
    is memory-mapped), blocking (voluntary switches: I/O, a lock), a core (involuntary: preempted)."""
    return (
        f"{after.ru_majflt - before.ru_majflt} major faults, {after.ru_nvcsw - before.ru_nvcsw} voluntary and "
        f"{after.ru_nivcsw - before.ru_nivcsw} involuntary switches"
    )


def report_cpu(job: str, cpu: list[float]) -> None:
    """The same transactions' CPU time: on a loaded machine the wall clock counts waiting for a core."""
    cpu = sorted(cpu) or [0.0]
    p99 = cpu[max(0, int(len(cpu) * 0.99) - 1)]
    print(
        f"{'':20} {'their CPU':>12} {cpu[-1] * 1000:11.1f} {p99 * 1000:8.1f} {statistics.median(cpu) * 1000:10.1f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
