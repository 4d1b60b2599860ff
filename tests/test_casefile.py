"""The case file's own rules, on a real database."""

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from bot.app import Service
from bot.inbox import Inbound
from casefile.consent import AppendOnlyError, ConsentEvent, consent_history
from casefile.contacts import Contact, contact_of, current_contact
from casefile.database import make_engine
from casefile.enrolment import EnrolmentError, enrol_participant, weekly_requirement
from casefile.messages import Message
from casefile.migrate import alembic_config, is_current
from casefile.people import Counselor, Participant, find_counselor_by_email, find_participant_by_phone
from casefile.phones import InvalidPhoneNumber, normalize_phone
from casefile.tables import Base
from casefile.vocabulary import Channel, ConsentState, Direction, FamilyType, Language, MessageStatus
from tests.support import ENGLISH_PHONE, FixedClock


def test_the_migrations_build_exactly_the_models(service: Service) -> None:
    with service.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    assert is_current(service.engine)


def test_migrations_go_down_and_up_again(database_url: str) -> None:
    config = alembic_config(database_url)
    engine = make_engine(database_url)
    command.downgrade(config, "base")
    assert not is_current(engine)
    command.upgrade(config, "head")
    assert is_current(engine)
    engine.dispose()


def ledger_entry(service: Service) -> int:
    with service.sessions.begin() as session:
        participant = find_participant_by_phone(session, ENGLISH_PHONE)
        assert participant is not None
        return consent_history(session, participant.id)[0].id


def test_the_consent_ledger_refuses_changes_through_the_orm(service: Service) -> None:
    entry_id = ledger_entry(service)
    with pytest.raises(AppendOnlyError), service.sessions.begin() as session:
        session.get_one(ConsentEvent, entry_id).raw_text = "rewritten"
    with pytest.raises(AppendOnlyError), service.sessions.begin() as session:
        session.delete(session.get_one(ConsentEvent, entry_id))


@pytest.mark.parametrize(
    "statement", ["UPDATE consent_events SET raw_text = 'rewritten'", "DELETE FROM consent_events"]
)
def test_the_consent_ledger_refuses_changes_in_the_database_itself(service: Service, statement: str) -> None:
    entry_id = ledger_entry(service)
    with pytest.raises(DBAPIError, match="append-only"), service.engine.begin() as connection:
        connection.execute(text(statement))
    with service.sessions.begin() as session:
        assert session.get_one(ConsentEvent, entry_id).raw_text.startswith("demo participant")


@pytest.mark.parametrize(
    "family, hours, expected",
    [
        (FamilyType.ONE_PARENT_CHILD_UNDER_6, None, 20),
        (FamilyType.ONE_PARENT, None, 30),
        (FamilyType.TWO_PARENT, None, 35),
        (FamilyType.PLAN, 40, 40),
        (FamilyType.ONE_PARENT, 25, 25),
    ],
)
def test_weekly_requirement_comes_from_the_family_or_the_plan(
    family: FamilyType, hours: int | None, expected: int
) -> None:
    assert weekly_requirement(family, hours) == expected


@pytest.mark.parametrize("hours", [-1, 81])
def test_impossible_weekly_hours_are_refused(hours: int) -> None:
    with pytest.raises(EnrolmentError, match="between 0 and 80"):
        weekly_requirement(FamilyType.PLAN, hours)


def enrol(service: Service, clock: FixedClock, **changes: object) -> Participant:
    values: dict[str, object] = dict(
        first_name=" Ana ",
        last_name="Cruz",
        phone="(510) 555-0123",
        language=Language.SPANISH,
        time_zone="America/Los_Angeles",
        family_type=FamilyType.TWO_PARENT,
        plan_hours=None,
        consent_note="signed WTW 2 plan, texting box ticked",
        at=clock(),
    )
    values.update(changes)
    with service.sessions.begin() as session:
        counselor = find_counselor_by_email(session, "Dana.Lee@example.org")
        assert counselor is not None
        return enrol_participant(session, counselor=counselor, **values)  # type: ignore[arg-type]


def test_enrolment_normalises_the_phone_and_records_consent(service: Service, clock: FixedClock) -> None:
    participant = enrol(service, clock)
    assert (participant.first_name, participant.phone, participant.weekly_required_hours) == ("Ana", "+15105550123", 35)
    assert participant.consent_state is ConsentState.RECORDED
    with service.sessions.begin() as session:
        [entry] = consent_history(session, participant.id)
        assert (entry.channel, entry.raw_text) == ("enrolment", "signed WTW 2 plan, texting box ticked")


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"phone": ENGLISH_PHONE}, "already enrolled"),
        ({"consent_note": "  "}, "record how the participant agreed"),
        ({"time_zone": "Mars/Olympus"}, "unknown time zone"),
        ({"family_type": FamilyType.PLAN}, "give the weekly hours"),
    ],
)
def test_enrolment_refuses_what_a_counselor_must_fix(
    service: Service, clock: FixedClock, changes: dict[str, object], error: str
) -> None:
    with pytest.raises(EnrolmentError, match=error):
        enrol(service, clock, **changes)


