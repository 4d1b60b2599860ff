"""The sweep decides who is due without holding the database's one writer, and writes in short batches.

On SQLite every message waits for the write lock. Finding who is due reads a whole caseload
(seconds at 1M participants, bench/sweep.py), so it runs in read-only transactions, which begin
without the lock and write only the connection's own TEMP table of who is owed (`INSERT … SELECT`);
the rows are then copied into the outbox at most COPY_BATCH at a time, in transactions that do
nothing else and decide nothing. Re-engagement's later attempts, made in Python, go in batches of
at most WRITE_BATCH rows. PostgreSQL takes the same path.
"""

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from bench.seed import NOW, seed
from bot.app import Service, build_service
from bot.settings import Settings
from casefile.database import READ_ONLY
from scheduler.queueing import COPY_BATCH, WRITE_BATCH
from tests.support import FixedClock
from tests.transactions import inserted_rows, record_transactions


@pytest.fixture
def county(database_url: str) -> Iterator[Service]:
    seed(database_url, 1500, weeks=4)
    service = build_service(Settings(database_url=database_url), FixedClock(NOW))
    yield service
    service.close()


def sweep_rows(sql: str, context: Any) -> Any:
    """Rows made in Python, or the range of decided rows a copy names."""
    if "sweep_owed.n BETWEEN" in sql:
        return {key: context.compiled_parameters[0][key] for key in ("first", "last", "rule")}
    return inserted_rows(sql, context)


def transactions_of_a_sweep(service: Service) -> list[dict[str, Any]]:
    """Each transaction the sweep ran: read-only or not, its statements and how many rows each had."""
    queued, transactions = record_transactions(service.engine, service.sweep, sweep_rows)
    # Every rule has someone due on this Monday morning in the seeded county.
    assert queued["check_in"] > 100 and queued["reengage"] > 100 and queued["hours_missing"] > 10
    return transactions


def test_deciding_reads_without_the_write_lock_and_writing_decides_nothing(county: Service) -> None:
    transactions = transactions_of_a_sweep(county)
    reads = [t for t in transactions if t["read_only"]]
    writes = [t for t in transactions if not t["read_only"]]
    assert reads and writes
    # The TEMP tables of who is owed, and of the pass (the changes it saw, whom it decides for).
    temp: tuple[str, ...] = (
        "CREATE TEMP TABLE IF NOT EXISTS sweep_",
        "DELETE FROM sweep_owed",
        "INSERT INTO sweep_owed ",
    )
    temp += ("DELETE FROM sweep_episodes", "INSERT INTO sweep_episodes ")  # re-engagement's quiet spells
    temp += ("DELETE FROM sweep_seen", "INSERT INTO sweep_seen ", "DELETE FROM sweep_dirty", "INSERT INTO sweep_dirty ")
    for transaction in reads:
        reads_only = ("SELECT", "WITH RECURSIVE zones", *temp)  # the zones lived in, then who is owed
        assert all(sql.startswith(reads_only) for sql, _ in transaction["statements"]), transaction
    copied_by_rule: Counter[str] = Counter()
    *writes, finished = writes
    assert [sql.split(" (")[0].split(" WHERE")[0] for sql, _ in finished["statements"]] == [
        "INSERT INTO sweep_passes",
        "DELETE FROM sweep_passes",
    ], "the last write records the pass, and nothing else"
    for transaction in writes:
        [(sql, rows)] = transaction["statements"]
        assert sql.startswith("INSERT INTO outreach"), sql
        if isinstance(rows, dict):
            # A copy of decided rows: it reads no participant, and holds a batch at most.
            assert "participants" not in sql and "FROM sweep_owed" in sql, sql
            assert rows["last"] - rows["first"] + 1 == COPY_BATCH
            copied_by_rule[rows["rule"]] += 1
        else:
            assert 1 <= rows <= WRITE_BATCH
    # The check-ins and the first re-engagement texts were decided in SQL, not sent back as rows.
    assert copied_by_rule["check_in"] >= 1 and copied_by_rule["reengage"] >= 1, copied_by_rule


def test_a_second_sweep_writes_only_that_it_swept(county: Service) -> None:
    county.sweep()
    again = transactions_of_a_sweep_again(county)
    assert [t["read_only"] for t in again].count(False) == 1, "the pass's record (scheduler/passes.py)"


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
