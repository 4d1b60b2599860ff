"""The WAL starts over while writers commit back to back (casefile.database.WalCheckpoints).

A PASSIVE checkpoint copies the WAL into the database file, but the WAL starts over only when a
writer begins after everything was copied. Under a burst the next writer is always already in line,
so it never did: the WAL grew to 475 MB, and the first commit after the burst cut it back with the
write lock held for 374 ms. The checkpoint thread now makes it start over once it is past a size."""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from casefile.database import WalCheckpoints, make_engine

ROUNDS = 30


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'county.sqlite3'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE texts (id INTEGER PRIMARY KEY, body BLOB)")
    yield engine
    engine.dispose()


def wal_pages(engine: Engine) -> int:
    """Pages in the WAL since it last started over (outside a transaction, where a checkpoint runs)."""
    connection = engine.raw_connection()
    try:
        ((_, pages, _),) = connection.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        return int(pages)
    finally:
        connection.close()


def write_and_wait(engine: Engine, written: threading.Event, go: threading.Event) -> None:
    """One transaction, held open until `go`."""
    with engine.begin() as writer:
        writer.exec_driver_sql("INSERT INTO texts (body) VALUES (randomblob(16000))")
        written.set()
        go.wait(5)


def commit_while_checkpointing(engine: Engine, checkpoints: WalCheckpoints) -> None:
    """Each round a writer is mid-transaction when the pass begins, as under a burst, and commits
    while the pass goes on (the pass waits for its turn behind the writer, if it takes one)."""
    connection = engine.raw_connection()
    try:
        for _ in range(ROUNDS):
            written, go = threading.Event(), threading.Event()
            writer = threading.Thread(target=write_and_wait, args=(engine, written, go))
            writer.start()
            assert written.wait(5)
            checkpointing = threading.Thread(target=checkpoints.checkpoint, args=(connection,))
            checkpointing.start()
            # Long enough for the PASSIVE copy of a few pages; the outcome does not hang on it.
            checkpointing.join(0.05)
            go.set()
            writer.join()
            checkpointing.join()
    finally:
        connection.close()


def test_the_wal_starts_over_under_back_to_back_writers(engine: Engine) -> None:
    commit_while_checkpointing(engine, WalCheckpoints([engine], restart_pages=8))
    # Each round writes 4 pages or more: without a restart the WAL holds every round's.
    assert wal_pages(engine) < 3 * 8


def test_below_the_size_the_wal_is_left_to_start_over_by_itself(engine: Engine) -> None:
    """A restart makes this process's writers wait; a small WAL is not worth it."""
    commit_while_checkpointing(engine, WalCheckpoints([engine], restart_pages=10_000))
    assert wal_pages(engine) >= ROUNDS * 4
