"""Storing or processing a text of a batch (group commit) costs only that text when it fails, with
no savepoint around it in the usual case: on SQLite the one INSERT is its own savepoint (a failed
statement is undone alone, with whatever its triggers did), and a failure that ends the whole
transaction fails the whole batch rather than letting the texts after it commit one statement at a
time; a failed processing has the batch rolled back and done again with savepoints."""

import pytest
from sqlalchemy import func, select, text

from bot.app import Service
from bot.inbox import ProcessingFailed
from casefile.contacts import Contact
from casefile.conversation import ConversationRecord
from casefile.messages import UnknownSender
from tests.support import SPANISH_PHONE, UNKNOWN_PHONE
from tests.test_group_commit import (
    SAME_PEOPLE,
    arrival,
    consented,
    inbound_rows,
    replies_of,
    replies_stored,
    together,
)
from tests.test_inbox_failures import break_storage

#: RAISE(ROLLBACK) is SQLite's (on PostgreSQL a failed statement spoils the transaction, and the
#: text's storing has a savepoint of its own: the test above covers it).
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_a_text_whose_storing_fails_after_its_triggers_wrote_leaves_nothing_of_itself(service: Service) -> None:
    """The failed INSERT had already fired a trigger that wrote elsewhere: that write goes too."""
    with service.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text(
                    "CREATE FUNCTION note_then_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    "INSERT INTO unknown_senders (channel, address, first_seen_at, last_seen_at, message_count) "
                    "VALUES ('sms', 'trace', now(), now(), 1); "
                    "RAISE EXCEPTION 'storage broken'; END $$"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER broken AFTER INSERT ON messages FOR EACH ROW "
                    "WHEN (NEW.provider_id = 'SM-poison') EXECUTE FUNCTION note_then_refuse()"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE TRIGGER broken AFTER INSERT ON messages WHEN NEW.provider_id = 'SM-poison' BEGIN "
                    "INSERT INTO unknown_senders (channel, address, first_seen_at, last_seen_at, message_count) "
                    "VALUES ('sms', 'trace', '2026-01-01', '2026-01-01', 1); "
                    "SELECT RAISE(ABORT, 'storage broken'); END"
                )
            )
    outcomes = together(
        service,
        [
            arrival(service, "hi", "SM-t1"),
            arrival(service, "hello", "SM-poison", UNKNOWN_PHONE),
            arrival(service, "Hola", "SM-t2", SPANISH_PHONE),
        ],
    )
    assert replies_of(outcomes[0])[0].startswith("Hi Jordan!")
    assert isinstance(outcomes[1], ProcessingFailed) and outcomes[1].message_id is None
    assert "Responda SI para empezar" in replies_of(outcomes[2])[0]
    assert inbound_rows(service) == {"SM-t1": "processed", "SM-t2": "processed"}
    with service.sessions.begin() as session:
        traces = session.scalar(select(func.count()).select_from(UnknownSender).where(UnknownSender.address == "trace"))
    assert traces == 0


@ON_SQLITE
def test_a_failure_that_ends_the_transaction_fails_the_whole_batch(service: Service) -> None:
    """RAISE(ROLLBACK) takes the texts before it with it: they must be answered as not stored, and
    the texts after it must not be committed one statement at a time outside any transaction."""
    with service.engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TRIGGER broken BEFORE INSERT ON messages WHEN NEW.provider_id = 'SM-poison' "
                "BEGIN SELECT RAISE(ROLLBACK, 'storage broken'); END"
            )
        )
    outcomes = together(
        service,
        [
            arrival(service, "hi", "SM-r1"),
            arrival(service, "hello", "SM-poison", UNKNOWN_PHONE),
            arrival(service, "Hola", "SM-r2", SPANISH_PHONE),
        ],
    )
    assert all(isinstance(outcome, ProcessingFailed) and outcome.message_id is None for outcome in outcomes)
    assert len(outcomes) == 2  # the third was not taken: it stays in line for a batch of its own
    assert inbound_rows(service) == {}


def test_a_text_whose_processing_fails_has_the_batch_done_again_and_the_others_stored_once(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    """A batch processes its texts with no savepoint each: one whose processing fails rolls all of
    it back, and the batch is done again with savepoints. Nothing of the first pass is kept."""
    consented(service)
    break_storage(service, "events", when="NEW.kind = 'counselor_message'")
    outcomes = together(service, SAME_PEOPLE(service))
    assert isinstance(outcomes[2], ProcessingFailed) and outcomes[2].message_id is not None
    for n in (1, 2, 4):  # each reply stored once, as answered
        assert replies_stored(service, f"SM-p{n}") == list(replies_of(outcomes[n - 1]))
    assert replies_stored(service, "SM-p3") == []
    assert inbound_rows(service)["SM-p3"] == "received"
    with service.sessions.begin() as session:
        contacts = session.scalar(select(func.count()).select_from(Contact))
        states = session.scalar(select(func.count()).select_from(ConversationRecord))
    assert (contacts, states) == (2, 2)  # one each for Jordan and Guadalupe, not one more per pass
    # Said even though the redo went through: a failure that comes and goes is still seen.
    assert "the batch is done again" in caplog.text
