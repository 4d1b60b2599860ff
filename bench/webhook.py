"""Throughput and latency of the signed Twilio webhook on a county's database, driven by wrk.

    python bench/webhook.py [--participants 100000] [--weeks 26] [--seconds 20] [--connections 32]
                            [--database-url postgresql://…] [--runs bare,alone,jobs,postgres]

The database is bench/seed.py's: participants with half a year of history (`--weeks`; a fresh copy
of the kept SQLite file for each run). wrk (installed from Debian if missing) sends pre-signed, unique
requests from a Lua script (bench/webhook.lua), so the client is not what limits. Each message
comes from a participant picked at random and walks a real path (a check-in answer, hours, the
menu, help, a message to the counselor). Runs, each against a uvicorn server on 127.0.0.1:
- bare: one worker that only parses the form and answers empty TwiML — the baseline, same run;
- before: the webhook on the database without migration 0012's index (issue 19's figures);
- alone: the webhook, SQLite, one worker, no scheduler;
- jobs: the same while the scheduler's jobs run in the process as `waypoint serve` ships them
  (sweep, dispatcher to a fake Twilio on 127.0.0.1, document fetches, notes), at their intervals;
- apart: the same with the jobs in a second service process beside the webhook's (they share only
  SQLite's lock, not an interpreter);
- postgres (with --database-url): the webhook on PostgreSQL with 1 worker, then 2.
The server's clock starts at the seeded database's moment (Monday 11:05 in California, when the
day's check-ins fall due), so the jobs find the work a county has at that hour.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench.cpu import CpuSeconds, cpu_seconds  # noqa: E402
from bench.memory import status  # noqa: E402
from bench.seed import NOW, describe, seed, seeded_copy  # noqa: E402
from bench.wrk_load import (  # noqa: E402
    ACCOUNT,
    BARE,
    PORT,
    PUBLIC_URL,
    STOP_SECONDS,
    TOKEN,
    server,
    stopped_in,
    write_requests,
    wrk,
)


def service_app() -> Any:
    """The app `waypoint serve` runs, from the environment, on a clock that starts at the seeded moment
    (uvicorn --factory). BENCH_SCHEDULER=1 runs the scheduler's jobs in the process, as serve does."""
    from bot.app import build_service, create_app
    from bot.logs import configure_logging
    from bot.settings import Settings

    offset = NOW - datetime.now(UTC)

    def clock() -> datetime:
        return datetime.now(UTC) + offset

    settings = Settings.from_env()
    # As serve logs: a line for every request, on stderr (which server() sends to a file).
    configure_logging(settings.log_format)
    service = build_service(settings, clock)
    return create_app(service, clock, run_scheduler=os.environ.get("BENCH_SCHEDULER") == "1")


def environment(database_url: str, workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "WAYPOINT_DATABASE_URL": database_url,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "WAYPOINT_PUBLIC_URL": PUBLIC_URL,
        "WAYPOINT_DOCUMENTS_DIR": str(workdir / "documents"),
    }


def drop_index(url: str, name: str) -> None:
    from casefile.database import make_engine

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP INDEX {name}")
    engine.dispose()


def run_folder(workdir: Path, name: str) -> Path:
    folder = workdir / name
    folder.mkdir()
    return folder


def discard(url: str) -> None:
    """Remove a run's copy of the database (gigabytes) with its WAL, as soon as the run is over."""
    path = Path(url.removeprefix("sqlite:///"))
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


def jobs_done(database_url: str) -> str:
    """What the scheduler's jobs did during a run: outreach queued, texts sent, notes drafted."""
    from casefile.database import make_engine

    engine = make_engine(database_url)
    since = NOW.replace(tzinfo=None).isoformat(sep=" ")
    questions = {
        "outreach queued": "SELECT COUNT(*) FROM outreach WHERE created_at >= :since",
        "texts sent": "SELECT COUNT(*) FROM messages WHERE outreach_id IS NOT NULL AND created_at >= :since",
        "notes drafted": "SELECT COUNT(*) FROM case_notes WHERE drafted_at >= :since",
    }
    with engine.connect() as connection:
        done = {name: connection.execute(text(sql), {"since": since}).scalar_one() for name, sql in questions.items()}
    engine.dispose()
    return ", ".join(f"{name} {count:,}" for name, count in done.items())


def log_problems(log: Path) -> dict[str, float]:
    """How many warnings and errors the server logged during its life (JSON lines, or plain)."""
    counts = {"warnings": 0.0, "log_errors": 0.0}
    with log.open(errors="replace") as lines:
        for line in lines:
            # A record's first line (a traceback's lines are not records of their own).
            head = line[:80]
            if '"level": "warning"' in head or " WARNING " in head:
                counts["warnings"] += 1
            elif '"level": "error"' in head or " ERROR " in head or " CRITICAL " in head:
                counts["log_errors"] += 1
    return counts


