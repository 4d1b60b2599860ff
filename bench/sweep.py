"""How long one sweep takes over a large caseload in SQLite, and its peak memory.

    python bench/sweep.py [--participants 100000 1000000] [--weeks 4]

The 1M county is seeded with 4 weeks of history (the default here), not bench/seed.py's 26: a
100k county with 26 weeks is 4.9 GB, so 1M would be about 49 GB, more than the disk shared by
this machine's benches. Four weeks keeps every table and state the sweep reads: participants in
every status and consent state, each one's weekly check-ins for the last four weeks (sent,
answered or not, skipped, cancelled: enough to miss two in a row), the re-engagement texts and
tasks of everyone quiet since long before, confirmed hours for every reporting period the sweep
asks about on that Monday, goals with pending steps. At 1M the file is 8.3 GB (4.8M outreach
rows, 8.2M messages, 8.2M events); at 100k, 0.8 GB. Only the older, answered weeks are missing,
which no rule reads (check-ins count only since the last contact). The bench copies it once
(never more than one copy at a time) and deletes the copy when done.

For each size, bench/seed.py's county (kept between runs, copied for each): most wrote in the
last week, some have gone quiet (a few past 30 days, some with check-ins unanswered), some are
sanctioned or have left, a few enrolled this week; the weekly check-ins of the last `--weeks` weeks
are on file with their answers, so are the re-engagement texts the quiet ones were sent and last
week's confirmed hours. The sweep then runs in a fresh process (its memory is its own, not a
parent's) on Monday 2 March 2026 at 11:05 in California, when the check-ins, re-engagement,
monthly texts and follow-ups are all due. Printed: the first sweep (the process's first pass,
a whole one, which queues the day's outreach; with the CPU its write transactions took, copying
into the outbox, the rest being the deciding), a second one (a pass among the changed,
scheduler/passes.py: nothing changed, the steady cost every few minutes), and, as the baseline
from the same run, one read of every participant's row into Python (in a process of its own, just
before, on the same copy); then the sweeping process's peak
resident memory (VmHWM), split into its own memory (RssAnon) and the database pages it had mapped
(RssFile, which the OS can drop and share), each sampled every 5 ms during the sweeps. Each sweep's
CPU time is printed beside its wall time: on a machine shared with other work the wall time
grows with the load, its CPU time much less. Per sweep,
its write transactions (each holds SQLite's one write lock, so every message waits for it) with
the longest up to its commit, and its read-only ones with the longest (bench/jobs.py's LockClock);
then the longest write with its commit (whose WAL writes hold the lock too), the CPU time the
sweeping thread spent in it and its wall time: on a loaded machine the rest of its wall time is the
thread waiting for a core or the disk, not work the lock waits on.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, event, select  # noqa: E402

from bench.jobs import LockClock  # noqa: E402
from bench.memory import Sampler, status  # noqa: E402
from bench.seed import NOW, seeded_copy  # noqa: E402
from casefile.database import READ_ONLY, make_engine  # noqa: E402
from casefile.people import Participant  # noqa: E402


def measure(url: str) -> dict[str, object]:
    """In this (fresh) process: two sweeps, with peak memory and every transaction timed."""
    from bot.app import build_service
    from bot.settings import Settings

    service = build_service(Settings(database_url=url), lambda: NOW)
    # As in the running service (bot/app.py): the WAL is checkpointed by a thread of its own, so a
    # commit never copies it back itself; that thread's CPU is the process's, counted in the sweeps'.
    checkpoints = service.wal_checkpoints()
    if checkpoints is not None:
        checkpoints.start()
    before = status()
    sampler = Sampler()
    sampler.start()
    clock = LockClock(service)
    write_cpu = _WriteCpu(service.engine)
    cpu = time.process_time()
    first, queued = clock.run("first", service.sweep)
    first_cpu, cpu = time.process_time() - cpu, time.process_time()
    first_writes_cpu = write_cpu.total
    second, again = clock.run("second", service.sweep)
    second_cpu = time.process_time() - cpu
    peak = sampler.stop()
    assert isinstance(queued, Counter) and isinstance(again, Counter)
    after = status()
    if checkpoints is not None:
        checkpoints.stop()
    service.close()
    return {
        "first": first,
        "second": second,
        "first_cpu": first_cpu,
        "first_writes_cpu": first_writes_cpu,
        "second_cpu": second_cpu,
        "queued": dict(queued),
        "again": again.total(),
        "transactions": {name: [len(held), max(held, default=0.0)] for name, held in clock.held.items()},
        "longest_write_cpu": write_cpu.longest,
        "longest_write_wall": write_cpu.longest_wall,
        "peak_mb": after["VmHWM"],
        "own_before_mb": before["RssAnon"],
        "own_peak_mb": peak["RssAnon"],
        "mapped_peak_mb": peak["RssFile"],
    }


class _WriteCpu:
    """The thread CPU time of each write transaction (the sweep runs in one thread), its commit
    included: the longest (with its wall time), and the sum by sweep (copying decided rows into the
    outbox, against the deciding around it). SQLAlchemy's "commit" event comes before the commit,
    whose WAL writes (and, with no service running the checkpoints, SQLite's own) hold the lock too,
    so the dialect's commit is wrapped to read the clocks after it."""

    def __init__(self, engine: Engine) -> None:
        self.longest = 0.0
        self.longest_wall = 0.0
        self.total = 0.0
        self._began: tuple[float, float] | None = None
        event.listen(engine, "begin", self._begin)
        commit = engine.dialect.do_commit

        def timed_commit(dbapi_connection: Any) -> None:
            commit(dbapi_connection)
            self._end()

        engine.dialect.do_commit = timed_commit  # type: ignore[method-assign]

    def _begin(self, connection: Any) -> None:
        if not connection.get_execution_options().get(READ_ONLY):
            self._began = (time.thread_time(), time.perf_counter())

    def _end(self) -> None:
        if self._began is not None:
            cpu, wall = time.thread_time() - self._began[0], time.perf_counter() - self._began[1]
            self._began = None
            self.longest = max(self.longest, cpu)
            self.longest_wall = max(self.longest_wall, wall)
            self.total += cpu


def read_everyone(url: str) -> dict[str, float]:
    """The baseline, in a fresh process of its own (so its rows are not counted in the sweeps' memory):
    one read of every participant's row into Python."""
    engine = make_engine(url)
    started, cpu = time.perf_counter(), time.process_time()
    with engine.connect() as connection:
        rows = connection.execute(
            select(Participant.id, Participant.time_zone, Participant.status, Participant.last_heard_at)
        ).all()
    figures = {"baseline": time.perf_counter() - started, "baseline_cpu": time.process_time() - cpu}
    del rows
    engine.dispose()
    return figures


def _in_a_fresh_process(mode: str, url: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, mode, url], capture_output=True, text=True, check=True)
    figures: dict[str, Any] = json.loads(done.stdout)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--baseline", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    if args.baseline:
        print(json.dumps(read_everyone(args.baseline)))
        return
    for size in args.participants:
        with tempfile.TemporaryDirectory() as folder:
            url = seeded_copy(size, Path(folder), args.weeks)
            # The baseline first: both then find the database's pages as warm as the OS left them.
            figures = _in_a_fresh_process("--baseline", url) | _in_a_fresh_process("--measure", url)
        queued = sum(figures["queued"].values())
        print(f"{size:>9,} participants, {args.weeks} weeks of history")
        print(
            f"  baseline, one read of every participant: {figures['baseline']:.3f} s "
            f"({figures['baseline_cpu']:.3f} s of CPU)"
        )
        print(
            f"  first sweep: {figures['first']:.3f} s ({figures['first'] / figures['baseline']:.1f}x the read; "
            f"{figures['first_cpu']:.3f} s of CPU), "
            f"queued {queued:,}: " + ", ".join(f"{rule} {n:,}" for rule, n in sorted(figures["queued"].items()) if n)
        )
        print(
            f"    of which its write transactions with their commits (copying into the outbox): "
            f"{figures['first_writes_cpu']:.3f} s of CPU"
        )
        print(
            f"  second sweep: {figures['second']:.3f} s ({figures['second'] / figures['baseline']:.1f}x the read; "
            f"{figures['second_cpu']:.3f} s of CPU), "
            f"queued {figures['again']}"
        )
        for sweep in ("first", "second"):
            writes, longest_write = figures["transactions"].get(sweep, [0, 0.0])
            reads, longest_read = figures["transactions"].get(f"{sweep} (reads only)", [0, 0.0])
            print(
                f"  {sweep} sweep's transactions: {writes} writing (longest {longest_write * 1000:.1f} ms), "
                f"{reads} reading only (longest {longest_read * 1000:.1f} ms)"
            )
        print(
            f"  the longest write with its commit, either sweep: {figures['longest_write_cpu'] * 1000:.1f} ms of CPU, "
            f"{figures['longest_write_wall'] * 1000:.1f} ms wall"
        )
        grown = figures["own_peak_mb"] - figures["own_before_mb"]
        print(
            f"  peak memory of the sweeping process (VmHWM): {figures['peak_mb']:.0f} MB; its own at most "
            f"{figures['own_peak_mb']:.0f} MB (+{grown:.0f} MB during the sweeps), "
            f"database pages mapped at most {figures['mapped_peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
