"""Statements run on the driver's cursor (casefile/prepared.py) behave as through SQLAlchemy: the same
values back, the session's transaction and savepoints, its exceptions, its cursor events."""

import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import DateTime, bindparam, case, event, insert, select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError

from bot.app import Service
from casefile.base import UTCDateTime, table_of
from casefile.messages import Message, find_message, store_inbound
from casefile.prepared import Prepared, savepoint
from casefile.vocabulary import Channel, Direction, MessageStatus

_MESSAGES = table_of(Message)
_BY_ID = Prepared(select(_MESSAGES).where(_MESSAGES.c.id == bindparam("message_id")))
_INSERT = Prepared(insert(_MESSAGES).returning(_MESSAGES.c.id))
_PROCESS = Prepared(
    update(_MESSAGES)
    .where(_MESSAGES.c.id == bindparam("message_id"), _MESSAGES.c.direction == Direction.INBOUND)
    .values(
        status=MessageStatus.PROCESSED,
        status_at=case((_MESSAGES.c.status_at < bindparam("at"), bindparam("at")), else_=_MESSAGES.c.status_at),
    )
    .returning(_MESSAGES.c.status)
)
#: Two hours west of UTC and a microsecond: a value read back must be this instant, zone-aware.
RECEIVED = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC) - timedelta(hours=2)


def _store(service: Service, sid: str, body: str) -> int:
    with service.sessions.begin() as session:
        stored = store_inbound(
            session,
            channel=Channel.SMS,
            address="+15105550100",
            body=body,
            ssn_masked=False,
            media=[{"url": "https://api.twilio.com/Media/ME1", "content_type": "image/jpeg"}],
            provider_id=sid,
            created_at=RECEIVED,
            status_at=RECEIVED,
        )
    assert stored is not None
    return stored


def test_a_row_reads_back_as_sqlalchemy_reads_it(service: Service) -> None:
    body = "Tengo 8 hrs — ¿y mañana? 👍 'quoted' \"and\" %s %(x)s ?"
    message_id = _store(service, "SMprepared1", body)
    with service.sessions.begin() as session:
        prepared = _BY_ID.first(session, {"message_id": message_id})
        through_sqlalchemy = session.execute(select(_MESSAGES).where(_MESSAGES.c.id == message_id)).one()
        orm = find_message(session, Channel.SMS, "SMprepared1")
    assert prepared == tuple(through_sqlalchemy)
    assert orm is not None and orm.body == body and orm.created_at == RECEIVED
    assert orm.direction is Direction.INBOUND and orm.status is MessageStatus.RECEIVED
    assert orm.media == [{"url": "https://api.twilio.com/Media/ME1", "content_type": "image/jpeg"}]


def test_fixed_values_and_a_parameter_used_twice_go_in_as_sqlalchemy_puts_them(service: Service) -> None:
    """A state written in the statement (an anonymous parameter, named only as the SQL is made) and
    `at` used untyped as a CASE's result: it must still be stored as the column stores times."""
    message_id = _store(service, "SMprepared6", "hi")
    later = RECEIVED + timedelta(minutes=5)
    with service.sessions.begin() as session:
        [(status,)] = _PROCESS.rows(session, {"message_id": message_id, "at": later})
        _PROCESS.rows(session, {"message_id": message_id, "at": RECEIVED})
    assert status is MessageStatus.PROCESSED
    with service.sessions.begin() as session:
        orm = find_message(session, Channel.SMS, "SMprepared6")
        raw = session.execute(text("SELECT status_at FROM messages WHERE id = :id"), {"id": message_id}).scalar()
    assert orm is not None and orm.status is MessageStatus.PROCESSED and orm.status_at == later
    # Stored as SQLAlchemy stores times there: UTC without an offset (text on SQLite).
    assert "+" not in str(raw)


def test_a_redelivery_is_stored_once(service: Service) -> None:
    first = _store(service, "SMprepared2", "hi")
    with service.sessions.begin() as session:
        again = store_inbound(
            session,
            channel=Channel.SMS,
            address="+15105550100",
            body="hi",
            ssn_masked=False,
            media=[],
            provider_id="SMprepared2",
            created_at=RECEIVED,
            status_at=RECEIVED,
        )
        assert again is None
        assert _BY_ID.first(session, {"message_id": first}) is not None


