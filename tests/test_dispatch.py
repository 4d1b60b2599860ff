"""The dispatcher: due outreach becomes texts sent through the real twilio Client to a fake Twilio on
127.0.0.1, within the participant's hours, never after STOP, recorded before it is sent, retried
with backoff, and every attempt documented."""

import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import Service, build_service
from bot.demo import seed_demo
from bot.inbox import Inbound
from bot.settings import Settings
from casefile.contacts import Contact
from casefile.enrolment import add_counselor
from casefile.facts import EventRecord
from casefile.messages import Message
from casefile.outreach import (
    Outreach,
    OutreachChangeRefused,
    OutreachState,
    cancel_by_counselor,
    edit_queued,
    pause_outreach,
)
from casefile.people import Participant, find_counselor_by_email
from casefile.vocabulary import Channel, ConsentState, MessageStatus
from scheduler.dispatch import plan_due
from scheduler.outbox import MAX_ATTEMPTS, RateLimiter, retry_delay
from tests.fake_twilio import WAYPOINT, FakeTwilio, Planned, midday_zone, run_fake_twilio, waypoint_environment
from tests.outreach import enrol, queued
from tests.support import ENGLISH_PHONE, SPANISH_PHONE, FixedClock

ACCOUNT = "AC" + "c" * 32


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    yield from run_fake_twilio()


def with_twilio(settings: Settings, twilio: FakeTwilio) -> Settings:
    return replace(
        settings,
        twilio_account_sid=ACCOUNT,
        twilio_from_number="+15105559999",
        twilio_api_base_url=twilio.url,
        sms_per_second=1000.0,
    )


def welcomes_due(settings: Settings, clock: FixedClock, twilio: FakeTwilio, people: list[tuple[str, str]]) -> Service:
    """The demo caseload and `people` (first name, phone) enrolled an hour ago, their welcomes
    queued by a sweep: a service whose dispatcher has texts to send to the fake Twilio now."""
    built = build_service(with_twilio(settings, twilio), clock)
    with built.sessions.begin() as session:
        seed_demo(session, settings.timezone, clock())
    for name, phone in people:
        enrol(built, name, phone, clock() - timedelta(hours=1))
    built.sweep()
    return built


@pytest.fixture
def sender(settings: Settings, clock: FixedClock, twilio: FakeTwilio) -> Iterator[Service]:
    """The service with Twilio's sender set: the demo's Jordan (en) and Guadalupe (es), enrolled now."""
    built = build_service(with_twilio(settings, twilio), clock)
    with built.sessions.begin() as session:
        seed_demo(session, settings.timezone, clock())
    yield built
    built.close()


def sent_to(twilio: FakeTwilio) -> list[str]:
    return [form["To"] for _, _, form in twilio.requests]


def events(service: Service, kind: str) -> list[EventRecord]:
    with service.sessions.begin() as session:
        return list(session.scalars(select(EventRecord).where(EventRecord.kind == kind).order_by(EventRecord.id)))


def test_the_welcome_goes_out_once_recorded_before_it_is_sent_and_documented(
    sender: Service, clock: FixedClock, twilio: FakeTwilio
) -> None:
    sender.sweep()
    done = sender.dispatch()
    assert (done["send"], done["sent"]) == (2, 2)
    assert sorted(sent_to(twilio)) == [ENGLISH_PHONE, SPANISH_PHONE]
    bodies = {form["To"]: form["Body"] for _, _, form in twilio.requests}
    assert bodies[ENGLISH_PHONE].startswith("Hi Jordan! This is Alameda County CalWORKs.")
    assert bodies[SPANISH_PHONE].startswith("¡Hola, Guadalupe!")
    assert sender.sweep().total() == 0 and sender.dispatch().total() == 0
    assert len(twilio.requests) == 2
    with sender.sessions.begin() as session:
        messages = session.scalars(select(Message).where(Message.outreach_id.is_not(None))).all()
        assert {m.status for m in messages} == {MessageStatus.SENT}
        contacts = session.scalars(select(Contact)).all()
        assert {c.opened_by for c in contacts} == {"outreach"}
    attempts = events(sender, "outreach_attempt")
    assert [(e.payload["rule"], e.payload["outcome"], e.payload["channel"]) for e in attempts] == [
        ("welcome", "sent", "sms")
    ] * 2
    assert all(e.message_id is not None and e.contact_id is not None for e in attempts)


def test_nothing_goes_at_night_it_waits_for_8am_on_the_participants_clock(
    sender: Service, clock: FixedClock, twilio: FakeTwilio
) -> None:
    clock.now = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)  # Monday 22:30 in California
    sender.sweep()
    assert sender.dispatch()["defer"] == 2
    assert twilio.requests == []
    assert {reason for *_, reason in queued(sender)} == {"quiet_hours"}
    clock.now = datetime(2026, 3, 3, 15, 59, tzinfo=UTC)  # 7:59
    assert sender.dispatch().total() == 0
    clock.now = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)  # 8:00
    assert sender.dispatch()["sent"] == 2


