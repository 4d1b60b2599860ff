"""A process's resident memory from /proc, split into its own and the file pages it has mapped; and
the bench of a `serve`-like process's memory while it runs every scheduler job once at a county's size.

    python bench/memory.py [--participants 100000] [--weeks 26] [--jobs sweep,dispatch,documents,notes,alerts] [--trace] [--together]

VmHWM is the peak of all resident memory, and with SQLite read through a memory map
(casefile/database.py) that includes database pages, which belong to the OS's page cache: they
are shared, and dropped under pressure. RssAnon is the process's own memory, what a bound on a
service's memory is about. Linux keeps no peak of each part, so `Sampler` reads them every few ms.

The bench starts two fresh processes on one copy of bench/seed.py's database, at the seeded moment
(check-ins due, February's hours verification owed for everyone): a bare one that builds the
service as `serve` does and runs no job (the baseline), and one that builds it and runs each job
once, in the order given (--together: all at once, a thread each, as serve's scheduler starts
them), with the dispatcher sending to a fake Twilio on 127.0.0.1. Printed per
job: the peak own memory (RssAnon) while it ran and the peak mapped database pages (RssFile). The
goal (issue 19): own memory ≤ 200 MB at any moment. --trace adds, per job, where Python allocated
most at its peak (tracemalloc; SQLite's own memory is not Python's and shows only in RssAnon).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem")


def status(pid: int | str = "self") -> dict[str, float]:
    """The process's memory now, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in FIELDS:
            found[name] = int(value.split()[0]) / 1024
    return found


class Sampler(threading.Thread):
    """The largest own (RssAnon) and mapped-file (RssFile) memory of a process while it runs."""

    def __init__(self, pid: int | str = "self", every: float = 0.005) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.every = every
        self.peak = {"RssAnon": 0.0, "RssFile": 0.0}
        self._running = True

    def run(self) -> None:
        while self._running:
            try:
                now = status(self.pid)
            except (FileNotFoundError, ProcessLookupError):
                return
            for name in self.peak:
                self.peak[name] = max(self.peak[name], now[name])
            time.sleep(self.every)

    def reset(self) -> dict[str, float]:
        """The peaks so far, and start again from now (one job's peak, then the next's)."""
        peak, self.peak = self.peak, {"RssAnon": 0.0, "RssFile": 0.0}
        return peak

    def stop(self) -> dict[str, float]:
        self._running = False
        self.join()
        return self.peak


