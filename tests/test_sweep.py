"""The sweep: who is due for which outreach, queued once under (participant, rule, occurrence),
on a real database (SQLite, and PostgreSQL in CI), on a clock that moves only when told."""

import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.app import Service
from casefile.facts import EventRecord
from casefile.outreach import Outreach, OutreachState
from casefile.timesheets import TimesheetEntry
from casefile.vocabulary import Activity, ConsentState, EntryState, ProgrammeStatus
from tests.outreach import add_step, change, enrol, queued, rules_queued
from tests.support import FixedClock

MONDAY_9AM = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # 9:00 in California (the FixedClock's start)
LONG_AGO = MONDAY_9AM - timedelta(days=20)


def test_new_participants_are_welcomed_once_however_often_the_sweep_runs(service: Service, clock: FixedClock) -> None:
    first = service.sweep()
    assert first["welcome"] == 2, first  # the demo's Jordan and Guadalupe, enrolled just now
    assert service.sweep().total() == 0
    clock.advance(hours=3)
    assert service.sweep().total() == 0
    assert [row[:3] for row in queued(service)] == [("welcome", "2026-03-02+0", "queued")] * 2


def test_someone_who_wrote_first_needs_no_welcome(service: Service, clock: FixedClock) -> None:
    wrote = enrol(service, "Wrote", "+15105550111", clock(), last_heard_at=clock())
    service.sweep()
    assert rules_queued(service, wrote) == []


def test_sweeps_at_the_same_time_queue_each_outreach_once(service: Service, clock: FixedClock) -> None:
    for n in range(20):
        enrol(service, f"P{n}", f"+1510555{n:04d}", clock() - timedelta(hours=1))
    totals: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            totals.append(service.sweep().total())
        except BaseException as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(totals) == 22
    with service.sessions.begin() as session:
        assert len(session.scalars(select(Outreach)).all()) == 22


def test_the_weekly_check_in_goes_on_the_check_in_day_at_its_hour(service: Service, clock: FixedClock) -> None:
    monday = enrol(service, "Monday", "+15105550112", LONG_AGO, last_heard_at=LONG_AGO, check_in_day=0)
    tuesday = enrol(service, "Tuesday", "+15105550113", LONG_AGO, last_heard_at=LONG_AGO, check_in_day=1)
    service.sweep()
    assert rules_queued(service, monday) == []  # 9:00: the rule's hour is 10
    clock.advance(hours=1)
    service.sweep()
    assert queued(service, monday) == [("check_in", "2026-03-02+0", "queued", None)]
    assert rules_queued(service, tuesday) == []
    clock.advance(days=1)
    service.sweep()
    assert queued(service, tuesday) == [("check_in", "2026-03-03+0", "queued", None)]


def test_a_step_due_today_gets_its_reminder(service: Service, clock: FixedClock) -> None:
    stepping = enrol(service, "Step", "+15105550114", LONG_AGO, last_heard_at=LONG_AGO, check_in_day=3)
    add_step(service, stepping, date(2026, 3, 2), LONG_AGO)
    service.sweep()
    assert rules_queued(service, stepping) == ["step_due"]


def test_hours_are_asked_for_at_the_end_of_the_period_and_once_more_if_missing(
    service: Service, clock: FixedClock
) -> None:
    missing = enrol(service, "Missing", "+15105550115", LONG_AGO, last_heard_at=LONG_AGO, check_in_day=3)
    reported = enrol(service, "Reported", "+15105550116", LONG_AGO, last_heard_at=LONG_AGO, check_in_day=3)
    with service.sessions.begin() as session:
        session.add(
            TimesheetEntry(
                participant_id=reported,
                day=date(2026, 3, 4),
                whole_week=False,
                activity=Activity.JOB_SEARCH,
                hours=6,
                excuse=None,
                state=EntryState.CONFIRMED,
                message_id=None,
                reported_at=clock(),
                confirmed_at=clock(),
            )
        )
    clock.now = datetime(2026, 3, 9, 0, 0, tzinfo=UTC)  # Sunday 8 March, 17:00 in California
    service.sweep()
    assert queued(service, missing) == [("hours_due", "2026-03-08+0", "queued", None)]
    assert rules_queued(service, reported) == []
    clock.now = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)  # Tuesday, 11:00
    service.sweep()
    assert rules_queued(service, missing) == ["hours_due", "hours_missing"]
    assert rules_queued(service, reported) == []


