"""Answering a webhook within a time budget, whatever the database does (issue 16, items 3 and 9).

Twilio hangs up after 15 seconds; a reply in a TwiML answer that nobody reads is lost, and it must
not be recorded as sent. So the work runs on a thread, and the webhook waits for it at most its
budget. Who decides how the replies go is settled once, under a lock, by whichever comes first:
the work, just before it commits (the replies go in the answer: they are recorded SENT), or the
webhook at the deadline (it answers 503; the work goes on and its replies are QUEUED for the outbox).
"""

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class BudgetSpent(Exception):
    """The webhook's budget ran out before the work was done; the work goes on without it."""


class InlineWindow:
    """Whether replies can still go back in the webhook's own answer."""

    def __init__(self, budget: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._deadline = clock() + budget
        self._lock = threading.Lock()
        self._inline: bool | None = None

    def remaining(self) -> float:
        return max(0.0, self._deadline - self._clock())

    def take(self) -> bool:
        """Called by the work before it commits: True if its replies go in the answer."""
        with self._lock:
            if self._inline is None:
                self._inline = self._clock() < self._deadline
            return self._inline

    def give_up(self) -> bool:
        """Called by the webhook at the deadline: True if the work had not taken the answer (its
        replies will be queued), False if it had and is committing them now (wait for it)."""
        with self._lock:
            if self._inline is None:
                self._inline = False
            return not self._inline


class Offload:
    """A pool of threads for webhook work that must not hold up the event loop."""

    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="webhook")

    async def call(self, work: Callable[..., T], *args: Any) -> T:
        """The work's result, on one of the pool's threads, however long it takes."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, work, *args)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


async def within(window: InlineWindow, future: "asyncio.Future[T]") -> T:
    """The future's result, or BudgetSpent at the window's deadline (the future is not cancelled:
    the work goes on, and its replies are queued)."""
    try:
        return await asyncio.wait_for(asyncio.shield(future), window.remaining())
    except TimeoutError:
        if not window.give_up():
            return await future
        raise BudgetSpent from None
