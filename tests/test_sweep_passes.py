"""Between whole passes the sweep decides only for whose situation changed or a moment crossed,
and that never misses a text nor queues one twice (scheduler/passes.py).

A county seeded by bench/seed.py lives on for days of its clock: participants write, opt out and
back in, change status, are paused, move their check-in day, confirm hours, have a step fall due;
the dispatcher sends, skips and cancels. After every pass that decided only for the changed and the
crossed, a whole pass at the same moment must find nothing more to queue. The changes are written
as any code path would write them (SQL on the tables), since the log of changes is the database's
own (triggers, migration 0014).
"""

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from bench.seed import NOW, seed
from bot.app import Service, build_service
from bot.settings import Settings
from casefile.goals import Goal, GoalStep
from casefile.outreach import Outreach, OutreachState
from casefile.people import Participant
from casefile.sweeps import SweepChange, SweepPass
from casefile.timesheets import TimesheetEntry
from casefile.vocabulary import Activity, ConsentState, EntryState, GoalStatus, ProgrammeStatus, StepStatus
from scheduler.queueing import COPY_BATCH
from tests.support import FixedClock

LA = ZoneInfo("America/Los_Angeles")
#: How far the clock moves between two passes: minutes (the job's 5), past a rule's hour, past midnight.
STEPS = [timedelta(minutes=5), timedelta(minutes=55), timedelta(hours=3), timedelta(hours=9), timedelta(hours=26)]


@pytest.fixture
def county(database_url: str) -> Iterator[tuple[Service, FixedClock]]:
    seed(database_url, 1500, weeks=4)
    clock = FixedClock(NOW)
    service = build_service(Settings(database_url=database_url), clock)
    yield service, clock
    service.close()


def last_pass(service: Service) -> tuple[datetime, bool]:
    with service.sessions.begin() as session:
        row = session.execute(select(SweepPass.swept_at, SweepPass.full).order_by(SweepPass.id.desc())).first()
        assert row is not None
        return row.swept_at, row.full


def outbox(service: Service) -> set[tuple[Any, ...]]:
    with service.sessions.begin() as session:
        return {
            tuple(row) for row in session.execute(select(Outreach.participant_id, Outreach.rule, Outreach.occurrence))
        }


