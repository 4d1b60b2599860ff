"""The dispatcher in short batches (issue 19): it decides without the write lock and writes a batch
at a time, so what happens between the read and a batch, or between two batches, must leave
nothing sent after STOP, nothing sent twice and nothing half-done. Through the real twilio Client
to the fake Twilio on 127.0.0.1, on SQLite and PostgreSQL."""

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, make_url, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.app import Service, build_service
from bot.demo import seed_demo
from bot.settings import Settings
from casefile.database import make_engine, reading, session_factory
from casefile.messages import Message
from casefile.outreach import Outreach, OutreachState, pause_outreach
from casefile.people import Participant, find_counselor_by_email
from casefile.vocabulary import Channel, MessageStatus
from scheduler.dispatch import plan_due, read_plans, write_plans
from scheduler.outbox import send_queued
from tests.fake_twilio import WAYPOINT, FakeTwilio, Planned, midday_zone, run_fake_twilio, waypoint_environment
from tests.outreach import enrol
from tests.support import ENGLISH_PHONE, SPANISH_PHONE, FixedClock
from tests.test_dispatch import ACCOUNT, later_outreach, participant_id, sent_to, welcomes_due
from tests.test_hostile_delivery import texted

#: Six more participants enrolled an hour ago, so that a pass has several batches to write.
PHONES = [f"+1510555{n:04d}" for n in range(3100, 3106)]


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    yield from run_fake_twilio()


@pytest.fixture
def sender(settings: Settings, clock: FixedClock, twilio: FakeTwilio) -> Iterator[Service]:
    """The demo's Jordan (en) and Guadalupe (es) and six others, their welcomes due now."""
    names = ["Ana", "Luis", "Mai", "Tom", "Rosa", "Kim"]
    built = welcomes_due(settings, clock, twilio, list(zip(names, PHONES, strict=True)))
    yield built
    built.close()


def texts_per_outreach(service: Service) -> dict[int, int]:
    """How many messages each outreach row made (a row must make one at most)."""
    with service.sessions.begin() as session:
        rows = session.execute(
            select(Message.outreach_id, func.count(Message.id))
            .where(Message.outreach_id.is_not(None))
            .group_by(Message.outreach_id)
        ).all()
    return {outreach_id: count for outreach_id, count in rows if outreach_id is not None}


def states(service: Service) -> dict[int, OutreachState]:
    with service.sessions.begin() as session:
        return {row.id: row.state for row in session.scalars(select(Outreach))}


def test_a_stop_between_the_read_and_the_write_queues_and_sends_nothing_to_them(
    sender: Service, clock: FixedClock, twilio: FakeTwilio
) -> None:
    rules = {rule.name: rule for rule in sender.rules}
    with reading(sender.sessions) as session:
        plans = read_plans(session, rules, sender.calendar, sender.renderer, clock())
    assert len([plan for plan in plans if plan.text is not None]) == 8  # Jordan's welcome made too
    texted(sender, ENGLISH_PHONE, "STOP", "SM-stop-between")
    decided = write_plans(sender.sessions, plans, rules, sender.calendar, sender.renderer, clock())
    assert decided["send"] == 7
    jordan = participant_id(sender, ENGLISH_PHONE)
    with sender.sessions.begin() as session:
        to_jordan = session.scalars(
            select(Message.body).where(Message.participant_id == jordan, Message.outreach_id.is_not(None))
        ).all()
    assert to_jordan == []
    sender.dispatch()
    assert ENGLISH_PHONE not in sent_to(twilio)
    assert sorted(sent_to(twilio)) == sorted([SPANISH_PHONE, *PHONES])


def test_a_pause_between_the_read_and_the_write_is_decided_again_in_the_batch(
    sender: Service, clock: FixedClock, twilio: FakeTwilio
) -> None:
    """A counselor's pause leaves the rows queued (they are skipped when due): only the batch's own
    reading of the participant can see it."""
    rules = {rule.name: rule for rule in sender.rules}
    with reading(sender.sessions) as session:
        plans = read_plans(session, rules, sender.calendar, sender.renderer, clock())
    guadalupe = participant_id(sender, SPANISH_PHONE)
    with sender.sessions.begin() as session:
        dana = find_counselor_by_email(session, "dana.lee@example.org")
        assert dana is not None
        pause_outreach(session, session.get_one(Participant, guadalupe), dana.id, date(2026, 3, 10), clock())
    decided = write_plans(sender.sessions, plans, rules, sender.calendar, sender.renderer, clock())
    assert (decided["send"], decided["skip"]) == (7, 1)
    with sender.sessions.begin() as session:
        [(state, reason)] = session.execute(
            select(Outreach.state, Outreach.reason).where(Outreach.participant_id == guadalupe)
        ).all()
    assert (state, reason) == (OutreachState.SKIPPED, "paused")
    sender.dispatch()
    assert SPANISH_PHONE not in sent_to(twilio) and len(twilio.requests) == 7


