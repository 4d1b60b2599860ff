"""How long one sweep takes over a large caseload in SQLite, and its peak memory.

    python bench/sweep.py [--participants 100000 1000000]

For each size, a fresh SQLite file is seeded with participants and realistic contact histories:
most wrote in the last week, some have gone quiet (a few past 30 days, some with two check-ins
unanswered), some are sanctioned or have left, a few enrolled this week; last week's check-ins are on
file, so are the re-engagement texts the quiet ones were sent, and half the caseload has confirmed
hours this week. The sweep then runs in a fresh process
on Monday 2 March 2026 at 11:05 in California, when the check-ins, re-engagement, monthly texts and
follow-ups are all due. Printed: the first sweep (which queues the day's outreach), a second one
(nothing new: the steady cost every few minutes), and, as the baseline from the same run, one read
of every participant's row into Python.
"""

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from casefile.database import make_engine  # noqa: E402
from casefile.migrate import upgrade  # noqa: E402
from casefile.outreach import Outreach  # noqa: E402
from casefile.people import Counselor, Participant  # noqa: E402
from casefile.timesheets import TimesheetEntry  # noqa: E402

NOW = datetime(2026, 3, 2, 19, 5, tzinfo=UTC)  # Monday, 11:05 in California
ZONES = ["America/Los_Angeles"] * 17 + ["America/Denver", "America/Phoenix", "America/New_York"]


def seed(url: str, participants: int, rng: random.Random) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(Counselor),
            [
                {"first_name": "C", "last_name": str(n), "email": f"c{n}@example.org", "phone": None, "created_at": NOW}
                for n in range(participants // 100 + 1)
            ],
        )
    batch = 50_000
    for start in range(0, participants, batch):
        people, outreach, hours = [], [], []
        for n in range(start, min(start + batch, participants)):
            person, history = _person(n, participants, rng)
            people.append(person)
            outreach += history
            if person["status"] == "active" and rng.random() < 0.5:
                hours.append(_hours(n + 1))
        with engine.begin() as connection:
            connection.execute(insert(Participant), people)
            if outreach:
                connection.execute(insert(Outreach), outreach)
            if hours:
                connection.execute(insert(TimesheetEntry), hours)
    engine.dispose()


