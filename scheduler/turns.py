"""What else in the process must not stall the dispatcher's write transactions: the outbox's own
sends, and Python's garbage collector.

Python runs one thread at a time (the GIL), and SQLite gives the interpreter back on every row it
steps through. A write transaction open while sender threads build requests and read answers
waited for the interpreter up to 5 ms a row, and held SQLite's write lock all the while (every
webhook message waits for it): at a county's size one of them held it 195 ms for 5.5 ms of its own
work (bench/dispatch_county.py). So a write transaction begins once the sends in flight have
finished, and no send begins while it is open.

A slow provider makes the outbox wait before it takes the lock, never while it holds it: a
transaction waits for the sends in flight (the client's timeout bounds them), and a group is
claimed once the one before it has gone.

A full run of the cyclic garbage collector stops every thread: in a process holding a county's
work it took 326 ms (131 ms of CPU) inside a write transaction of 4 statements. While a write
transaction is open the collector does not start; it runs, if it is due, once the lock is let go.
"""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker


class Turns:
    """Between the sender threads and the one thread that writes (the one running send_queued)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._sending = 0
        self._writing = False

    @contextmanager
    def sending(self) -> Iterator[None]:
        """A send: it begins when no write transaction is open."""
        with self._changed:
            self._changed.wait_for(lambda: not self._writing)
            self._sending += 1
        try:
            yield
        finally:
            with self._changed:
                self._sending -= 1
                self._changed.notify_all()

    @contextmanager
    def writing(self, sessions: sessionmaker[Session]) -> Iterator[Session]:
        """A write transaction: it begins when the sends in flight have finished, and no send
        begins until it ends."""
        try:
            with self._changed:
                self._writing = True
                self._changed.wait_for(lambda: self._sending == 0)
            with locked_transaction(sessions) as session:
                yield session
        finally:
            # However the wait ended: a flag left up would hold every sender back for good.
            with self._changed:
                self._writing = False
                self._changed.notify_all()


@contextmanager
def locked_transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A write transaction in which the collector does not start once it holds the write lock.
    Not while it waits for the lock: a job's writer may wait in line a second or more
    (casefile.write_gate), and the whole process would go without a collector meanwhile."""
    with sessions.begin() as session:
        session.connection()
        with collection_paused():
            yield session


_pauses = 0
_resume = False
_pausing = threading.Lock()


@contextmanager
def collection_paused() -> Iterator[None]:
    """The garbage collector does not start while this is open, in any thread (it may be open in
    several at once); it is left as it was found when the last one closes."""
    global _pauses, _resume
    with _pausing:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pausing:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()
