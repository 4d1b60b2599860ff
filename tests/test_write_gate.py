"""SQLite's write lock goes to this process's writers in the order they asked for it
(casefile.write_gate): a job committing batch after batch cannot keep a webhook message waiting
behind it, as SQLite's own sleep-and-retry let it. These run on SQLite files alone: PostgreSQL
locks rows, not the database."""

import contextlib
import ctypes
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from casefile import write_gate
from casefile.database import make_engine
from casefile.write_gate import LONG_HOLD_SECONDS, gate_for, yielding

#: How long each of the job's transactions holds the lock.
HOLD_SECONDS = 0.01
#: Messages written one after another while the job runs.
MESSAGES = 5


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'gate.sqlite3'}"
    with make_engine(url).begin() as connection:
        connection.exec_driver_sql("CREATE TABLE turns (id INTEGER PRIMARY KEY AUTOINCREMENT, who TEXT)")
    return url


@pytest.fixture
def engines(database: str) -> Iterator[list[Engine]]:
    made: list[Engine] = []
    yield made
    for engine in made:
        engine.dispose()


def engine(engines: list[Engine], url: str, **options: object) -> Engine:
    made = make_engine(url, **options)  # type: ignore[arg-type]
    engines.append(made)
    return made


def write(engine: Engine, who: str) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO turns (who) VALUES (:who)"), {"who": who})


def turns(url: str) -> list[str]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        return [who for (who,) in connection.execute("SELECT who FROM turns ORDER BY id")]


class Job(threading.Thread):
    """A job that writes batch after batch, each holding the lock a while, with no pause between,
    until it is told to stop."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.batches_done = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set() and self.batches_done < 2000:
            with self.engine.begin() as connection:
                connection.execute(text("INSERT INTO turns (who) VALUES ('job')"))
                time.sleep(HOLD_SECONDS)
            self.batches_done += 1


def test_a_message_waits_for_the_batch_in_hand_not_for_the_whole_job(database: str, engines: list[Engine]) -> None:
    job = Job(engine(engines, database))
    webhook = engine(engines, database)
    job.start()
    asked_after = []
    try:
        for n in range(MESSAGES):
            while job.batches_done < 3 * (n + 1):
                time.sleep(HOLD_SECONDS / 4)
            asked_after.append(job.batches_done)
            write(webhook, f"message {n}")
    finally:
        job.stop.set()
        job.join()
    order = turns(database)
    for n, batches in enumerate(asked_after):
        went_first = order[: order.index(f"message {n}")].count("job") - batches
        # The batch in hand when it asked (and one more whose count was not yet up): not the rest.
        assert went_first <= 2, (n, went_first, order)


def test_a_writer_that_waited_in_vain_is_told_the_database_is_locked_and_leaves_the_line(
    database: str, engines: list[Engine]
) -> None:
    holder, impatient, later = (
        engine(engines, database),
        engine(engines, database, lock_wait_ms=100),
        engine(engines, database, lock_wait_ms=2000),
    )
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        with holder.begin() as connection:
            connection.execute(text("INSERT INTO turns (who) VALUES ('holder')"))
            holding.set()
            done.wait(timeout=10)

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait(timeout=10)
    with pytest.raises(OperationalError, match="database is locked"):
        write(impatient, "impatient")
    done.set()
    thread.join()
    # The one that gave up is not still in line: the next writer gets the lock at once.
    write(later, "later")
    assert turns(database) == ["holder", "later"]


def test_the_inline_path_does_not_wait_when_another_writer_holds_the_lock(database: str, engines: list[Engine]) -> None:
    holder, inline = engine(engines, database), engine(engines, database, lock_wait_ms=5000, wait_in_line=False)
    with holder.begin() as connection:
        connection.execute(text("INSERT INTO turns (who) VALUES ('holder')"))
        asked = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            write(inline, "inline")
        # At once, not after its 5 s wait: the work goes to a thread that waits in line.
        assert time.monotonic() - asked < 2.5
    write(inline, "inline")
    assert turns(database) == ["holder", "inline"]


def test_a_transaction_that_fails_gives_its_turn_back(database: str, engines: list[Engine]) -> None:
    failing, next_writer = engine(engines, database), engine(engines, database, lock_wait_ms=2000)
    with pytest.raises(ZeroDivisionError), failing.begin() as connection:
        connection.execute(text("INSERT INTO turns (who) VALUES ('undone')"))
        raise ZeroDivisionError
    write(next_writer, "next")
    assert turns(database) == ["next"]


def test_another_process_holding_the_lock_does_not_leave_the_turn_taken(database: str, engines: list[Engine]) -> None:
    """A CLI command beside serve writes without this process's gate: a writer here that waits for
    it in vain must not keep the turn, or every later writer would wait for nothing."""
    other_process = sqlite3.connect(database.removeprefix("sqlite:///"), isolation_level=None)
    other_process.execute("BEGIN IMMEDIATE")
    here = engine(engines, database, lock_wait_ms=100)
    with pytest.raises(OperationalError, match="database is locked"):
        write(here, "here")
    other_process.execute("ROLLBACK")
    other_process.close()
    write(engine(engines, database, lock_wait_ms=2000), "after")
    assert turns(database) == ["after"]


def test_a_transaction_that_holds_the_lock_long_is_logged_with_how_long(
    database: str, engines: list[Engine], caplog: pytest.LogCaptureFixture
) -> None:
    writer = engine(engines, database)
    with caplog.at_level(logging.INFO, logger="casefile.write_gate"):
        write(writer, "quick")
        assert not caplog.records
        with writer.begin() as connection:
            connection.execute(text("INSERT INTO turns (who) VALUES ('slow')"))
            time.sleep(LONG_HOLD_SECONDS * 1.2)
    [record] = caplog.records
    held_ms = float(record.getMessage().split("for ")[1].split(" ms")[0])
    assert held_ms >= LONG_HOLD_SECONDS * 1000


def queued(database: str) -> int:
    """Writers waiting in line at the database's gate (read from its queue, for ordering the test)."""
    return len(gate_for(database.removeprefix("sqlite:///"))._waiting)


