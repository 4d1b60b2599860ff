"""Handoffs end to end, through every channel (SMS webhook, Telegram webhook, console) on a real
database: asked for, waited on, closed by the counselor; STOP still stops; scheduled texts wait."""

from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import Service
from casefile.conversation import ConversationRecord
from casefile.facts import EventRecord
from casefile.handoffs import Handoff, HandoffReason, close_handoff, open_handoff_of, open_handoffs_for
from casefile.messages import Message
from casefile.people import Counselor, find_counselor_by_email, find_participant_by_phone
from casefile.vocabulary import Direction, MessageStatus, Role
from tests.channels import Adapter
from tests.fake_twilio import FakeTwilio
from tests.outreach import queued
from tests.support import ENGLISH_PHONE, FixedClock
from tests.test_dispatch import inbound, later_outreach, participant_id, sender, twilio  # noqa: F401 (fixtures)

DANA = "dana.lee@example.org"


def jordan(service: Service) -> tuple[int, int]:
    """Jordan's id, and their counselor Dana's."""
    with service.sessions.begin() as session:
        person = find_participant_by_phone(session, ENGLISH_PHONE)
        assert person is not None
        return person.id, person.counselor_id


def kinds(service: Service, participant: int) -> list[tuple[str, bool]]:
    with service.sessions.begin() as session:
        rows = session.execute(
            select(EventRecord.kind, EventRecord.needs_counselor)
            .where(EventRecord.participant_id == participant)
            .order_by(EventRecord.id)
        )
        return [(kind, needs) for kind, needs in rows]


def test_asked_for_a_person_the_bot_waits_and_resumes_where_they_were_once_closed(
    adapter: Adapter, service: Service, clock: FixedClock
) -> None:
    adapter.send("YES", "m1")
    [question] = adapter.send("1", "m2")
    [opened] = adapter.send("can i talk to my worker", "m3")
    assert opened.startswith("OK. Dana Lee will answer you today, during office hours.")
    assert adapter.send("hello? anyone there", "m4") == ["Thanks. I passed this to Dana Lee, who will answer you."]
    participant, dana = jordan(service)
    with service.sessions.begin() as session:
        handoff = open_handoff_of(session, participant)
        assert handoff is not None and handoff.reason is HandoffReason.PERSON_REQUESTED
        assert [row.first_name for row in open_handoffs_for(session, dana)] == ["Jordan"]
    assert kinds(service, participant)[-2:] == [("handoff_requested", True), ("handoff_message", True)]

    clock.advance(days=2)  # longer than a flow is kept: the counselor's answer took its time
    with service.sessions.begin() as session:
        assert close_handoff(session, participant, dana, clock())
        assert not close_handoff(session, participant, dana, clock()), "closed once"
        row = session.scalars(select(Handoff).where(Handoff.participant_id == participant)).one()
        assert (row.closed_by, row.closed_at) == (dana, clock())
    # Back where Jordan was: the goal question is answered, not met with a menu.
    [next_question] = adapter.send("get my GED", "m5")
    assert next_question != question and not next_question.startswith(("Sorry", "It's been a while"))
    with service.sessions.begin() as session:
        assert (
            session.scalars(
                select(ConversationRecord.flow).where(ConversationRecord.participant_id == participant)
            ).one()
            == "goal"
        )
    assert ("handoff_closed", False) in kinds(service, participant)


def test_stop_during_a_safety_handoff_stops_and_nothing_is_texted_after(
    adapter: Adapter, service: Service, clock: FixedClock
) -> None:
    adapter.send("YES", "s1")
    [resources] = adapter.send("I want to kill myself", "s2")
    assert "988" in resources and resources.endswith("Are you safe right now?")
    [short] = adapter.send("i want to kill myself tonight", "s3")
    assert short == "Thank you for telling me. Dana Lee will see this. If you are in danger now, call 911 or text 988."
    [stopped] = adapter.send("STOP", "s4")
    assert stopped.startswith("You will not get more texts"), stopped
    participant, _ = jordan(service)
    with service.sessions.begin() as session:
        after_stop = session.scalar(select(Message.id).where(Message.body == "STOP"))
    assert adapter.send("are you there", "s5") == []
    clock.advance(days=8)
    service.sweep()
    service.dispatch()
    with service.sessions.begin() as session:
        texted = session.scalars(
            select(Message.body).where(
                Message.participant_id == participant,
                Message.direction == Direction.OUTBOUND,
                Message.id > after_stop,
                Message.body != stopped,
            )
        ).all()
        assert texted == []
        handoff = open_handoff_of(session, participant)
        assert handoff is not None and handoff.reason is HandoffReason.SAFETY, "the counselor must still act"


def test_outside_office_hours_the_participant_is_told_when_the_office_opens(
    adapter: Adapter, clock: FixedClock
) -> None:
    adapter.send("YES", "o1")
    clock.now = datetime(2026, 3, 7, 19, 0, tzinfo=UTC)  # Saturday 11:00 in Oakland
    [opened] = adapter.send("me puede llamar alguien", "o2")
    assert "when the office opens, Mon, Mar 9 at 8:00 AM" in opened


def test_only_the_participants_counselor_or_their_supervisor_closes_a_handoff(
    service: Service, clock: FixedClock, adapter: Adapter
) -> None:
    adapter.send("YES", "c1")
    adapter.send("call me", "c2")
    participant, dana = jordan(service)
    with service.sessions.begin() as session:
        other = Counselor(first_name="Sam", last_name="Ortiz", email="sam@example.org", phone=None, created_at=clock())
        boss = Counselor(
            first_name="Ana",
            last_name="Ruiz",
            email="ana@example.org",
            phone=None,
            created_at=clock(),
            role=Role.SUPERVISOR,
            unit="North",
        )
        session.add_all([other, boss])
        session.get_one(Counselor, dana).unit = "North"
        session.flush()
        assert open_handoffs_for(session, other.id) == []
        assert not close_handoff(session, participant, other.id, clock())
        assert [row.participant_id for row in open_handoffs_for(session, boss.id)] == [participant]
        assert close_handoff(session, participant, boss.id, clock())


def test_scheduled_texts_wait_while_a_person_is_answering(
    sender: Service,  # noqa: F811 (the fixture)
    clock: FixedClock,
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    sender.inbox.receive(inbound(ENGLISH_PHONE, "YES", "h1", clock()), MessageStatus.SENT)
    sender.inbox.receive(inbound(ENGLISH_PHONE, "i need to talk to my worker", "h2", clock()), MessageStatus.SENT)
    clock.advance(hours=3)  # not busy any more: only the handoff holds the texts back
    with sender.sessions.begin() as session:
        jordan_id = participant_id(sender, ENGLISH_PHONE)
        session.add(later_outreach(jordan_id, clock(), rule="check_in"))
        session.add(later_outreach(jordan_id, clock(), rule="hours_due", occurrence="2026-03-01+0"))
    sender.dispatch()
    reasons = {rule: (state, reason) for rule, _, state, reason in queued(sender, jordan_id)}
    assert reasons["check_in"] == ("skipped", "handoff")
    assert reasons["hours_due"] == ("queued", "handoff")
    assert twilio.requests == []
    with sender.sessions.begin() as session:
        dana = find_counselor_by_email(session, DANA)
        assert dana is not None
        assert close_handoff(session, jordan_id, dana.id, clock())
    clock.advance(hours=1)
    sender.dispatch()
    assert {rule: state for rule, _, state, _ in queued(sender, jordan_id)}["hours_due"] == "dispatched"
    assert [form["To"] for _, _, form in twilio.requests] == [ENGLISH_PHONE]
