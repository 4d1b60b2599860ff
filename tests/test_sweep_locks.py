"""The sweep decides who is due without holding the database's one writer, and writes in short batches.

On SQLite every message waits for the write lock. Finding who is due reads a whole caseload
(seconds at 1M participants, bench/sweep.py), so it runs in read-only transactions, which begin
without the lock: for rules counted from a date they return only the id bounds of each batch of
WRITE_BATCH participants owed a text, and each batch is queued by one `INSERT … SELECT` over its
range in a transaction that does nothing else; re-engagement's rows, made in Python, go in
batches of at most WRITE_BATCH rows.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, func, select

from bench.seed import NOW, seed
from bot.app import Service, build_service
from bot.settings import Settings
from casefile.database import READ_ONLY
from casefile.outreach import Outreach, OutreachState
from scheduler.sweep import WRITE_BATCH
from tests.support import FixedClock


@pytest.fixture
def county(database_url: str) -> Iterator[Service]:
    seed(database_url, 1500, weeks=4)
    service = build_service(Settings(database_url=database_url), FixedClock(NOW))
    yield service
    service.close()


def transactions_of_a_sweep(service: Service) -> list[dict[str, Any]]:
    """Each transaction the sweep ran: read-only or not, its statements and how many rows each had."""
    transactions: list[dict[str, Any]] = []

    def begin(connection: Any) -> None:
        connection.info["current"] = {"read_only": bool(connection.get_execution_options().get(READ_ONLY))}
        connection.info["current"]["statements"] = []
        transactions.append(connection.info["current"])

    def statement(conn: Any, cursor: Any, sql: str, parameters: Any, context: Any, executemany: bool) -> None:
        # Rows made in Python go in as one multi-row INSERT … VALUES (…), (…) ("insertmanyvalues");
        # an INSERT … SELECT names the range of ids it decides over, counted once the sweep is done.
        rows: Any = sql.count("), (") + 1
        if " SELECT " in sql and sql.startswith("INSERT"):
            rows = {key: context.compiled_parameters[0].get(key) for key in ("first", "last", "rule", "occurrence")}
        if "current" in conn.info and not sql.startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            conn.info["current"]["statements"].append((" ".join(sql.split()), rows))

    event.listen(service.engine, "begin", begin)
    event.listen(service.engine, "before_cursor_execute", statement)
    try:
        queued = service.sweep()
    finally:
        event.remove(service.engine, "begin", begin)
        event.remove(service.engine, "before_cursor_execute", statement)
    # Every rule has someone due on this Monday morning in the seeded county.
    assert queued["check_in"] > 100 and queued["reengage"] > 100 and queued["hours_missing"] > 10
    return transactions


def test_deciding_reads_without_the_write_lock_and_writing_decides_nothing(county: Service) -> None:
    transactions = transactions_of_a_sweep(county)
    reads = [t for t in transactions if t["read_only"]]
    writes = [t for t in transactions if not t["read_only"]]
    assert reads and writes
    for transaction in reads:
        assert all(sql.startswith("SELECT") for sql, _ in transaction["statements"]), transaction
    decided_in_the_write = 0
    for transaction in writes:
        [(sql, rows)] = transaction["statements"]
        assert sql.startswith("INSERT INTO outreach"), sql
        if isinstance(rows, dict):
            decided_in_the_write += 1
            with county.sessions.begin() as session:
                rows = session.scalar(
                    select(func.count()).where(
                        Outreach.rule == rows["rule"],
                        # Re-engagement's attempt 1 is keyed by each participant's quiet spell: all
                        # of it queued now (the seeded county's earlier attempts were all sent).
                        Outreach.occurrence == rows["occurrence"]
                        if rows["occurrence"]
                        else Outreach.state == OutreachState.QUEUED,
                        Outreach.participant_id.between(rows["first"], rows["last"]),
                    )
                )
        assert 1 <= rows <= WRITE_BATCH
    # Every date's owed texts, and re-engagement's first attempts, are decided again in the write,
    # by range, not sent back as rows.
    assert decided_in_the_write > 1
    assert any(isinstance(rows, dict) and rows["rule"] == "reengage" for t in writes for _, rows in t["statements"])


def test_a_second_sweep_writes_nothing(county: Service) -> None:
    county.sweep()
    again = transactions_of_a_sweep_again(county)
    assert all(t["read_only"] for t in again)


def transactions_of_a_sweep_again(service: Service) -> list[dict[str, Any]]:
    transactions: list[dict[str, Any]] = []

    def begin(connection: Any) -> None:
        transactions.append({"read_only": bool(connection.get_execution_options().get(READ_ONLY))})

    event.listen(service.engine, "begin", begin)
    try:
        assert service.sweep().total() == 0
    finally:
        event.remove(service.engine, "begin", begin)
    return transactions