def test_a_text_held_past_9pm_by_a_retry_waits_for_the_morning(
    sender: Service, clock: FixedClock, twilio: FakeTwilio
) -> None:
    sender.sweep()
    twilio.plan.extend([Planned(status=503, error_code=20503)] * 2)
    assert sender.dispatch()["queued"] == 2  # back in the queue, to retry after a backoff
    clock.now = datetime(2026, 3, 3, 5, 30, tzinfo=UTC)  # 21:30
    assert sender.dispatch().total() == 0
    with sender.sessions.begin() as session:
        retry = {m.retry_at for m in session.scalars(select(Message).where(Message.outreach_id.is_not(None)))}
    assert retry == {datetime(2026, 3, 3, 16, 0, tzinfo=UTC)}
    clock.now = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
    assert sender.dispatch()["sent"] == 2
    assert len(twilio.requests) == 4


def test_transient_errors_back_off_with_jitter_then_give_up_and_say_so(
    sender: Service, clock: FixedClock, twilio: FakeTwilio
) -> None:
    enrolled = clock()
    sender.sweep()
    twilio.plan.extend([Planned(status=503, error_code=20503)] * (2 * MAX_ATTEMPTS))
    sender.dispatch()
    for _ in range(MAX_ATTEMPTS * 2):
        assert sender.dispatch().total() == 0  # not before its retry time
        clock.advance(hours=1)
        sender.dispatch()
    assert len(twilio.requests) == 2 * MAX_ATTEMPTS
    assert [e.payload["outcome"] for e in events(sender, "outreach_attempt")] == ["failed", "failed"]
    assert clock() - enrolled < timedelta(days=1)
    delays = [retry_delay(n) for n in range(1, 9)]
    assert timedelta(seconds=15) <= delays[0] <= timedelta(seconds=30) and delays[-1] <= timedelta(hours=1)


def test_an_opt_out_reported_by_the_provider_cancels_all_queued_outreach(
    sender: Service, clock: FixedClock, twilio: FakeTwilio
) -> None:
    jordan = participant_id(sender, ENGLISH_PHONE)
    sender.sweep()
    with sender.sessions.begin() as session:
        session.add(later_outreach(jordan, clock()))
    twilio.plan.append(Planned(status=400, error_code=21610))
    sender.dispatch(workers=1)
    with sender.sessions.begin() as session:
        consent = session.get_one(Participant, jordan).consent_state
        rows = session.scalars(select(Outreach).where(Outreach.participant_id == jordan)).all()
    assert consent is ConsentState.OPTED_OUT
    assert sorted((row.rule, row.state.value) for row in rows) == [("check_in", "cancelled"), ("welcome", "dispatched")]


def test_a_stop_texted_after_queueing_cancels_the_outreach_before_it_goes(
    sender: Service, clock: FixedClock, twilio: FakeTwilio
) -> None:
    sender.sweep()
    sender.inbox.receive(inbound(ENGLISH_PHONE, "STOP", "SMstop", clock()), MessageStatus.SENT)
    assert queued(sender, participant_id(sender, ENGLISH_PHONE)) == [
        ("welcome", "2026-03-02+0", "cancelled", "opted_out")
    ]
    sender.dispatch()
    assert sent_to(twilio) == [SPANISH_PHONE]


def test_a_text_already_made_from_outreach_is_not_sent_after_an_opt_out(
    sender: Service, clock: FixedClock, twilio: FakeTwilio
) -> None:
    clock.now = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)  # at night: the texts are not made yet
    sender.sweep()
    clock.now = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
    rules = {rule.name: rule for rule in sender.rules}
    plan_due(sender.sessions, rules, sender.calendar, sender.renderer, clock())  # made, not yet sent
    with sender.sessions.begin() as session:
        session.get_one(Participant, participant_id(sender, ENGLISH_PHONE)).consent_state = ConsentState.OPTED_OUT
    assert sender.dispatch()["failed"] == 1
    assert sent_to(twilio) == [SPANISH_PHONE]


def test_a_bad_number_is_flagged_for_the_counselor(sender: Service, clock: FixedClock, twilio: FakeTwilio) -> None:
    sender.sweep()
    twilio.plan.append(Planned(status=400, error_code=30006))
    sender.dispatch(workers=1)
    [flag] = events(sender, "delivery_failed")
    assert flag.needs_counselor and flag.payload == {"channel": "sms", "code": "30006"}


