"""The sweep decides who is due without holding the database's one writer, and writes in short batches.

On SQLite every message waits for the write lock. Finding who is due reads a whole caseload
(seconds at 1M participants, bench/sweep.py), so it runs in read-only transactions, which begin
without the lock and write only the connection's own TEMP table of who is owed (`INSERT … SELECT`);
the rows are then copied into the outbox in transactions that do nothing else and decide nothing,
each as many rows as the last one's pace fits in WRITE_BUDGET (at most MOST_ROWS). Re-engagement's
later attempts, made in Python, go in batches sized the same way. PostgreSQL takes the same path.
"""

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, update

from bench.seed import NOW, seed
from bot.app import Service, build_service
from bot.settings import Settings
from casefile.database import READ_ONLY
from casefile.people import Participant
from scheduler import queueing
from scheduler.queueing import FEWEST_ROWS, MOST_ROWS, WRITE_BATCH, WRITE_BUDGET, Batches
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
            assert 1 <= rows["last"] - rows["first"] + 1 <= MOST_ROWS
            copied_by_rule[rows["rule"]] += 1
        else:
            assert 1 <= rows <= MOST_ROWS
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


def test_a_write_transaction_queues_what_the_last_ones_pace_fits_in_the_budget() -> None:
    """Fast batches grow, at most doubling, up to MOST_ROWS; a slow one (a loaded machine, cold
    pages) shrinks the next to what its pace fits in the budget, never under FEWEST_ROWS; a copy's
    short, quick tail changes nothing."""
    batches = Batches()
    assert batches.size == WRITE_BATCH
    batches.took(WRITE_BATCH, WRITE_BUDGET / 10)
    assert batches.size == 2 * WRITE_BATCH, "at most twice the last"
    for _ in range(20):
        batches.took(batches.size, 0.001)
    assert batches.size == MOST_ROWS
    batches.took(MOST_ROWS, WRITE_BUDGET * 4)
    assert batches.size == MOST_ROWS // 4
    batches.took(3, 0.0001)
    assert batches.size == MOST_ROWS // 4, "a short tail"
    batches.took(3, WRITE_BUDGET * 10)
    assert batches.size == FEWEST_ROWS, "a slow tail still slows the next"


def test_a_county_sized_copy_grows_its_batches(county: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    """With everyone's check-in on Monday, the seeded county's check-ins are copied in growing
    batches, not WRITE_BATCH each. The budget is made ample, so that a loaded machine's slow
    transactions do not shrink them (how long each held the lock is bench/sweep.py's to print)."""
    monkeypatch.setattr(queueing, "WRITE_BUDGET", 10.0)
    with county.sessions.begin() as session:
        session.execute(update(Participant).values(check_in_day=0))
    sizes: list[int] = []

    def statement(connection: Any, cursor: Any, sql: str, parameters: Any, context: Any, many: bool) -> None:
        if "sweep_owed.n BETWEEN" in sql:
            batch = context.compiled_parameters[0]
            sizes.append(batch["last"] - batch["first"] + 1)

    event.listen(county.engine, "before_cursor_execute", statement)
    try:
        county.sweep()
    finally:
        event.remove(county.engine, "before_cursor_execute", statement)
    assert max(sizes) > WRITE_BATCH and sum(sizes) > 1000, sizes
    assert max(sizes) <= MOST_ROWS