@pytest.mark.parametrize("raw", ["555-0100", "hello", "", "+1 510 555 01"])
def test_phone_numbers_that_cannot_be_texted_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhoneNumber):
        normalize_phone(raw)


def test_a_contact_closes_after_a_quiet_spell(service: Service, clock: FixedClock) -> None:
    with service.sessions.begin() as session:
        participant = find_participant_by_phone(session, ENGLISH_PHONE)
        assert participant is not None
        first = current_contact(session, participant.id, Channel.SMS, clock())
        same = current_contact(session, participant.id, Channel.SMS, clock() + timedelta(minutes=119))
        later = current_contact(session, participant.id, Channel.SMS, clock() + timedelta(hours=5))
        assert same == first and later != first
        closed, still_open = session.get_one(Contact, first), session.get_one(Contact, later)
        assert closed.closed_at == clock() + timedelta(minutes=119) + timedelta(hours=2)
        assert still_open.closed_at is None


def test_the_inbox_keeps_a_contact_through_a_conversation_and_a_late_text_and_opens_one_after_a_quiet_spell(
    service: Service, clock: FixedClock
) -> None:
    """The inbox reads the open contacts with the participant (casefile.arrivals): the same outcome
    as `current_contact` above, text by text."""
    start = clock()
    texts = [
        ("hi", start),
        ("yes", start + timedelta(minutes=119)),
        # Delivered late: it belongs to the contact, and does not move its last message back.
        ("8 hrs today", start + timedelta(minutes=30)),
        ("menu", start + timedelta(hours=5)),
    ]
    for n, (body, at) in enumerate(texts):
        service.inbox.receive(Inbound(Channel.SMS, ENGLISH_PHONE, body, f"SMcontact{n}", at), MessageStatus.SENT)
    with service.sessions.begin() as session:
        contacts = session.execute(
            select(Message.provider_id, Contact.opened_at, Contact.last_message_at, Contact.closed_at)
            .join(Contact, Message.contact_id == Contact.id)
            .where(Message.direction == Direction.INBOUND)
            .order_by(Message.id)
        ).all()
    first = (start, start + timedelta(minutes=119), start + timedelta(minutes=119 + 120))
    later = (start + timedelta(hours=5), start + timedelta(hours=5), None)
    assert [(sid, *times) for sid, *times in contacts] == [
        ("SMcontact0", *first),
        ("SMcontact1", *first),
        ("SMcontact2", *first),
        ("SMcontact3", *later),
    ]


def test_a_contact_closed_after_it_was_read_open_takes_no_more_messages(service: Service, clock: FixedClock) -> None:
    """On PostgreSQL the notes job closes quiet contacts without the participant's lock, so the
    inbox's read of their open contacts may be out of date by the time it writes (found in review)."""
    with service.sessions.begin() as session:
        participant = find_participant_by_phone(session, ENGLISH_PHONE)
        assert participant is not None
        read_open = current_contact(session, participant.id, Channel.SMS, clock())
        read = [(read_open, clock())]
        session.get_one(Contact, read_open).closed_at = clock() + timedelta(minutes=1)
        session.flush()
        joined = contact_of(session, participant.id, Channel.SMS, clock() + timedelta(minutes=30), read)
        assert joined != read_open
        assert session.get_one(Contact, joined).closed_at is None


def test_naive_times_are_refused(service: Service) -> None:
    with pytest.raises(Exception, match="naive"), service.sessions.begin() as session:
        session.add(
            Counselor(first_name="A", last_name="B", email="a@b.org", phone=None, created_at=datetime(2026, 1, 1))
        )
    with service.sessions.begin() as session:
        counselor = find_counselor_by_email(session, "dana.lee@example.org")
        assert counselor is not None and counselor.created_at.tzinfo is UTC


def test_extending_a_contact_stores_its_time_in_the_column_s_own_format(service: Service, clock: FixedClock) -> None:
    with service.sessions.begin() as session:
        participant = find_participant_by_phone(session, ENGLISH_PHONE)
        assert participant is not None
        contact_id = current_contact(session, participant.id, Channel.SMS, clock())
        current_contact(session, participant.id, Channel.SMS, clock() + timedelta(minutes=5))
    with service.engine.connect() as connection:
        raw = connection.execute(
            text("SELECT last_message_at FROM contacts WHERE id = :id"), {"id": contact_id}
        ).scalar()
    with service.sessions.begin() as session:
        assert session.get_one(Contact, contact_id).last_message_at == clock() + timedelta(minutes=5)
    assert "+" not in str(raw)