def test_rows_are_written_a_few_at_a_time_and_each_makes_one_text(sender: Service, clock: FixedClock) -> None:
    rules = {rule.name: rule for rule in sender.rules}
    commits: list[int] = []
    event.listen(sender.sessions, "after_commit", lambda session: commits.append(1))
    decided = plan_due(sender.sessions, rules, sender.calendar, sender.renderer, clock(), rows_per_commit=3)
    assert decided["send"] == 8 and len(commits) >= 3
    assert set(texts_per_outreach(sender).values()) == {1} and len(texts_per_outreach(sender)) == 8


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_database_locked_by_another_writer_between_batches_leaves_the_rest_for_the_next_pass(
    sender: Service, clock: FixedClock, twilio: FakeTwilio, database_url: str
) -> None:
    """Another writer takes SQLite's lock after the first batch and holds it past the dispatcher's
    wait: that batch fails whole, the first stays written, and the next pass finishes the rest."""
    engine = make_engine(database_url, lock_wait_ms=200)
    sessions = session_factory(engine)
    holder = sqlite3.connect(make_url(database_url).database or "", isolation_level=None, check_same_thread=False)

    def lock_after_first_batch(session: Session) -> None:
        if not holder.in_transaction:
            holder.execute("BEGIN IMMEDIATE")

    event.listen(sessions, "after_commit", lock_after_first_batch)
    rules = {rule.name: rule for rule in sender.rules}
    try:
        with pytest.raises(OperationalError, match="locked"):
            plan_due(sessions, rules, sender.calendar, sender.renderer, clock(), rows_per_commit=3)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        engine.dispose()
    # The first batch took three rows, or fewer if it ran out of its time budget first.
    made = texts_per_outreach(sender)
    assert 1 <= len(made) <= 3 and set(made.values()) == {1}
    left = [state for row_id, state in states(sender).items() if row_id not in made]
    assert left == [OutreachState.QUEUED] * (8 - len(made))
    sender.dispatch()
    assert set(texts_per_outreach(sender).values()) == {1} and len(texts_per_outreach(sender)) == 8
    assert sorted(sent_to(twilio)) == sorted([ENGLISH_PHONE, SPANISH_PHONE, *PHONES])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_database_locked_when_a_group_is_recorded_leaves_its_texts_sending_never_resent(
    sender: Service, clock: FixedClock, twilio: FakeTwilio, database_url: str
) -> None:
    """The texts left; the record of it could not be written. They stay SENDING, are not sent
    again by the next pass, and are found at Twilio once they have had time to show there."""
    rules = {rule.name: rule for rule in sender.rules}
    plan_due(sender.sessions, rules, sender.calendar, sender.renderer, clock())
    engine = make_engine(database_url, lock_wait_ms=200)
    sessions = session_factory(engine)
    holder = sqlite3.connect(make_url(database_url).database or "", isolation_level=None, check_same_thread=False)
    twilio.plan.extend([Planned(delay=0.5)] * 8)

    def hold_the_lock_once_all_arrived() -> None:
        deadline = time.monotonic() + 10
        while len(twilio.requests) < 8 and time.monotonic() < deadline:
            time.sleep(0.005)
        holder.execute("BEGIN IMMEDIATE")

    locker = threading.Thread(target=hold_the_lock_once_all_arrived)
    locker.start()
    transports = sender.transports()
    try:
        with pytest.raises(OperationalError, match="locked"):
            send_queued(sessions, transports, clock, workers=8)
    finally:
        locker.join()
        holder.execute("ROLLBACK")
        holder.close()
        engine.dispose()
    with sender.sessions.begin() as session:
        statuses = set(session.scalars(select(Message.status).where(Message.outreach_id.is_not(None))))
    assert statuses == {MessageStatus.SENDING}
    sender.dispatch()
    assert len(twilio.requests) == 8
    clock.advance(minutes=3)
    assert sender.dispatch()["sent"] == 8
    assert len(twilio.requests) == 8 and len(twilio.created) == 8