def test_disengaged_participants_get_two_different_texts_a_week_apart_then_their_counselor_a_task(
    service: Service, clock: FixedClock
) -> None:
    quiet_since = MONDAY_9AM - timedelta(days=31)
    quiet = enrol(service, "Quiet", "+15105550117", quiet_since - timedelta(days=30), last_heard_at=quiet_since)
    clock.advance(hours=2)  # 11:00, the rule's hour
    service.sweep()
    service.dispatch()  # no sender in tests by default: the text waits in the outbox, the row is dispatched
    episode = quiet_since.strftime("%Y%m%dT%H%M%S")
    assert queued(service, quiet) == [("reengage", f"{episode}#1", "dispatched", None)]
    clock.advance(days=6)
    assert service.sweep()["reengage"] == 0
    clock.advance(days=1)
    service.sweep()
    service.dispatch()
    with service.sessions.begin() as session:
        templates = session.scalars(select(Outreach.template).where(Outreach.participant_id == quiet)).all()
    assert templates == ["outreach_reengage_first", "outreach_reengage_second"]
    clock.advance(days=2)
    service.sweep()
    service.dispatch()
    assert queued(service, quiet)[-1] == ("reengage", f"{episode}#task", "dispatched", None)
    with service.sessions.begin() as session:
        [task] = session.scalars(select(EventRecord).where(EventRecord.kind == "reengagement_task")).all()
        assert task.needs_counselor and task.payload["attempts"] == 2
    clock.advance(days=11)
    assert service.sweep().total() == 0  # 13 days after the second text
    clock.advance(days=1)
    service.sweep()
    assert queued(service, quiet)[-1] == ("reengage", f"{episode}#3", "queued", None)
    assert service.sweep().total() == 0


def test_two_unanswered_check_ins_count_as_disengaged_before_30_days(service: Service, clock: FixedClock) -> None:
    quiet_since = MONDAY_9AM - timedelta(days=16)
    missed = enrol(service, "Missed", "+15105550118", quiet_since - timedelta(days=30), last_heard_at=quiet_since)
    with service.sessions.begin() as session:
        for days_ago in (14, 7):
            sent = MONDAY_9AM - timedelta(days=days_ago)
            session.add(
                Outreach(
                    participant_id=missed,
                    rule="check_in",
                    occurrence=f"{sent.date()}+0",
                    kind="text",
                    template="outreach_check_in",
                    due_at=sent,
                    state=OutreachState.DISPATCHED,
                    created_at=sent,
                    state_at=sent,
                )
            )
    clock.advance(hours=2)
    service.sweep()
    assert rules_queued(service, missed)[-1] == "reengage"


def test_no_outreach_is_queued_for_someone_who_opted_out_or_is_paused(service: Service, clock: FixedClock) -> None:
    out = enrol(service, "Out", "+15105550119", clock(), consent_state=ConsentState.OPTED_OUT)
    paused = enrol(service, "Paused", "+15105550120", clock(), outreach_paused_until=date(2026, 3, 2))
    service.sweep()
    assert rules_queued(service, out) == rules_queued(service, paused) == []
    change(service, paused, outreach_paused_until=date(2026, 3, 1))
    service.sweep()
    assert rules_queued(service, paused) == ["welcome"]


def test_sanctioned_participants_hear_monthly_and_those_who_left_at_1_3_5_8_12_months(
    service: Service, clock: FixedClock
) -> None:
    sanctioned = enrol(
        service, "Sanctioned", "+15105550121", LONG_AGO, last_heard_at=LONG_AGO, status=ProgrammeStatus.SANCTIONED
    )
    exited = enrol(
        service,
        "Exited",
        "+15105550122",
        LONG_AGO - timedelta(days=300),
        last_heard_at=LONG_AGO,
        status=ProgrammeStatus.EXITED,
        exited_on=date(2026, 1, 31),
    )
    clock.advance(hours=2)
    service.sweep()
    # Monday 2 March is March's first business day; 31 January + 1 month is 28 February, 7 days late allowed.
    assert queued(service, sanctioned) == [("sanctioned_monthly", "2026-03-01+0", "queued", None)]
    assert queued(service, exited) == [("exit_follow_up", "2026-01-31+1", "queued", None)]
    clock.now = datetime(2026, 4, 1, 18, 0, tzinfo=UTC)
    service.sweep()
    assert rules_queued(service, sanctioned) == ["sanctioned_monthly", "sanctioned_monthly"]
    clock.now = datetime(2026, 4, 30, 18, 0, tzinfo=UTC)
    service.sweep()
    assert [occurrence for _, occurrence, *_ in queued(service, exited)] == ["2026-01-31+1", "2026-01-31+3"]
