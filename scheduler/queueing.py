"""How the sweep queues what SQL decided: `INSERT … SELECT`, and on SQLite without holding the
one writer while deciding.

On SQLite every message waits for the one writer, and deciding over a county takes seconds, so
who is owed a text is written by `INSERT … SELECT` to a TEMP table in a read-only transaction (a
connection's temp tables are its own: writing them takes no lock on the database), and the rows
are then copied from it into the outbox COPY_BATCH at a time, each copy a short write transaction
that decides nothing; a sweep that finds nobody owed writes nothing. PostgreSQL takes the same
path (one code path, tested on both). No participant's row passes through Python, and the unique
key (rule, occurrence, participant) keeps a concurrent or repeated sweep's rows out.
"""

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    Insert,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Session, sessionmaker

from casefile.base import UPSERT_INSERTS, dialect_of
from casefile.database import READ_ONLY
from casefile.outreach import OutreachKind, OutreachState
from scheduler.audience import OUTREACH
from scheduler.rules import Rule

_O = OUTREACH
_UNIQUE_KEY = ["rule", "occurrence", "participant_id"]
_DECIDED = ["participant_id", "occurrence", "due_at"]
_QUEUE = {
    name: upsert(_O).on_conflict_do_nothing(index_elements=_UNIQUE_KEY) for name, upsert in UPSERT_INSERTS.items()
}

#: Rows made in Python (`queue_rows`) queued per write transaction: SQLite has one writer, and
#: every message waits for it.
WRITE_BATCH = 200

#: Decided rows copied into the outbox per write transaction. Each commit writes the outbox's and
#: its indexes' last pages to the WAL again (and the checkpoint copies them back), so fewer, larger
#: copies cost less: at 1M participants (bench/sweep.py, same-run pairs against 200 a copy) the
#: first sweep's writes took 0.87x the CPU with their commits (4.64 to 4.03 s, 1,505 copies to
#: 614), the whole sweep 0.94x; the longest with its commit 16 to 23 ms of CPU, once 55 ms on a
#: machine loaded by other test runs, around the ~50 ms a message may wait. 1,000 a copy saved
#: 0.4 s more but one copy took 103 ms.
COPY_BATCH = 500

#: Who is owed, as decided in the read-only transaction: a TEMP table, each connection its own
#: (a temporary table's name is looked up before the database's own tables, on both databases).
_OWED = Table(
    "sweep_owed",
    MetaData(),
    Column("n", Integer, primary_key=True),
    Column("participant_id", Integer, nullable=False),
    Column("occurrence", String(40), nullable=False),
    Column("due_at", _O.c.due_at.type, nullable=False),
)
_CREATE_OWED = {
    dialect: f"CREATE TEMP TABLE IF NOT EXISTS sweep_owed ({key}, participant_id INTEGER NOT NULL, "
    f"occurrence VARCHAR(40) NOT NULL, due_at {moment} NOT NULL)"
    for dialect, key, moment in (
        ("sqlite", "n INTEGER PRIMARY KEY", "DATETIME"),
        ("postgresql", "n BIGSERIAL PRIMARY KEY", "TIMESTAMP WITHOUT TIME ZONE"),
    )
}

#: A statement selecting (participant id, occurrence, due at) of everyone owed, for a dialect.
Owed = Callable[[str], Select[Any]]


def queue_owed(connection: Connection, rule: Rule, owed: list[tuple[Owed, dict[str, Any]]], now: datetime) -> int:
    """Queue the text of `rule` for everyone each statement of `owed` selects with its values (one
    per date the rule counts from): decided in one read-only transaction, then copied. The number
    queued. `connection` is the pass's own (its TEMP tables are the pass's, scheduler/passes.py)."""
    if not owed:
        return 0
    dialect = connection.dialect.name
    connection.execution_options(**{READ_ONLY: True})
    with connection.begin():
        connection.exec_driver_sql(_CREATE_OWED[dialect])
        connection.execute(delete(_OWED))
        for statement, values in owed:
            connection.execute(insert(_OWED).from_select(_DECIDED, statement(dialect)), values)
        first, last = connection.execute(select(func.min(_OWED.c.n), func.max(_OWED.c.n))).one()
    connection.execution_options(**{READ_ONLY: False})
    inserted = 0
    for start in range(first, last + 1, COPY_BATCH) if first is not None else ():
        with connection.begin():
            batch = {"now": now, "first": start, "last": start + COPY_BATCH - 1}
            inserted += len(connection.execute(_copy_owed(rule, dialect), batch).all())
    return inserted


def queue_rows(sessions: sessionmaker[Session], rows: list[dict[str, Any]]) -> int:
    """Insert rows made in Python under their unique key, a short transaction a batch; the number inserted."""
    inserted = 0
    for start in range(0, len(rows), WRITE_BATCH):
        with sessions.begin() as session:
            statement = _QUEUE[dialect_of(session)].returning(_O.c.id)
            inserted += len(session.execute(statement, rows[start : start + WRITE_BATCH]).all())
    return inserted


@cache
def _copy_owed(rule: Rule, dialect: str) -> Insert:
    """Copy rows `:first` to `:last` of the decided ones into the outbox."""
    decided = select(_OWED.c.participant_id, _OWED.c.occurrence, _OWED.c.due_at, *_row_of(rule)).where(
        _OWED.c.n.between(bindparam("first", type_=Integer), bindparam("last", type_=Integer))
    )
    return _upsert(dialect, decided)


def _row_of(rule: Rule) -> list[ColumnElement[Any]]:
    """The rest of an outbox row, after the participant, the occurrence and the moment: the same for everyone."""
    return [
        bindparam("rule", rule.name, type_=_O.c.rule.type),
        literal(OutreachKind.TEXT, _O.c.kind.type),
        literal(rule.template_for(1), _O.c.template.type),
        literal(OutreachState.QUEUED, _O.c.state.type),
        bindparam("now", type_=_O.c.created_at.type),
        bindparam("now", type_=_O.c.state_at.type),
    ]


def _upsert(dialect: str, rows: Select[Any]) -> Insert:
    names = ["participant_id", "occurrence", "due_at", "rule", "kind", "template", "state", "created_at", "state_at"]
    upsert = UPSERT_INSERTS[dialect](_O).from_select(names, rows)
    # The ids inserted count them (PostgreSQL's driver gives no row count for INSERT … SELECT here).
    return upsert.on_conflict_do_nothing(index_elements=_UNIQUE_KEY).returning(_O.c.id)  # type: ignore[no-any-return]


def engine_of(sessions: sessionmaker[Session]) -> Engine:
    with sessions() as session:
        bind = session.get_bind()
    assert isinstance(bind, Engine), "the sweep is given sessions bound to an engine"
    return bind
