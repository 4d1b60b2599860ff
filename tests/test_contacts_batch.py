"""`current_contacts`: the dispatcher's batch of texts finds or opens each recipient's contact as
`current_contact` would one at a time, in a few statements for them all. On SQLite and PostgreSQL."""

from datetime import timedelta

from sqlalchemy import event, select

from bot.app import Service
from casefile.contacts import Contact, current_contact, current_contacts
from casefile.people import find_participant_by_phone
from casefile.vocabulary import Channel
from tests.outreach import enrol
from tests.support import ENGLISH_PHONE, SPANISH_PHONE, FixedClock


def participant(service: Service, phone: str) -> int:
    with service.sessions.begin() as session:
        found = find_participant_by_phone(session, phone)
        assert found is not None
        return found.id


def test_each_participant_gets_the_contact_one_at_a_time_would_give_in_four_statements_for_all(
    service: Service, clock: FixedClock
) -> None:
    jordan, guadalupe = participant(service, ENGLISH_PHONE), participant(service, SPANISH_PHONE)
    newcomer = enrol(service, "Ana", "+15105553999", clock() - timedelta(days=1))
    now = clock()
    with service.sessions.begin() as session:
        # Jordan wrote 30 minutes ago, and a text of theirs that came late is stamped 10 minutes on.
        talking = current_contact(session, jordan, Channel.SMS, now - timedelta(minutes=30))
        current_contact(session, jordan, Channel.SMS, now + timedelta(minutes=10))
        # Guadalupe's contact went quiet five hours ago and nobody has closed it yet.
        quiet = current_contact(session, guadalupe, Channel.SMS, now - timedelta(hours=5))
    statements: list[str] = []
    event.listen(service.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with service.sessions.begin() as session:
        contacts = current_contacts(
            session, {jordan: Channel.SMS, guadalupe: Channel.TELEGRAM, newcomer: Channel.SMS}, now, "outreach"
        )
    assert len([sql for sql in statements if not sql.startswith(("BEGIN", "COMMIT"))]) <= 4
    with service.sessions.begin() as session:
        rows = {row.id: row for row in session.scalars(select(Contact))}
    # Within the quiet spell: the same contact, its last message never moved back.
    assert contacts[jordan] == talking
    assert rows[talking].last_message_at == now + timedelta(minutes=10) and rows[talking].closed_at is None
    # After it: the old one closed when its spell ended, a new one opened by the outreach, on its channel.
    assert contacts[guadalupe] != quiet
    assert rows[quiet].closed_at == now - timedelta(hours=3)
    opened = rows[contacts[guadalupe]]
    assert (opened.participant_id, opened.channel, opened.opened_by) == (guadalupe, "telegram", "outreach")
    assert (opened.opened_at, opened.last_message_at, opened.closed_at) == (now, now, None)
    # Never any contact: one opened.
    first = rows[contacts[newcomer]]
    assert (first.participant_id, first.opened_by, first.closed_at) == (newcomer, "outreach", None)
    assert len(rows) == 4


def test_a_batch_of_nobody_reads_nothing(service: Service, clock: FixedClock) -> None:
    statements: list[str] = []
    event.listen(service.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with service.sessions.begin() as session:
        assert current_contacts(session, {}, clock()) == {}
    assert [sql for sql in statements if not sql.startswith(("BEGIN", "COMMIT"))] == []