def line_up(database: str, engines: list[Engine], pause: float = 0.0) -> list[str]:
    """A holder holds the lock; a job's writer queues; after `pause`, a message's writer queues;
    the holder commits. The order in which they wrote."""
    holder, job, webhook = (engine(engines, database) for _ in range(3))

    def job_writes() -> None:
        with yielding():
            write(job, "job")

    with holder.begin() as connection:
        connection.execute(text("INSERT INTO turns (who) VALUES ('holder')"))
        waiting = [threading.Thread(target=job_writes)]
        waiting[0].start()
        while queued(database) < 1:
            time.sleep(0.001)
        time.sleep(pause)
        waiting.append(threading.Thread(target=write, args=(webhook, "message")))
        waiting[1].start()
        while queued(database) < 2:
            time.sleep(0.001)
    for thread in waiting:
        thread.join()
    return turns(database)


def test_a_jobs_writer_lets_a_message_that_came_after_it_go_first(database: str, engines: list[Engine]) -> None:
    assert line_up(database, engines) == ["holder", "message", "job"]


def test_a_jobs_writer_that_waited_its_patience_goes_next(
    database: str, engines: list[Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(write_gate, "PATIENCE_SECONDS", 0.05)
    assert line_up(database, engines, pause=0.1) == ["holder", "job", "message"]


def test_a_writer_interrupted_while_in_line_leaves_it() -> None:
    """An exception that reaches a waiting writer (KeyboardInterrupt in a command) takes it out of
    the line: the turn is not handed to a writer that is gone, which would keep it for ever."""
    gate = write_gate.WriteGate()
    assert gate.acquire(1)

    class Interrupted(BaseException):
        pass

    def wait_in_line() -> None:
        with contextlib.suppress(Interrupted):
            gate.acquire(0.5)

    waiter = threading.Thread(target=wait_in_line)
    waiter.start()
    while not gate._waiting:
        time.sleep(0.001)
    # Delivered to the thread as it comes back from its wait, as a signal's exception would be.
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(waiter.ident or 0), ctypes.py_object(Interrupted))
    waiter.join()
    gate.release()
    assert gate.acquire(0.5)