def live_a_little(service: Service, rng: random.Random, now: datetime) -> None:
    """What a county does between two passes: a few dozen participants' situations change, and
    the dispatcher sends (or skips, or cancels) some of what is due."""
    today = now.astimezone(LA).date()
    with service.sessions.begin() as session:
        ids = session.scalars(select(Participant.id)).all()
        for participant in rng.sample(ids, 40):
            _change_one(session, rng, participant, now, today)
        due = session.scalars(
            select(Outreach.id).where(Outreach.state == OutreachState.QUEUED, Outreach.due_at <= now)
        ).all()
        for outreach_id in rng.sample(due, len(due) // 3):
            state = rng.choice([OutreachState.DISPATCHED] * 8 + [OutreachState.SKIPPED, OutreachState.CANCELLED])
            settled = now - timedelta(minutes=rng.randint(0, 120))
            session.execute(update(Outreach).where(Outreach.id == outreach_id).values(state=state, state_at=settled))


def _change_one(session: Any, rng: random.Random, participant: int, now: datetime, today: date) -> None:
    this = update(Participant).where(Participant.id == participant)
    match rng.choice(["reply", "reply", "consent", "status", "pause", "check_in_day", "hours", "step"]):
        case "reply":
            session.execute(this.values(last_heard_at=now - timedelta(minutes=rng.randint(0, 300))))
            session.execute(
                update(Outreach)
                .where(Outreach.participant_id == participant, Outreach.state == OutreachState.QUEUED)
                .where(Outreach.rule == "reengage")
                .values(state=OutreachState.CANCELLED, reason="answered", state_at=now)
            )
        case "consent":
            session.execute(this.values(consent_state=rng.choice([ConsentState.OPTED_OUT, ConsentState.CONFIRMED])))
        case "status":
            status = rng.choice([ProgrammeStatus.ACTIVE, ProgrammeStatus.SANCTIONED, ProgrammeStatus.EXITED])
            exited = today - timedelta(days=rng.choice([0, 30, 31])) if status is ProgrammeStatus.EXITED else None
            session.execute(this.values(status=status, exited_on=exited))
        case "pause":
            until = rng.choice([None, today - timedelta(days=1), today, today + timedelta(days=1)])
            session.execute(this.values(outreach_paused_until=until))
        case "check_in_day":
            session.execute(this.values(check_in_day=rng.randint(0, 6)))
        case "hours":
            day = today - timedelta(days=rng.randint(1, 10))
            session.add(
                TimesheetEntry(
                    participant_id=participant,
                    day=day,
                    whole_week=False,
                    activity=Activity.EMPLOYMENT,
                    hours=4.0,
                    excuse=None,
                    state=EntryState.CONFIRMED,
                    message_id=None,
                    corrected_message_id=None,
                    confirmed_message_id=None,
                    reported_at=now,
                )
            )
        case "step":
            pending = (
                select(GoalStep.id)
                .join(Goal, Goal.id == GoalStep.goal_id)
                .where(Goal.participant_id == participant, Goal.status == GoalStatus.ACTIVE)
                .where(GoalStep.status == StepStatus.PENDING)
            )
            session.execute(update(GoalStep).where(GoalStep.id.in_(pending)).values(due_date=today))


def test_a_pass_among_the_changed_misses_nothing_a_whole_pass_would_queue(
    county: tuple[Service, FixedClock],
) -> None:
    service, clock = county
    rng = random.Random(19)
    assert service.sweep().total() > 400  # the first pass of the process: whole
    assert last_pass(service)[1]
    among_changed: Counter[str] = Counter()
    for _ in range(16):
        clock.advance(seconds=rng.choice(STEPS).total_seconds())
        live_a_little(service, rng, clock())
        queued = service.sweep()
        if not last_pass(service)[1]:
            among_changed += queued
        missed = service.sweep(whole=True)
        assert missed.total() == 0, f"a whole pass at {clock()} found what the pass before it missed: {missed}"
    # The passes that decided only for the changed did queue texts, of every kind of rule that
    # counts from a change or a moment.
    assert {"check_in", "reengage"} <= set(+among_changed), among_changed


def test_a_change_between_passes_is_seen_by_the_next_one(county: tuple[Service, FixedClock]) -> None:
    """A participant quiet for weeks writes just after the check-ins went out: their check-in is now
    owed, and the next pass (not a whole one) queues it."""
    service, clock = county
    service.sweep()
    with service.sessions.begin() as session:
        quiet = session.scalars(
            select(Participant.id)
            .where(Participant.check_in_day == 0, Participant.status == ProgrammeStatus.ACTIVE)
            .where(Participant.consent_state != ConsentState.OPTED_OUT, Participant.outreach_paused_until.is_(None))
            .where(Participant.time_zone == "America/Los_Angeles", Participant.last_heard_at < NOW - timedelta(days=40))
            .where(
                ~select(Outreach.id)
                .where(Outreach.participant_id == Participant.id, Outreach.occurrence == "2026-03-02+0")
                .exists()
            )
            .limit(1)
        ).one()
    clock.advance(minutes=5)
    with service.sessions.begin() as session:
        session.execute(update(Participant).where(Participant.id == quiet).values(last_heard_at=clock()))
    queued = service.sweep()
    assert not last_pass(service)[1], "a pass among the changed"
    assert queued["check_in"] == 1
    assert (quiet, "check_in", "2026-03-02+0") in outbox(service)
    with service.sessions.begin() as session:
        assert session.scalar(select(func.count(SweepChange.id))) == 0, "the changes seen are deleted"


def test_a_whole_pass_runs_again_once_the_last_is_a_day_old(county: tuple[Service, FixedClock]) -> None:
    service, clock = county
    service.sweep()
    for hours in (5, 10, 9):
        clock.advance(hours=hours)
        service.sweep()
        assert last_pass(service)[1] is (hours == 9), hours  # 24 hours after the first


# --- Killed half-way -------------------------------------------------------------------------------

#: One pass at a moment, in a process of its own, not a whole one; killed (SIGKILL, which no code
#: can catch) right after the commit named by the third argument has happened the given times.
PASS_KILLED_AFTER = """
import os, signal, sys
from datetime import datetime
from sqlalchemy import event
from bot.app import build_service
from bot.settings import Settings
url, moment, kill_after, times = sys.argv[1], datetime.fromisoformat(sys.argv[2]), sys.argv[3], int(sys.argv[4])
service = build_service(Settings(database_url=url), lambda: moment)
seen = {"statement": "", "count": 0}
def statement(connection, cursor, sql, *rest):
    if sql.startswith(kill_after):
        seen["statement"] = sql
def commit(connection):
    if seen["statement"]:
        seen["statement"], seen["count"] = "", seen["count"] + 1
        if seen["count"] == times:
            connection.connection.dbapi_connection.commit()
            os.kill(os.getpid(), signal.SIGKILL)
event.listen(service.engine, "before_cursor_execute", statement)
event.listen(service.engine, "commit", commit)
print(dict(service.sweep(whole=False)))
"""


def run_pass(url: str, moment: datetime, kill_after: str = "never", times: int = 0) -> int:
    root = Path(__file__).resolve().parent.parent
    script = [sys.executable, "-c", PASS_KILLED_AFTER, url, moment.isoformat(), kill_after, str(times)]
    return subprocess.run(script, cwd=root, capture_output=True).returncode


@pytest.mark.parametrize(
    ("kill_after", "times"),
    [("INSERT INTO outreach", 1), ("INSERT INTO sweep_passes", 1), ("DELETE FROM sweep_changes", 1)],
    ids=["after a batch of the outbox", "after the pass is recorded", "while the changes are deleted"],
)
def test_a_pass_killed_half_way_then_run_again_queues_what_an_uninterrupted_one_does(
    tmp_path: Path, kill_after: str, times: int
) -> None:
    """A whole pass at the seeded moment; then many participants move their check-in to Monday (so
    today's is owed them: several batches) and a pass among the changed runs three hours later,
    killed with SIGKILL half-way in one copy, uninterrupted in the other; a pass after the kill
    leaves the outbox equal to the uninterrupted one's."""
    reference, killed = tmp_path / "reference.sqlite3", tmp_path / "killed.sqlite3"
    url = f"sqlite:///{reference}"
    # Enough of them for the pass among the changed to copy several batches (COPY_BATCH).
    seed(url, 2500, weeks=4)
    service = build_service(Settings(database_url=url), FixedClock(NOW))
    service.sweep()
    with service.sessions.begin() as session:
        session.execute(
            update(Participant)
            .where(Participant.check_in_day != 0, Participant.last_heard_at > NOW - timedelta(days=20))
            .values(check_in_day=0)
        )
    service.close()
    with sqlite3.connect(reference) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(reference, killed)
    later = NOW + timedelta(hours=3)
    assert run_pass(url, later) == 0
    expected = outbox_of(reference)
    assert len(expected - outbox_of(killed)) > 2 * COPY_BATCH, "the pass among the changed queues several batches"
    assert run_pass(f"sqlite:///{killed}", later, kill_after, times) == -signal.SIGKILL
    assert run_pass(f"sqlite:///{killed}", later) == 0
    assert outbox_of(killed) == expected
    with sqlite3.connect(killed) as connection:
        assert connection.execute("SELECT count(*) FROM sweep_changes").fetchone() == (0,)


def outbox_of(path: Path) -> set[tuple[Any, ...]]:
    with sqlite3.connect(path) as connection:
        return set(connection.execute("SELECT participant_id, rule, occurrence, due_at, state FROM outreach"))