def test_a_reply_answers_the_outreach_and_stops_a_reengagement_sequence(
    sender: Service, clock: FixedClock, twilio: FakeTwilio
) -> None:
    quiet_since = clock() - timedelta(days=40)
    quiet = enrol(sender, "Quiet", "+15105550130", quiet_since - timedelta(days=10), last_heard_at=quiet_since)
    clock.advance(hours=2)
    sender.sweep()
    sender.dispatch()
    clock.advance(days=7)
    sender.sweep()
    assert queued(sender, quiet)[-1][2] == "queued"  # the second attempt, not yet sent
    sender.inbox.receive(inbound("+15105550130", "sorry, been busy", "SMreply", clock()), MessageStatus.SENT)
    assert [state for _, _, state, _ in queued(sender, quiet)] == ["dispatched", "cancelled"]
    answered = [e.payload["rule"] for e in events(sender, "outreach_answered")]
    assert "reengage" in answered
    clock.advance(days=29)  # quiet again, but not yet for 30 days
    sender.sweep()
    assert [rule for rule, *_ in queued(sender, quiet)].count("reengage") == 2


def test_mid_conversation_a_check_in_is_skipped_a_reminder_waits_and_no_welcome_follows_a_reply(
    sender: Service, clock: FixedClock, twilio: FakeTwilio
) -> None:
    sender.sweep()
    sender.inbox.receive(inbound(ENGLISH_PHONE, "YES", "SMyes", clock()), MessageStatus.SENT)
    sender.inbox.receive(inbound(ENGLISH_PHONE, "2", "SMmid", clock()), MessageStatus.SENT)  # mid-report
    with sender.sessions.begin() as session:
        jordan = participant_id(sender, ENGLISH_PHONE)
        session.add(later_outreach(jordan, clock(), rule="check_in"))
        session.add(later_outreach(jordan, clock(), rule="hours_due", occurrence="2026-03-01+0"))
    done = sender.dispatch()
    # The check-in is skipped, the hours reminder waits, and the welcome is not needed: Jordan wrote.
    assert (done["skip"], done["defer"]) == (2, 1)
    reasons = {rule: (state, reason) for rule, _, state, reason in queued(sender, jordan)}
    assert reasons == {
        "welcome": ("skipped", "in_touch"),
        "check_in": ("skipped", "busy"),
        "hours_due": ("queued", "busy"),
    }


def test_one_outreach_text_a_day_the_rest_wait_for_tomorrow(
    sender: Service, clock: FixedClock, twilio: FakeTwilio
) -> None:
    jordan = participant_id(sender, ENGLISH_PHONE)
    sender.sweep()
    with sender.sessions.begin() as session:
        session.add(later_outreach(jordan, clock(), rule="hours_due", occurrence="2026-03-01+0"))
    sender.dispatch()
    assert sent_to(twilio).count(ENGLISH_PHONE) == 1
    clock.now = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
    sender.dispatch()
    assert sent_to(twilio).count(ENGLISH_PHONE) == 2


def test_counselors_edit_cancel_and_pause_on_their_caseload_only(
    sender: Service, clock: FixedClock, twilio: FakeTwilio
) -> None:
    clock.now = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)  # at night: the welcomes wait in the queue
    sender.sweep()
    sender.dispatch()
    jordan, guadalupe = participant_id(sender, ENGLISH_PHONE), participant_id(sender, SPANISH_PHONE)
    with sender.sessions.begin() as session:
        dana = find_counselor_by_email(session, "dana.lee@example.org")
        other = add_counselor(session, "Sam", "Ortiz", "sam.ortiz@example.org", None, clock())
        assert dana is not None
        rows = {row.participant_id: row.id for row in session.scalars(select(Outreach))}
        with pytest.raises(OutreachChangeRefused, match="no outreach"):
            edit_queued(session, rows[jordan], other.id, "Hello", clock())
        edit_queued(session, rows[jordan], dana.id, "Hi Jordan, it's Dana. Text me back when you can!", clock())
        cancel_by_counselor(session, rows[guadalupe], dana.id, clock())
        with pytest.raises(OutreachChangeRefused, match="cancelled"):
            cancel_by_counselor(session, rows[guadalupe], dana.id, clock())
        pause_outreach(session, session.get_one(Participant, jordan), dana.id, date(2026, 3, 10), clock())
        with pytest.raises(OutreachChangeRefused):
            pause_outreach(session, session.get_one(Participant, jordan), other.id, None, clock())
    clock.now = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
    assert sender.dispatch()["skip"] == 1  # paused through the 10th
    assert twilio.requests == []
    with sender.sessions.begin() as session:
        dana = find_counselor_by_email(session, "dana.lee@example.org")
        assert dana is not None
        pause_outreach(session, session.get_one(Participant, jordan), dana.id, None, clock())
        session.add(later_outreach(jordan, clock(), body="Hi Jordan, it's Dana. Text me back when you can!"))
    sender.dispatch()
    assert [form["Body"] for _, _, form in twilio.requests] == ["Hi Jordan, it's Dana. Text me back when you can!"]
    changes = [
        (e.payload["action"], e.payload["before"], e.payload["after"]) for e in events(sender, "outreach_changed")
    ]
    assert changes == [
        ("edit", "template outreach_welcome", "Hi Jordan, it's Dana. Text me back when you can!"),
        ("cancel", None, None),
        ("pause", None, "2026-03-10"),
        ("resume", "2026-03-10", None),
    ]


