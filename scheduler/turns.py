"""The outbox's sends and its write transactions take turns in one process.

Python runs one thread at a time (the GIL), and SQLite gives the interpreter back on every row it
steps through. A write transaction open while sender threads build requests and read answers
waited for the interpreter up to 5 ms a row, and held SQLite's write lock all the while (every
webhook message waits for it): a group's results took 390 ms to record at a county's size (bench/
dispatch_county.py), of which 5 ms were its own work. So a write transaction begins once the sends
in flight have finished, and no send begins while it is open.

A send that takes long is waiting for the network, not the interpreter: a write transaction waits
for the sends in flight at most `PATIENCE`, so a slow provider never stalls the outbox.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: The longest a write transaction waits for the sends in flight (seconds).
PATIENCE = 0.05


class Turns:
    def __init__(self, patience: float = PATIENCE) -> None:
        self._patience = patience
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
    def writing(self) -> Iterator[None]:
        """A write transaction: it begins when the sends in flight have finished (or after PATIENCE),
        and no send begins until it ends."""
        with self._changed:
            self._writing = True
            self._changed.wait_for(lambda: self._sending == 0, timeout=self._patience)
        try:
            yield
        finally:
            with self._changed:
                self._writing = False
                self._changed.notify_all()