def cpu_figures(spent: CpuSeconds, figures: dict[str, float]) -> dict[str, float]:
    """CPU milliseconds a message of the server, the database server and wrk, and the cores they
    kept busy together: at os.cpu_count() the run was bound by the machine."""
    messages = max(figures["requests"], 1)
    return {
        "server_ms": spent.server * 1000 / messages,
        "database_ms": spent.database * 1000 / messages,
        "client_ms": spent.client * 1000 / messages,
        "busy_cores": (spent.server + spent.database + spent.client) / (figures["duration_us"] / 1e6),
        "busiest_share": spent.busiest_share,
    }


def postgres_sessions(url: str) -> int:
    """Connections PostgreSQL has accepted to the database so far (each a backend process started):
    a pool that keeps its connections opens none while the load runs. One is this question's own."""
    from casefile.database import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        sql = "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
        opened = int(connection.execute(text(sql)).scalar_one())
    engine.dispose()
    return opened


def prepare_postgres(url: str, participants: int) -> None:
    """Seed the (empty) database at `url`, or reuse it if it holds this many participants already."""
    from casefile.database import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        has_tables = connection.execute(text("SELECT to_regclass('participants') IS NOT NULL")).scalar_one()
        count = connection.execute(text("SELECT COUNT(*) FROM participants")).scalar_one() if has_tables else 0
    engine.dispose()
    if count == participants:
        return
    if count:
        raise SystemExit(f"{url} holds {count:,} participants, not {participants:,}: give an empty database")
    started = time.perf_counter()
    seed(url, participants)
    print(f"seeded PostgreSQL with {participants:,} participants in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=26, help="weeks of history in the SQLite file (4 copies faster)")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads")
    parser.add_argument("--database-url", help="a PostgreSQL database (empty, or seeded by an earlier run)")
    parser.add_argument("--runs", default="bare,before,alone,jobs,apart,postgres")
    parser.add_argument("--logs", type=Path, help="keep each server's log in this folder")
    parser.add_argument(
        "--rate",
        type=float,
        default=100,
        help="after each saturated run, one paced at this many messages a second (0: none); 100 is"
        " several times the busiest minute of a county of 100k (a check-in morning's replies)",
    )
    args = parser.parse_args()
    runs = set(args.runs.split(","))
    rng = random.Random(19)
    results: dict[str, dict[str, float]] = {}
    notes: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="waypoint-webhook-") as folder:
        workdir = Path(folder)
        warm, load = workdir / "warm.txt", workdir / "load.txt"
        write_requests(warm, args.participants, 2_000, rng, "a")
        # Unique for 3,000 messages a second: a repeat would be a cheap duplicate.
        write_requests(load, args.participants, int(args.seconds * 3_000), rng, "b")
        paced = workdir / "paced.txt"
        write_requests(paced, args.participants, int(args.seconds * args.rate * 1.2) + 100, rng, "c")

        def measure(name: str, target: str, env: dict[str, str], workers: int = 1, factory: bool = True) -> None:
            url = env.get("WAYPOINT_DATABASE_URL", "")
            database = url.rsplit("/", 1)[-1].split("?")[0] if url.startswith("postgres") else None
            log = (args.logs or workdir) / f"{name.replace(' ', '_').replace(',', '')}.log"
            with server(target, env, log, workers, factory) as sampler:
                wrk(warm, 2, 4, 1)
                before = cpu_seconds(int(sampler.pid), database)
                sessions = postgres_sessions(url) if database else 0
                results[name] = wrk(load, args.seconds, args.connections, args.threads)
                results[name] |= cpu_figures(cpu_seconds(int(sampler.pid), database) - before, results[name])
                if database:
                    opened = postgres_sessions(url) - sessions
                    results[name]["sessions_per_1k"] = opened * 1000 / max(results[name]["requests"], 1)
                if args.rate and name != BARE:
                    at_rate = f"{name} @{args.rate:.0f}/s"
                    before = cpu_seconds(int(sampler.pid), database)
                    results[at_rate] = wrk(paced, args.seconds, args.connections, args.threads, args.rate)
                    results[at_rate] |= cpu_figures(cpu_seconds(int(sampler.pid), database) - before, results[at_rate])
                highest = status(sampler.pid)["VmHWM"]
                own = sampler.stop()["RssAnon"]
            problems = log_problems(log)
            for run in [run for run in results if run.startswith(name)]:
                results[run] |= {"peak_mb": highest, "own_mb": own, "stop_s": stopped_in[0]} | problems
                print(run, json.dumps(results[run]), flush=True)

        if "bare" in runs:
            measure(BARE, "bench.wrk_load:bare_app", dict(os.environ), factory=False)
        if "before" in runs:
            # The database as it was before migration 0012's index: what issue 19 measured.
            url = seeded_copy(args.participants, run_folder(workdir, "before"), args.weeks)
            drop_index(url, "ix_outreach_participant_state")
            measure("webhook, no 0012 index", "bench.webhook:service_app", environment(url, workdir))
            discard(url)
        if "alone" in runs:
            url = seeded_copy(args.participants, run_folder(workdir, "alone"), args.weeks)
            notes["database"] = describe(url)
            measure("webhook, SQLite", "bench.webhook:service_app", environment(url, workdir))
            discard(url)
        for run in ("jobs", "apart"):
            if run not in runs:
                continue
            from bench.dispatch import FakeTwilio

            twilio = FakeTwilio()
            threading.Thread(target=twilio.serve_forever, daemon=True).start()
            url = seeded_copy(args.participants, run_folder(workdir, run), args.weeks)
            env = environment(url, workdir) | {
                "TWILIO_ACCOUNT_SID": ACCOUNT,
                "TWILIO_FROM_NUMBER": "+15105559999",
                "WAYPOINT_TWILIO_API_BASE_URL": twilio.url,
            }
            jobs = env | {"BENCH_SCHEDULER": "1"}
            if run == "jobs":
                measure("webhook + jobs", "bench.webhook:service_app", jobs)
            else:
                # The jobs in a process of their own (a second service, `serve` on another port):
                # the webhook's process no longer shares its interpreter with them, only SQLite's lock.
                with server("bench.webhook:service_app", jobs, workdir / "jobs.log", factory=True, port=PORT + 1):
                    measure("webhook, jobs apart", "bench.webhook:service_app", env)
            twilio.shutdown()
            notes[run] = jobs_done(url)
            discard(url)
        if "postgres" in runs and args.database_url:
            prepare_postgres(args.database_url, args.participants)
            env = environment(args.database_url, workdir)
            measure("webhook, PG 1 worker", "bench.webhook:service_app", env, workers=1)
            measure("webhook, PG 2 workers", "bench.webhook:service_app", env, workers=2)
    report(args, results, notes)