def test_a_savepoint_undoes_its_writes_and_keeps_the_ones_before(service: Service) -> None:
    """The inbox's promise: processing fails, the message stays stored."""
    kept = _store(service, "SMprepared3", "kept")
    with service.sessions.begin() as session:
        # A statement that fails in the database: on PostgreSQL the transaction goes on only if the
        # savepoint was rolled back to.
        with pytest.raises(IntegrityError), savepoint(session):
            _INSERT.rows(session, _outbound("undone"))
            _INSERT.rows(session, {**_outbound("clash"), "provider_id": "SMprepared3", "channel": Channel.SMS})
        after = _INSERT.rows(session, _outbound("after"))[0][0]
    with service.sessions.begin() as session:
        bodies = session.scalars(select(_MESSAGES.c.body).where(_MESSAGES.c.id >= kept).order_by("id")).all()
    assert bodies == ["kept", "after"]
    assert after > kept


def test_a_violated_constraint_is_sqlalchemys_integrity_error(service: Service) -> None:
    _store(service, "SMprepared4", "hi")
    with pytest.raises(IntegrityError) as raised, service.sessions.begin() as session:
        _INSERT.rows(
            session, {**_outbound("my words, 555-12-3456"), "provider_id": "SMprepared4", "channel": Channel.SMS}
        )
    # As the engine says for its own statements: a participant's words never reach a log line
    # through an error's text.
    assert "my words" not in str(raised.value)
    assert "parameters hidden" in str(raised.value)


def test_the_engines_cursor_events_see_each_statement_with_its_parameters(service: Service) -> None:
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        seen.append((statement, parameters))

    message_id = _store(service, "SMprepared5", "hi")
    event.listen(service.engine, "before_cursor_execute", record)
    try:
        with service.sessions.begin() as session:
            _BY_ID.first(session, {"message_id": message_id})
    finally:
        event.remove(service.engine, "before_cursor_execute", record)
    [(statement, parameters)] = [(s, p) for s, p in seen if s.startswith("SELECT")]
    assert "FROM messages" in statement
    assert message_id in (parameters.values() if isinstance(parameters, dict) else parameters)


def _outbound(body: str) -> dict[str, Any]:
    return {
        "participant_id": None,
        "contact_id": None,
        "direction": Direction.OUTBOUND,
        "channel": Channel.SMS,
        "address": "+15105550100",
        "body": body,
        "media": [],
        "provider_id": None,
        "status": MessageStatus.QUEUED,
        "error_code": None,
        "in_reply_to_id": None,
        "created_at": RECEIVED,
        "status_at": RECEIVED,
    }


def test_a_sessions_next_transaction_runs_its_statements_in_that_transaction(service: Service) -> None:
    """The connection and cursor are kept for a transaction, not for the session: a long-lived
    session's statements after a commit belong to its new transaction, and a rollback undoes them."""
    with service.sessions() as session:
        first = _INSERT.rows(session, _outbound("committed"))[0][0]
        session.commit()
        _INSERT.rows(session, _outbound("rolled back"))
        session.rollback()
        third = _INSERT.rows(session, _outbound("committed too"))[0][0]
        session.commit()
    with service.sessions.begin() as session:
        kept = session.execute(select(_MESSAGES.c.id, _MESSAGES.c.body).where(_MESSAGES.c.id >= first)).all()
    assert [tuple(row) for row in kept] == [(first, "committed"), (third, "committed too")]


def test_an_instant_is_bound_for_sqlite_as_sqlalchemys_own_chain_writes_it() -> None:
    """UTCDateTime's one-function processor on SQLite against SQLAlchemy's two (the type's
    process_bind_param, then the dialect's DATETIME format): the stored text is compared as text,
    so a different string would sort (and match) differently in every query."""
    dialect = sqlite.dialect()
    ours = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    theirs = DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert ours is not None and theirs is not None
    rng = random.Random(19)
    zones = [UTC, ZoneInfo("America/Los_Angeles"), ZoneInfo("Asia/Kolkata"), timezone(timedelta(hours=-3, minutes=-30))]
    instants = [
        datetime(2026, 3, 8, 10, 0, 0, tzinfo=UTC),  # the spring-forward hour in Los Angeles, no microseconds
        datetime(2026, 11, 1, 1, 30, 0, 5, tzinfo=ZoneInfo("America/Los_Angeles"), fold=1),
        datetime(1, 1, 1, 12, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    for _ in range(2000):
        moment = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(
            seconds=rng.randrange(10**9), microseconds=rng.choice([0, rng.randrange(10**6)])
        )
        instants.append(moment.astimezone(rng.choice(zones)))
    for instant in instants:
        assert ours(instant) == theirs(UTCDateTime().process_bind_param(instant, dialect)), instant
    assert ours(None) is None
    with pytest.raises(ValueError, match="naive"):
        ours(datetime(2026, 3, 2, 9, 30))
