"""How the sweep queues what SQL decided: `INSERT … SELECT`, and on SQLite without holding the
one writer while deciding.

On SQLite every message waits for the one writer, and deciding over a county takes seconds, so
who is owed a text is written by `INSERT … SELECT` to a TEMP table in a read-only transaction (a
connection's temp tables are its own: writing them takes no lock on the database), and the rows
are then copied from it into the outbox in short write transactions that decide nothing, each as
many rows as fit in WRITE_BUDGET (`Batches`); a sweep that finds nobody owed writes nothing. PostgreSQL takes the same
path (one code path, tested on both). No participant's row passes through Python, and the unique
key (rule, occurrence, participant) keeps a concurrent or repeated sweep's rows out.
"""

import time
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

#: Rows queued by a pass's first write transaction: SQLite has one writer, and every message waits
#: for it (~50 ms at most, issue 19). A copy's first rows find the outbox's pages cold: 500 took
#: 47.6 ms of CPU at 1M participants (bench/sweep.py prints the longest), so it starts at 200.
WRITE_BATCH = 200
#: How long a write transaction of the sweep aims to hold the lock; the next one's rows follow
#: from what the last took (`Batches`). A fifth of the ~50 ms a message may wait: a batch at most
#: doubles, and at 20 ms a loaded machine's longest copy at 100k held it 58.5 ms (bench/sweep.py).
WRITE_BUDGET = 0.010
#: The most rows a write transaction queues, and the fewest. At 1M, 200 rows a transaction, the
#: first sweep's copies took 2.98 s of CPU for 298k rows (bench/sweep.py), about 2 ms a transaction,
#: far under the budget, and its profile had 1.5 s of commits beside 2.4 s of copying.
MOST_ROWS, FEWEST_ROWS = 5000, 20


class Batches:
    """How many rows the sweep's next write transaction queues: as many as the last one's pace fits
    in WRITE_BUDGET of wall time (the time the lock is held: on a loaded machine it grows, and the
    batches shrink with it), at most twice the last. One for a whole pass, so each copy starts at
    the pace the last one ended at."""

    def __init__(self) -> None:
        self.size = WRITE_BATCH

    def took(self, rows: int, seconds: float) -> None:
        """A write transaction of `rows` rows (decided ones it copied) held the lock `seconds`."""
        if rows < self.size and seconds < WRITE_BUDGET:
            return  # a copy's short tail says little about the pace
        fits = int(rows * WRITE_BUDGET / max(seconds, 1e-6))
        self.size = max(FEWEST_ROWS, min(MOST_ROWS, 2 * self.size, fits))


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


def queue_owed(
    connection: Connection, rule: Rule, owed: list[tuple[Owed, dict[str, Any]]], now: datetime, batches: Batches
) -> int:
    """Queue the text of `rule` for everyone each statement of `owed` selects with its values (one
    per date the rule counts from): decided in one read-only transaction, then copied, `batches`
    sizing each copy. The number queued. `connection` is the pass's own (its TEMP tables are the
    pass's, scheduler/passes.py)."""
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
    inserted, start = 0, first
    while first is not None and start <= last:
        size = min(batches.size, last - start + 1)
        with connection.begin():
            began = time.perf_counter()  # once the lock is held (BEGIN IMMEDIATE), not while waiting for it
            batch = {"now": now, "first": start, "last": start + size - 1}
            inserted += len(connection.execute(_copy_owed(rule, dialect), batch).all())
        batches.took(size, time.perf_counter() - began)
        start += size
    return inserted


def queue_rows(sessions: sessionmaker[Session], rows: list[dict[str, Any]], batches: Batches) -> int:
    """Insert rows made in Python under their unique key, a short transaction a batch (`batches`
    sizing each); the number inserted."""
    inserted, start = 0, 0
    while start < len(rows):
        size = min(batches.size, len(rows) - start)
        with sessions.begin() as session:
            session.connection()  # BEGIN IMMEDIATE: the lock is held from here
            began = time.perf_counter()
            statement = _QUEUE[dialect_of(session)].returning(_O.c.id)
            inserted += len(session.execute(statement, rows[start : start + size]).all())
        batches.took(size, time.perf_counter() - began)
        start += size
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
