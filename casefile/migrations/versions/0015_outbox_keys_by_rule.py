"""the outbox's unique key and state index led by what the sweep queues together, not by participant

The sweep queues a day's outreach a rule and occurrence at a time, in participant order. Under
the key (participant_id, rule, occurrence) and the index (participant_id, state) each new row
landed on a random page of two b-trees of millions of entries; under (rule, occurrence,
participant_id) and (state, participant_id, rule) a sweep's rows land together at the end of their
occurrence and of the queued ones (bench/outbox_rows.py prints the cost a row of each layout).
A participant's own rows are still found by index: by (state, participant_id, rule), every reader
of them naming the states it wants (the rule third: SQLite, without statistics, would otherwise take
a rule's whole run of the unique key for a participant's rows in any of four states).

SQLite cannot drop a UNIQUE table constraint, so the table is rebuilt by its documented procedure
(https://www.sqlite.org/lang_altertable.html#otheralter): foreign keys off outside a transaction,
the new table made from the old one's own definition with only the key changed, the rows copied,
the old table dropped and the new one renamed, the old table's indexes and triggers (migration
0014's change log) made again from their own definitions, `PRAGMA foreign_key_check` on the
outbox and the messages that point at it, then foreign keys back on. On PostgreSQL the constraint
and the index are dropped and added.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 18:00:00
"""

import re
import sqlite3
from collections.abc import Sequence

from alembic import op
from sqlalchemy import Connection

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_KEY = ("uq_outreach_participant_id_rule_occurrence", "participant_id, rule, occurrence")
_NEW_KEY = ("uq_outreach_rule_occurrence_participant_id", "rule, occurrence, participant_id")
_OLD_INDEX = ("ix_outreach_participant_state", "participant_id, state")
_NEW_INDEX = ("ix_outreach_state_participant_rule", "state, participant_id, rule")


def upgrade() -> None:
    _relayout(_OLD_KEY, _NEW_KEY, _OLD_INDEX, _NEW_INDEX)


def downgrade() -> None:
    _relayout(_NEW_KEY, _OLD_KEY, _NEW_INDEX, _OLD_INDEX)


def _relayout(
    old_key: tuple[str, str], new_key: tuple[str, str], old_index: tuple[str, str], new_index: tuple[str, str]
) -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        op.execute(f"ALTER TABLE outreach DROP CONSTRAINT {old_key[0]}")
        op.execute(f"ALTER TABLE outreach ADD CONSTRAINT {new_key[0]} UNIQUE ({new_key[1]})")
        op.execute(f"DROP INDEX {old_index[0]}")
        op.execute(f"CREATE INDEX {new_index[0]} ON outreach ({new_index[1]})")
        return
    _rebuild_on_sqlite(connection, old_key, new_key, old_index, new_index)


def _rebuild_on_sqlite(
    connection: Connection,
    old_key: tuple[str, str],
    new_key: tuple[str, str],
    old_index: tuple[str, str],
    new_index: tuple[str, str],
) -> None:
    """The 12 steps. `PRAGMA foreign_keys` is a no-op inside a transaction, and the migration runs in
    one (casefile/migrate.py): what came before is committed here (alembic has already recorded the
    revision before this one, so the file is consistent), and a transaction is open again at the
    end for alembic to record this one."""
    sqlite = connection.connection.driver_connection
    assert isinstance(sqlite, sqlite3.Connection)
    sqlite.execute("COMMIT")
    sqlite.execute("PRAGMA foreign_keys=OFF")
    try:
        sqlite.execute("BEGIN IMMEDIATE")
        try:
            _rebuild(sqlite, old_key, new_key, old_index, new_index)
        except BaseException:
            sqlite.execute("ROLLBACK")
            raise
        sqlite.execute("COMMIT")
    finally:
        sqlite.execute("PRAGMA foreign_keys=ON")
        sqlite.execute("BEGIN IMMEDIATE")


def _rebuild(
    sqlite: sqlite3.Connection,
    old_key: tuple[str, str],
    new_key: tuple[str, str],
    old_index: tuple[str, str],
    new_index: tuple[str, str],
) -> None:
    [(table,)] = sqlite.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'outreach'").fetchall()
    # The table's own definition, whatever columns other migrations gave it, with only the key changed.
    old_constraint = f"CONSTRAINT {old_key[0]} UNIQUE ({old_key[1]})"
    # A table SQLite has renamed keeps its name quoted.
    head = re.match(r'CREATE TABLE "?outreach"? \(', table)
    if table.count(old_constraint) != 1 or head is None:
        raise RuntimeError(f"the outreach table is not as this migration expects: {table}")
    new_table = "CREATE TABLE outreach_new (" + table[head.end() :].replace(
        old_constraint, f"CONSTRAINT {new_key[0]} UNIQUE ({new_key[1]})"
    )
    # Indexes (but the one replaced) and triggers, from their own definitions, made again after.
    again = [
        sql
        for name, sql in sqlite.execute(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'outreach' AND type IN ('index', 'trigger') "
            "AND sql IS NOT NULL ORDER BY type, name"
        )
        if name != old_index[0]
    ]
    sqlite.execute(new_table)
    sqlite.execute("INSERT INTO outreach_new SELECT * FROM outreach ORDER BY id")
    sqlite.execute("DROP TABLE outreach")
    sqlite.execute("ALTER TABLE outreach_new RENAME TO outreach")
    for sql in again:
        sqlite.execute(sql)
    sqlite.execute(f"CREATE INDEX {new_index[0]} ON outreach ({new_index[1]})")
    for checked in ("outreach", "messages"):
        broken = sqlite.execute(f"PRAGMA foreign_key_check({checked})").fetchall()
        if broken:
            # Rolled back: the operator finds the rows (the pragma names them) and runs it again.
            raise RuntimeError(
                f"{len(broken)} rows of {checked} point at rows that are not there "
                f"(PRAGMA foreign_key_check({checked})); the outreach table was left as it was"
            )
