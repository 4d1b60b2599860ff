"""Migration 0015 rebuilds the outbox under its new key (rule, occurrence, participant_id) on a
county's real rows: every row kept as it was, every message still pointing at its outreach, the
change log's triggers there and firing, the key still refusing a second row, and back down again.
On SQLite it is the documented table rebuild, with foreign keys off while it runs: they must be
on again afterwards, and a rebuild that fails must leave the old table as it was."""

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from bench.seed import NOW, seed
from bot.app import build_service
from bot.settings import Settings
from casefile.database import make_engine
from casefile.migrate import alembic_config, upgrade
from tests.support import FixedClock

TRIGGERS = {"sweep_outreach_new", "sweep_outreach_settled", "sweep_outreach_gone"}


def migrate(engine: Engine, revision: str) -> None:
    """Up or down to `revision` on the engine's own connection, as `waypoint db upgrade` runs it."""
    if revision == "head":
        upgrade(engine)
        return
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def snapshot(connection: Connection) -> dict[str, Any]:
    """Everything the rebuild must keep: every outreach row, and which outreach each message points at."""
    return {
        "outreach": connection.execute(text("SELECT * FROM outreach ORDER BY id")).all(),
        "messages": connection.execute(
            text("SELECT id, outreach_id FROM messages WHERE outreach_id IS NOT NULL ORDER BY id")
        ).all(),
        "joined": connection.execute(
            text("SELECT COUNT(*) FROM messages JOIN outreach ON outreach.id = messages.outreach_id")
        ).scalar_one(),
    }


def triggers_on_outreach(connection: Connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'outreach'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'outreach'::regclass AND NOT tgisinternal"
    return set(connection.execute(text(query)).scalars())


def keys_of(engine: Engine) -> tuple[list[list[str]], list[list[str]]]:
    outbox = inspect(engine)
    unique = [c["column_names"] for c in outbox.get_unique_constraints("outreach")]
    indexes = [[str(c) for c in i["column_names"]] for i in outbox.get_indexes("outreach") if not i.get("unique")]
    return [list(columns) for columns in unique], sorted(indexes)


def check_intact(engine: Engine, before: dict[str, Any]) -> None:
    with engine.begin() as connection:
        assert snapshot(connection) == before
        assert triggers_on_outreach(connection) == TRIGGERS
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
            # The rebuild turned them off on this very connection: they are on again.
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


def test_the_outbox_is_rebuilt_under_its_new_key_with_every_row_and_reference_kept(database_url: str) -> None:
    seed(database_url, 300, weeks=4)
    # The day's outreach queued by the sweep itself, beside the county's history.
    service = build_service(Settings(database_url=database_url), FixedClock(NOW))
    assert service.sweep().total() > 50
    service.close()
    # One connection: the one the rebuild turned foreign keys off on is the one checked after.
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    with engine.begin() as connection:
        before = snapshot(connection)
    assert (
        len(before["outreach"]) > 1000 and len(before["messages"]) > 500 and before["joined"] == len(before["messages"])
    )
    assert {row.state for row in before["outreach"]} >= {"queued", "dispatched", "skipped", "cancelled"}

    migrate(engine, "0014")
    assert keys_of(engine) == (
        [["participant_id", "rule", "occurrence"]],
        [["participant_id", "state"], ["rule", "state_at"], ["state", "due_at"]],
    )
    check_intact(engine, before)

    migrate(engine, "head")
    assert keys_of(engine) == (
        [["rule", "occurrence", "participant_id"]],
        [["rule", "state_at"], ["state", "due_at"], ["state", "participant_id", "rule"]],
    )
    check_intact(engine, before)

    first = before["outreach"][0]
    with engine.begin() as connection:
        # The change log's triggers fire on the new table: a row settled, a row deleted.
        connection.execute(text("DELETE FROM sweep_changes"))
        connection.execute(
            text("UPDATE outreach SET state = 'cancelled', reason = 'counselor' WHERE id = :id"), {"id": first.id}
        )
        unsent = connection.execute(
            text(
                "SELECT id, participant_id FROM outreach WHERE id NOT IN (SELECT outreach_id FROM messages "
                "WHERE outreach_id IS NOT NULL) ORDER BY id DESC LIMIT 1"
            )
        ).one()
        connection.execute(text("DELETE FROM outreach WHERE id = :id"), {"id": unsent.id})
        logged = connection.execute(text("SELECT participant_id FROM sweep_changes ORDER BY id")).scalars().all()
    assert logged == [first.participant_id, unsent.participant_id]
    # The key still refuses a second row of the same rule and occurrence for a participant.
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO outreach (participant_id, rule, occurrence, kind, template, due_at, state, "
                "created_at, state_at) SELECT participant_id, rule, occurrence, kind, template, due_at, "
                "'queued', created_at, state_at FROM outreach WHERE id = :id"
            ),
            {"id": first.id},
        )
    # And a message cannot point at outreach that is not there: foreign keys are enforced again.
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text("UPDATE messages SET outreach_id = :gone WHERE id = :id"),
            {"gone": unsent.id, "id": before["messages"][0].id},
        )
    engine.dispose()


def test_a_rebuild_that_finds_a_broken_reference_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'county.sqlite3'}"
    seed(url, 100, weeks=4)
    engine = make_engine(url, pool_size=1, max_overflow=0)
    migrate(engine, "0014")
    # A message pointing at outreach that is not there, as only a file edited by hand could have.
    raw = sqlite3.connect(tmp_path / "county.sqlite3")
    raw.execute("UPDATE messages SET outreach_id = 99999999 WHERE id = (SELECT MIN(id) FROM messages)")
    raw.commit()
    raw.close()
    with engine.begin() as connection:
        before = connection.execute(text("SELECT * FROM outreach ORDER BY id")).all()
    with pytest.raises(RuntimeError, match="1 rows of messages point at rows that are not there"):
        migrate(engine, "head")
    with engine.begin() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0014"
        assert connection.execute(text("SELECT * FROM outreach ORDER BY id")).all() == before
        assert triggers_on_outreach(connection) == TRIGGERS
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    assert keys_of(engine)[0] == [["participant_id", "rule", "occurrence"]]
    engine.dispose()