class PythonPeak(threading.Thread):
    """Where Python's allocations stood at their highest, by line (tracemalloc snapshots taken
    whenever the traced total grows by a tenth over its last snapshot)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.top: list[str] = []
        self.highest = 0
        self._running = True

    def run(self) -> None:
        while self._running:
            current, _ = tracemalloc.get_traced_memory()
            if current > self.highest * 1.1:
                self.highest = current
                snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
                self.top = [
                    f"{stat.size / 2**20:7.1f} MB {stat.traceback[0].filename.removeprefix(str(ROOT) + '/')}:"
                    f"{stat.traceback[0].lineno}"
                    for stat in snapshot.statistics("lineno")[:8]
                ]
            time.sleep(0.2)

    def stop(self) -> list[str]:
        self._running = False
        self.join()
        return self.top


def child(url: str, twilio_url: str, documents: str, jobs: list[str], trace: bool, together: bool) -> None:
    """One fresh process: build the service as `serve` does, then run each job once; a JSON line each."""
    sys.path.insert(0, str(ROOT))
    sampler = Sampler()
    sampler.start()
    from bench.dispatch import ACCOUNT
    from bench.seed import NOW
    from bot.app import build_service
    from bot.settings import Secret, Settings

    settings = Settings(
        database_url=url,
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=Secret("bench-token"),
        twilio_from_number="+15105559999",
        twilio_api_base_url=twilio_url,
        sms_per_second=1_000_000.0,
        documents_dir=documents,
    )
    service = build_service(settings, lambda: NOW)
    runs: dict[str, Callable[[], object]] = {
        "sweep": service.sweep,
        "dispatch": service.dispatch,
        "documents": service.documents.fetch_due,
        "notes": service.draft_notes,
        "alerts": service.alert,
    }
    time.sleep(0.05)
    print(json.dumps({"job": "built, no job", **sampler.reset(), "seconds": 0.0, "did": ""}), flush=True)
    if together:
        # As serve's scheduler starts them: all at once, each on a thread of its own.
        started = time.perf_counter()
        threads = [threading.Thread(target=runs[job]) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - started
        print(json.dumps({"job": "all at once", **sampler.reset(), "seconds": took, "did": ",".join(jobs)}), flush=True)
        jobs = []
    for job in jobs:
        peak = PythonPeak() if trace else None
        if peak is not None:
            tracemalloc.start()
            peak.start()
        started = time.perf_counter()
        did = runs[job]()
        took = time.perf_counter() - started
        time.sleep(0.05)
        top = peak.stop() if peak is not None else []
        if trace:
            tracemalloc.stop()
        line = {"job": job, **sampler.reset(), "seconds": took, "did": str(dict(did) if isinstance(did, dict) else did)}
        print(json.dumps(line | {"top": top}), flush=True)
    service.close()


def run_child(
    url: str, twilio_url: str, folder: Path, jobs: str, trace: bool, together: bool = False
) -> list[dict[str, Any]]:
    command = [sys.executable, __file__, "--child", url, "--twilio", twilio_url, "--documents", str(folder / "docs")]
    command += ["--jobs", jobs] + (["--trace"] if trace else []) + (["--together"] if together else [])
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(json.loads(line))
        report(lines[-1])
    if process.wait() != 0:
        raise RuntimeError(f"the measured process failed ({process.returncode})")
    return lines


def report(line: dict[str, Any]) -> None:
    print(
        f"{line['job']:16} {line['RssAnon']:8.0f} {line['RssFile']:11.0f} {line['seconds']:8.1f}  {line['did']}",
        flush=True,
    )
    for top in line.get("top", []):
        print(f"{'':16} {top}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--jobs", default="sweep,dispatch,documents,notes,alerts", help="which jobs to run, in order")
    parser.add_argument("--trace", action="store_true", help="where Python allocated most, per job (slower)")
    parser.add_argument(
        "--together", action="store_true", help="run the jobs at once, a thread each, as serve starts them"
    )
    parser.add_argument("--weeks", type=int, default=26, help="weeks of seeded history (a cached file: 26 or 4)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--twilio", help=argparse.SUPPRESS)
    parser.add_argument("--documents", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        jobs = [job for job in args.jobs.split(",") if job]
        child(args.child, args.twilio, args.documents, jobs, args.trace, args.together)
        return
    sys.path.insert(0, str(ROOT))
    from bench.dispatch import FakeTwilio
    from bench.seed import NOW, seeded_copy

    twilio = FakeTwilio()
    threading.Thread(target=twilio.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="waypoint-memory-") as folder:
        url = seeded_copy(args.participants, Path(folder), args.weeks)
        print(f"{args.participants:,} participants, SQLite, at {NOW:%Y-%m-%d %H:%M} UTC; pid {os.getpid()}")
        print(f"{'process / job':16} {'own MB':>8} {'mapped MB':>11} {'job s':>8}  did")
        print("bare process (the baseline):")
        bare = run_child(url, twilio.url, Path(folder), "", False)
        print("every job once, at once:" if args.together else "every job once:")
        ran = run_child(url, twilio.url, Path(folder), args.jobs, args.trace, args.together)
    twilio.shutdown()
    highest = max(ran, key=lambda line: line["RssAnon"])
    print(
        f"peak own memory {highest['RssAnon']:.0f} MB ({highest['job']}), against {bare[0]['RssAnon']:.0f} MB bare "
        f"(+{highest['RssAnon'] - bare[0]['RssAnon']:.0f} MB); mapped database pages at most "
        f"{max(line['RssFile'] for line in ran):.0f} MB (the OS's page cache, shared). Target: own ≤ 200 MB."
    )


if __name__ == "__main__":
    main()