def _person(n: int, total: int, rng: random.Random) -> tuple[dict[str, object], list[dict[str, object]]]:
    """One participant and their outreach so far (last week's check-in, unanswered ones)."""
    roll = rng.random()
    enrolled = NOW - timedelta(days=rng.uniform(40, 700))
    if roll < 0.70:
        heard: datetime | None = NOW - timedelta(days=rng.uniform(0, 7))
    elif roll < 0.85:
        heard = NOW - timedelta(days=rng.uniform(8, 30))
    elif roll < 0.997:
        heard = NOW - timedelta(days=rng.uniform(31, 200))
    else:
        enrolled, heard = NOW - timedelta(days=rng.uniform(0, 3)), None
    status = "active" if rng.random() < 0.9 else rng.choice(["sanctioned", "exited", "exempt"])
    person = {
        "id": n + 1,
        "first_name": "P",
        "last_name": str(n),
        "phone": f"+1{5_000_000_000 + n}",
        "language": rng.choice(["en", "en", "es"]),
        "time_zone": rng.choice(ZONES),
        "weekly_required_hours": rng.choice([20, 30, 35]),
        "family_type": "one_parent",
        "reporting_period": rng.choice(["weekly", "weekly", "biweekly", "monthly"]),
        "activities": [],
        "preferred_channel": "sms",
        "counselor_id": n // 100 + 1,
        "status": status,
        "consent_state": "opted_out" if rng.random() < 0.03 else "confirmed",
        "enrolled_at": enrolled,
        "last_heard_at": heard,
        "check_in_day": rng.randrange(7),
        "exited_on": (NOW - timedelta(days=rng.uniform(0, 400))).date() if status == "exited" else None,
        "outreach_paused_until": None,
    }
    history = []
    quiet_days = (NOW - heard).days if heard else 0
    # Those quiet for more than a week missed the check-ins sent since.
    for week in range(1, min(quiet_days // 7, 4) + 1) if status == "active" else ():
        sent = NOW - timedelta(days=7 * week)
        history.append(_sent(n + 1, "check_in", f"{sent.date()}+0", sent))
    if heard is not None and quiet_days > 30 and status == "active":
        history += _reengagement_so_far(n + 1, heard)
    return person, history


def _reengagement_so_far(participant: int, heard: datetime) -> list[dict[str, object]]:
    """The attempts the default rule made since they went quiet: day 30, 7 days on, then every 14,
    and the counselor's task 2 days after the second."""
    episode = heard.strftime("%Y%m%dT%H%M%S")
    sent, attempt, rows = heard + timedelta(days=30), 1, []
    while sent < NOW:
        rows.append(_sent(participant, "reengage", f"{episode}#{attempt}", sent))
        if attempt == 2 and sent + timedelta(days=2) < NOW:
            task = _sent(participant, "reengage", f"{episode}#task", sent + timedelta(days=2))
            rows.append(task | {"kind": "task", "template": "reengagement_task"})
        sent += timedelta(days=7 if attempt == 1 else 14)
        attempt += 1
    return rows


def _sent(participant: int, rule: str, occurrence: str, at: datetime) -> dict[str, object]:
    return {
        "participant_id": participant,
        "rule": rule,
        "occurrence": occurrence,
        "kind": "text",
        "template": "outreach_check_in",
        "due_at": at,
        "state": "dispatched",
        "created_at": at,
        "state_at": at,
    }


def _hours(participant: int) -> dict[str, object]:
    return {
        "participant_id": participant,
        "day": date(2026, 2, 24),
        "whole_week": False,
        "activity": "job_search",
        "hours": 6.0,
        "excuse": None,
        "state": "confirmed",
        "message_id": None,
        "reported_at": NOW,
        "confirmed_at": NOW,
    }


def measure(url: str) -> dict[str, object]:
    """In this (fresh) process: the baseline read, then two sweeps, with peak memory."""
    from bot.app import build_service
    from bot.settings import Settings

    service = build_service(Settings(database_url=url), lambda: NOW)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with service.sessions.begin() as session:
        rows = session.execute(
            select(Participant.id, Participant.time_zone, Participant.status, Participant.last_heard_at)
        ).all()
    baseline = time.perf_counter() - started
    del rows
    started = time.perf_counter()
    queued = service.sweep()
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = service.sweep()
    second = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    service.close()
    return {
        "baseline": baseline,
        "first": first,
        "second": second,
        "queued": dict(queued),
        "again": again.total(),
        "peak_mb": peak / 1024,
        "grown_mb": (peak - rss_before) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    for size in args.participants:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'sweep.sqlite3'}"
            started = time.perf_counter()
            seed(url, size, random.Random(size))
            seeded = time.perf_counter() - started
            result = subprocess.run(
                [sys.executable, __file__, "--measure", url], capture_output=True, text=True, check=True
            )
            figures = json.loads(result.stdout)
        queued = sum(figures["queued"].values())
        print(f"{size:>9,} participants (seeded in {seeded:.0f} s)")
        print(f"  baseline, one read of every participant: {figures['baseline']:.3f} s")
        print(
            f"  first sweep: {figures['first']:.3f} s ({figures['first'] / figures['baseline']:.1f}x the read), "
            f"queued {queued:,}: " + ", ".join(f"{rule} {n:,}" for rule, n in sorted(figures["queued"].items()) if n)
        )
        print(
            f"  second sweep: {figures['second']:.3f} s ({figures['second'] / figures['baseline']:.1f}x the read), "
            f"queued {figures['again']}"
        )
        print(
            f"  peak memory of the sweeping process: {figures['peak_mb']:.0f} MB ({figures['grown_mb']:.0f} MB during it)"
        )


if __name__ == "__main__":
    main()
