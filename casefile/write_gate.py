"""SQLite's one write lock, handed over first come, first served among one process's writers.

SQLite makes a writer that finds the lock taken sleep and try again (1, 2, 5 … 100 ms apart). A job
that commits a batch and at once begins its next one has the lock back long before a sleeping
writer wakes, so while a job ran a webhook message could wait behind batch after batch for
seconds. In one process each writer instead takes its turn here just before BEGIN IMMEDIATE, and
the end of a transaction hands the turn to the writer that has waited longest: a message waits for
the transactions ahead of it, not for luck.

A scheduler's job writes in batches of its own choosing and nobody waits for its answer, while a
participant waits for the webhook's: a job's writer (`yielding`) lets every other writer in line go
first, until it has waited PATIENCE_SECONDS; then it goes next, so jobs never stop under any load.

Only this process's writers queue here. Another process (a CLI command beside `serve`) still meets
SQLite's own waiting, which keeps every writer correct: the gate orders, SQLite's lock excludes.
"""

import logging
import sqlite3
import threading
import time
import traceback
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

#: A write transaction that holds the lock longer than this is logged, with where it ended: every
#: message in line waited as long (issue 19 wants none over ~50 ms).
LONG_HOLD_SECONDS = 0.25
#: How long a job's writer lets others go first before it takes the next turn.
PATIENCE_SECONDS = 1.0
#: The code whose frames say where a long transaction was (not SQLAlchemy's or the standard library's).
_OURS = ("/bot/", "/casefile/", "/conversations/", "/notes/", "/scheduler/")


@dataclass(eq=False)
class _Waiter:
    yielding: bool
    since: float = field(default_factory=time.monotonic)
    turn: threading.Event = field(default_factory=threading.Event)


_thread = threading.local()


@contextmanager
def yielding() -> Iterator[None]:
    """This thread's writers are a job's: they let the others in line go first (see above)."""
    _thread.yielding = True
    try:
        yield
    finally:
        _thread.yielding = False


class WriteGate:
    """A lock that goes to its waiters in the order they came, except that a job's writer lets the
    others go first for a while; each waits at most its timeout."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiting: deque[_Waiter] = deque()

    def acquire(self, timeout: float, wait_in_line: bool = True) -> bool:
        """True once the turn is this caller's; False after `timeout` seconds, or at once when
        another writer holds it or waits and `wait_in_line` is False."""
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            if not wait_in_line:
                return False
            waiter = _Waiter(getattr(_thread, "yielding", False))
            self._waiting.append(waiter)
        try:
            if waiter.turn.wait(timeout):
                return True
        except BaseException:
            # Interrupted while in line (KeyboardInterrupt in a command): a turn handed to a writer
            # that is gone would never come back, and every writer after it would wait in vain.
            if self._leave(waiter):
                self.release()
            raise
        return self._leave(waiter)

    def _leave(self, waiter: _Waiter) -> bool:
        """Out of the line; True if the turn was handed over meanwhile (it is the waiter's, and it
        must not be lost)."""
        with self._mutex:
            if waiter.turn.is_set():
                return True
            self._waiting.remove(waiter)
            return False

    def taken(self) -> bool:
        """Whether a writer holds the turn (and so whether any waits for it)."""
        with self._mutex:
            return self._held

    def release(self) -> None:
        with self._mutex:
            if not self._waiting:
                self._held = False
                return
            # Straight to the next waiter: the writer releasing cannot take it back first.
            chosen = self._next()
            self._waiting.remove(chosen)
            chosen.turn.set()

    def _next(self) -> _Waiter:
        longest = self._waiting[0]
        if not longest.yielding or time.monotonic() - longest.since > PATIENCE_SECONDS:
            return longest
        return next((waiter for waiter in self._waiting if not waiter.yielding), longest)


class GatedConnection(sqlite3.Connection):
    """An SQLite connection that gives its gate back when its transaction ends, however it ends."""

    gate: WriteGate | None = None
    holds_gate = False
    taken_at = 0.0

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.let_go()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.let_go()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.let_go()

    def take_turn(self, timeout: float, wait_in_line: bool) -> bool:
        if self.gate is None or self.holds_gate:
            return True
        self.holds_gate = self.gate.acquire(timeout, wait_in_line)
        self.taken_at = time.monotonic()
        return self.holds_gate

    def let_go(self) -> None:
        if self.holds_gate and self.gate is not None:
            self.holds_gate = False
            self.gate.release()
            held = time.monotonic() - self.taken_at
            if held > LONG_HOLD_SECONDS:
                log.info("a write transaction held SQLite's lock for %.0f ms, ending at %s", held * 1000, _where())


def _where() -> str:
    """The innermost frame of our own code on this thread's stack: which pass held the lock."""
    for frame in reversed(traceback.extract_stack()):
        if any(part in frame.filename for part in _OURS) and not frame.filename.endswith(
            ("write_gate.py", "database.py")
        ):
            return (
                f"{frame.filename.rsplit('/', 2)[-2]}/{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}"
            )
    return "(not our code)"


_gates: dict[Path, WriteGate] = {}
_gates_mutex = threading.Lock()


def gate_for(database: str) -> WriteGate:
    """The one gate of a database file in this process, whichever engine opens it."""
    path = Path(database).resolve()
    with _gates_mutex:
        return _gates.setdefault(path, WriteGate())
