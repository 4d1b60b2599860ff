"""A message that cannot be processed is kept, apologised for, and processed when it can be."""

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from bot.app import Service, create_app
from casefile.facts import EventRecord
from casefile.messages import PROCESSING_ATTEMPTS, Message
from casefile.vocabulary import Direction, MessageStatus
from tests.support import FixedClock, signed, sms_form


@pytest.fixture
def client(service: Service, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(service, clock)) as test_client:
        yield test_client


def break_storage(service: Service, table: str = "conversation_states", when: str | None = None) -> None:
    """Make the database itself refuse inserts into `table` (those `when` holds, if given): a real
    failure, mid-processing."""
    with service.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text(
                    "CREATE OR REPLACE FUNCTION refuse_insert() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'storage broken'; END $$"
                )
            )
            connection.execute(
                text(
                    f"CREATE TRIGGER broken BEFORE INSERT ON {table} FOR EACH ROW "
                    + (f"WHEN ({when}) " if when else "")
                    + "EXECUTE FUNCTION refuse_insert()"
                )
            )
        else:
            connection.execute(
                text(
                    f"CREATE TRIGGER broken BEFORE INSERT ON {table} "
                    + (f"WHEN {when} " if when else "")
                    + "BEGIN SELECT RAISE(ABORT, 'storage broken'); END"
                )
            )


def mend_storage(service: Service, table: str = "conversation_states") -> None:
    with service.engine.begin() as connection:
        connection.execute(
            text("DROP TRIGGER broken" + (f" ON {table}" if connection.dialect.name == "postgresql" else ""))
        )


def post(client: TestClient, body: str, sid: str) -> list[str]:
    payload, headers = signed("/sms/twilio", sms_form(body, sid))
    response = client.post("/sms/twilio", content=payload, headers=headers)
    assert response.status_code == 200
    return [node.text or "" for node in ET.fromstring(response.text).iter("Message")]


def test_a_failure_keeps_the_message_apologises_and_a_redelivery_processes_it(
    client: TestClient, service: Service
) -> None:
    break_storage(service)
    assert post(client, "hi", "SM-fail") == [
        "Sorry, something went wrong on our side. Your message is saved and your counselor can see it."
    ]
    with service.sessions.begin() as session:
        inbound = session.scalars(select(Message).where(Message.direction == Direction.INBOUND)).one()
        assert (inbound.body, inbound.status) == ("hi", MessageStatus.RECEIVED)
    mend_storage(service)
    assert post(client, "hi", "SM-fail")[0].startswith("Hi Jordan! This is Alameda County CalWORKs.")
    assert post(client, "hi", "SM-fail") == []


def test_pending_messages_are_processed_in_order_once_storage_is_mended(client: TestClient, service: Service) -> None:
    break_storage(service)
    post(client, "yes", "SM-p1")
    post(client, "3", "SM-p2")
    mend_storage(service)
    receipts = service.inbox.process_pending(MessageStatus.QUEUED)
    assert [[r.body.split("\n")[0] for r in receipt.replies] for receipt in receipts] == [
        [
            "Thanks, Jordan! You're all set. You can text me any time.",
            "What would you like to do? Reply with a number:",
        ],
        ["What would you like to tell Dana Lee? Type your message and send it."],
    ]
    assert service.inbox.process_pending(MessageStatus.QUEUED) == []


def test_errors_that_reach_the_log_carry_no_participant_words(
    client: TestClient, service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    post(client, "yes", "SM-yes")
    post(client, "3", "SM-menu")
    # The counselor-message fact is the statement that fails: its parameters hold the words.
    break_storage(service, "events")
    post(client, "my SSN is 123-45-6789", "SM-private")
    logged = "\n".join(
        record.getMessage() + str(record.exc_info) + (record.exc_text or "") for record in caplog.records
    )
    assert "processing message" in logged and "storage broken" in logged
    assert "123-45-6789" not in logged and "+15105550100" not in logged


def test_a_message_that_cannot_even_be_stored_is_answered_503_so_twilio_retries(
    client: TestClient, service: Service
) -> None:
    break_storage(service, "messages")
    payload, headers = signed("/sms/twilio", sms_form("hi", "SM-unstored"))
    response = client.post("/sms/twilio", content=payload, headers=headers)
    assert response.status_code == 503
    mend_storage(service, "messages")
    assert post(client, "hi", "SM-unstored")[0].startswith("Hi Jordan!")


def test_a_text_that_keeps_failing_goes_to_a_person_and_holds_nothing_up(client: TestClient, service: Service) -> None:
    """A poison message is retried a few passes, then flagged for the counselor (the apology promised
    that they can see it); the participant's later texts are no longer held behind it."""
    break_storage(service)
    post(client, "hi", "SM-poison")
    for _ in range(PROCESSING_ATTEMPTS - 1):
        assert service.inbox.process_pending(MessageStatus.QUEUED) == []
    with service.sessions.begin() as session:
        assert session.scalars(select(EventRecord).where(EventRecord.kind == "message_not_processed")).all() == []
    assert service.inbox.process_pending(MessageStatus.QUEUED) == []
    with service.sessions.begin() as session:
        poison = session.scalars(select(Message).where(Message.provider_id == "SM-poison")).one()
        [flag] = session.scalars(select(EventRecord).where(EventRecord.kind == "message_not_processed")).all()
        assert poison.status is MessageStatus.FAILED and flag.needs_counselor and flag.participant_id is not None
    post(client, "yes", "SM-after")  # fails too while storage is broken, and waits
    mend_storage(service)
    receipts = service.inbox.process_pending(MessageStatus.QUEUED)
    assert [receipt.replies[0].body.split("\n")[0] for receipt in receipts] == [
        "Thanks, Jordan! You're all set. You can text me any time."
    ]


def test_a_database_error_that_says_nothing_is_logged_by_its_name() -> None:
    """The retry loop logs what a lock timeout or deadlock said, on one line; an error with no
    words must not make the logging itself fail (an IndexError inside the handler)."""
    from sqlite3 import OperationalError

    from bot.inbox import _first_line

    assert _first_line(OperationalError("database is locked\nmore")) == "database is locked"
    assert _first_line(OperationalError("")) == "OperationalError"