def test_two_dispatchers_at_once_turn_each_outreach_into_one_text(
    sender: Service, clock: FixedClock, twilio: FakeTwilio
) -> None:
    for n in range(30):
        enrol(sender, f"P{n}", f"+1510555{n + 2000:04d}", clock() - timedelta(hours=1))
    sender.sweep()
    threads = [threading.Thread(target=sender.dispatch) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(twilio.requests) == 32
    assert len(set(sent_to(twilio))) == 32


def test_the_rate_limiter_spreads_sends_evenly() -> None:
    now = [0.0]
    limiter = RateLimiter(10, clock=lambda: now[0])
    waits = [limiter.reserve() for _ in range(21)]
    slots = [wait + 0.0 for wait in waits]
    # Any 1-second window holds at most 10 slots: the 11th is more than a second after the 1st.
    assert all(slots[i + 10] - slots[i] > 1.0 for i in range(11))
    now[0] = 10.0
    assert limiter.reserve() == 0.0  # idle time is not saved up for a burst


def test_a_send_that_began_late_does_not_let_the_next_ones_bunch_into_one_second() -> None:
    """On a loaded machine the first send of a group can begin late (its claim took 50 ms) and the
    next ones on their slots: counted as they begin, no second holds more than ten."""
    now = [0.0]
    limiter = RateLimiter(10, clock=lambda: now[0])
    began = []
    for k in range(30):
        now[0] = k * 0.102 + (0.05 if k == 0 else 0.0)
        began.append(now[0] + limiter.admit())
    assert all(began[i + 10] - began[i] >= 1.0 for i in range(20))
    assert began[1:10] == [k * 0.102 for k in range(1, 10)]  # on time, they wait for nothing


def test_killed_between_claim_and_send_the_restarted_dispatcher_sends_exactly_once(
    tmp_path: Path, twilio: FakeTwilio
) -> None:
    """`waypoint dispatch` in its own process at 0.5 texts a second: killed (SIGKILL) while the
    second text waits for its slot (claimed, recorded, not sent), then run again."""
    url = f"sqlite:///{tmp_path / 'kill.sqlite3'}"
    env = waypoint_environment(url, twilio, ACCOUNT, WAYPOINT_SMS_PER_SECOND="0.2")
    now = datetime.now(UTC)
    zone = midday_zone(now)
    service = build_service(Settings(database_url=url))
    try:
        with service.sessions.begin() as session:
            seed_demo(session, zone, now - timedelta(days=3))
            # Check-ins (counted in days) due now: whatever day CI runs on, they may go.
            for participant in session.scalars(select(Participant.id)):
                session.add(later_outreach(participant, now))
    finally:
        service.close()
    dispatcher = subprocess.Popen([*WAYPOINT, "dispatch", "--workers", "1"], env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not twilio.requests and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # the second text is claimed and waiting for its slot (5 s at 0.2 a second)
    dispatcher.send_signal(signal.SIGKILL)
    dispatcher.wait()
    assert len(twilio.requests) == 1
    env["WAYPOINT_SMS_PER_SECOND"] = "10"
    subprocess.run([*WAYPOINT, "dispatch"], env=env, check=True, capture_output=True)
    assert sorted(sent_to(twilio)) == [ENGLISH_PHONE, SPANISH_PHONE]
    subprocess.run([*WAYPOINT, "dispatch"], env=env, check=True, capture_output=True)
    assert len(twilio.requests) == 2


# --- helpers --------------------------------------------------------------------------------------


def participant_id(service: Service, phone: str) -> int:
    with service.sessions.begin() as session:
        return session.scalars(select(Participant.id).where(Participant.phone == phone)).one()


def later_outreach(
    participant: int, at: datetime, rule: str = "check_in", occurrence: str = "2026-03-02+0", body: str | None = None
) -> Outreach:
    templates = {"check_in": "outreach_check_in", "hours_due": "outreach_hours_due"}
    return Outreach(
        participant_id=participant,
        rule=rule,
        occurrence=occurrence if body is None else "edited",
        kind="text",
        template=templates[rule],
        due_at=at,
        state=OutreachState.QUEUED,
        body=body,
        created_at=at,
        state_at=at,
    )


def inbound(phone: str, text: str, sid: str, at: datetime) -> Inbound:
    return Inbound(Channel.SMS, phone, text, sid, at)