@pytest.mark.parametrize("accepted", [False, True], ids=["never-taken", "taken"])
def test_twilio_timing_out_on_one_text_of_a_group_never_sends_it_twice(
    sender: Service, clock: FixedClock, twilio: FakeTwilio, accepted: bool
) -> None:
    """One text of the group hangs past the client's 10 s timeout; the others go. It stays SENDING
    (whether it left is unknown), is not resent by the next pass, and is settled with Twilio: found,
    it is SENT; never taken, it is sent once more."""
    twilio.plan.extend([Planned(), Planned(), Planned(delay=11, accepted=accepted)])
    done = sender.dispatch(workers=4)
    assert done["sent"] == 7
    with sender.sessions.begin() as session:
        [(hung, to)] = session.execute(
            select(Message.id, Message.address).where(Message.status == MessageStatus.SENDING)
        ).all()
    assert sender.dispatch().total() == 0 and len(twilio.requests) == 8
    clock.advance(minutes=3)
    settled = sender.dispatch()
    assert settled["sent"] == 1
    assert len(twilio.created) == 8 and sorted(held.to for held in twilio.created) == sorted(
        [ENGLISH_PHONE, SPANISH_PHONE, *PHONES]
    )
    assert sent_to(twilio).count(to) == (1 if accepted else 2)
    with sender.sessions.begin() as session:
        assert session.get_one(Message, hung).status is MessageStatus.SENT


KILLED_AFTER_FIRST_BATCH = """
import os, signal, sys
from datetime import UTC, datetime
from sqlalchemy import event
from bot.app import build_service
from bot.settings import Settings
from scheduler.dispatch import plan_due

service = build_service(Settings.from_env())
event.listen(service.sessions, "after_commit", lambda session: os.kill(os.getpid(), signal.SIGKILL))
rules = {rule.name: rule for rule in service.rules}
plan_due(service.sessions, rules, service.calendar, service.renderer, datetime.now(UTC), rows_per_commit=3)
"""


def test_a_dispatcher_killed_between_batches_leaves_whole_rows_and_the_next_pass_finishes_them(
    tmp_path: Path, twilio: FakeTwilio
) -> None:
    """`plan_due` in its own process, killed (SIGKILL) right after its first batch committed: its
    rows are dispatched, each with its one text, the others untouched; `waypoint dispatch` then
    sends every check-in exactly once."""
    url = f"sqlite:///{tmp_path / 'killed.sqlite3'}"
    env = waypoint_environment(url, twilio, ACCOUNT)
    now = datetime.now(UTC)
    zone = midday_zone(now)
    service = build_service(Settings(database_url=url))
    try:
        with service.sessions.begin() as session:
            seed_demo(session, zone, now - timedelta(days=3))
        for n, phone in enumerate(PHONES):
            enrol(service, f"P{n}", phone, now - timedelta(days=3), time_zone=zone)
        with service.sessions.begin() as session:
            # Check-ins (counted in days) due now: whatever day CI runs on, they may go.
            for participant in session.scalars(select(Participant.id)):
                session.add(later_outreach(participant, now))
        killed = subprocess.run([sys.executable, "-c", KILLED_AFTER_FIRST_BATCH], env=env, capture_output=True)
        assert killed.returncode == -9, killed.stderr.decode()
        made = texts_per_outreach(service)  # three rows, or fewer if the batch ran out of its time budget
        assert 1 <= len(made) <= 3 and set(made.values()) == {1}
        after_kill = states(service)
        assert {after_kill[row_id] for row_id in made} == {OutreachState.DISPATCHED}
        assert [state for row_id, state in after_kill.items() if row_id not in made] == [OutreachState.QUEUED] * (
            8 - len(made)
        )
        assert twilio.requests == []
        subprocess.run([*WAYPOINT, "dispatch"], env=env, check=True, capture_output=True)
        subprocess.run([*WAYPOINT, "dispatch"], env=env, check=True, capture_output=True)
        assert set(states(service).values()) == {OutreachState.DISPATCHED}
        assert set(texts_per_outreach(service).values()) == {1} and len(texts_per_outreach(service)) == 8
        assert sorted(sent_to(twilio)) == sorted([ENGLISH_PHONE, SPANISH_PHONE, *PHONES])
        with service.sessions.begin() as session:
            assert set(session.scalars(select(Message.status).where(Message.channel == Channel.SMS))) == {
                MessageStatus.SENT
            }
    finally:
        service.close()