def report(args: argparse.Namespace, results: dict[str, dict[str, float]], notes: dict[str, str]) -> None:
    print(
        f"wrk, {args.threads} threads, {args.connections} connections, {args.seconds:.0f} s a run; "
        f"{args.participants:,} participants; uvicorn on 127.0.0.1"
    )
    if "database" in notes:
        print(f"database: {notes['database']}")
    header = f"{'run':30} {'msg/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7} {'repeated':>9}"
    print(header + f" {'VmHWM MB':>9} {'own MB':>7} {'stop s':>7}")
    for name, figures in results.items():
        print(
            f"{name:30} {figures['per_second']:8.0f} {figures['p50_us'] / 1000:8.1f} {figures['p99_us'] / 1000:8.1f} "
            f"{figures['max_us'] / 1000:8.1f} {figures['errors'] + figures['bad_status']:7.0f} "
            f"{figures['repeated']:9.0f} {figures['peak_mb']:9.0f} {figures['own_mb']:7.0f} {figures['stop_s']:7.1f}"
        )
    print(
        f"\nCPU a message (ms)             {'server':>8} {'database':>8} {'wrk':>8}  busy cores of {os.cpu_count()}"
        "  the busiest server process's share"
    )
    for name, figures in results.items():
        print(
            f"{name:30} {figures['server_ms']:8.2f} {figures['database_ms']:8.2f} {figures['client_ms']:8.2f}"
            f"  {figures['busy_cores']:16.2f}  {figures['busiest_share']:.2f}"
        )
    for name, figures in results.items():
        if "sessions_per_1k" in figures:
            print(f"{name}: PostgreSQL started {figures['sessions_per_1k']:.1f} backends a thousand messages")
    for name, figures in results.items():
        if figures.get("warnings") or figures.get("log_errors"):
            print(f"{name}: the server logged {figures['warnings']:.0f} warnings, {figures['log_errors']:.0f} errors")
    print("VmHWM: the server's peak resident memory, database pages mapped included; own: its RssAnon at most,")
    print("sampled every 20 ms from its start (with 2 workers, of uvicorn's supervisor only)")
    if "jobs" in notes:
        print(f"during 'webhook + jobs': {notes['jobs']}")
    if "apart" in notes:
        print(f"during 'webhook, jobs apart': {notes['apart']}")
    if any(figures["stop_s"] >= STOP_SECONDS for figures in results.values()):
        print(f"a server that had not stopped {STOP_SECONDS} s after SIGTERM was killed (stop s)")
    bare = results.get(BARE)
    for name, figures in results.items():
        if bare is not None and figures is not bare and "@" not in name:
            print(
                f"{name} / bare: throughput {figures['per_second'] / bare['per_second']:.2f}x, "
                f"p50 {figures['p50_us'] / bare['p50_us']:.1f}x, p99 {figures['p99_us'] / bare['p99_us']:.1f}x"
            )
    one, two = results.get("webhook, PG 1 worker"), results.get("webhook, PG 2 workers")
    if one and two:
        print(f"PostgreSQL, 2 workers / 1 worker: {two['per_second'] / one['per_second']:.2f}x")
        # What the machine allows: every core busy with the CPU a message costs with 2 workers.
        cost = two["server_ms"] + two["database_ms"] + two["client_ms"]
        bound = (os.cpu_count() or 1) * 1000 / cost
        print(
            f"  the machine's {os.cpu_count()} cores at {cost:.2f} ms of CPU a message (server, PostgreSQL and wrk)"
            f" allow {bound:.0f} msg/s, {bound / one['per_second']:.2f}x one worker"
        )


if __name__ == "__main__":
    main()
