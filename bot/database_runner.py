"""How request handlers run blocking database work: `await run(function, *args)`."""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

T = TypeVar("T")
DatabaseRunner = Callable[..., Awaitable[Any]]


def database_runner(is_sqlite: bool) -> DatabaseRunner:
    """Database work runs on threads, never on the event loop: on SQLite a writer holding the lock
    (the notes job at start-up, a long sweep) would otherwise stall every request while a statement
    waits for it (worst answer 5.3 s; issue 16, item 9). SQLite takes one writer at a time, so a few
    threads are enough; PostgreSQL serves many connections at once. The SMS webhook keeps an inline
    fast path of its own, bounded (bot/channels/sms/webhook.py)."""
    limiter = CapacityLimiter(4 if is_sqlite else 16)

    async def run_in_thread(work: Callable[..., T], *args: Any) -> T:
        return await anyio.to_thread.run_sync(work, *args, limiter=limiter)

    return run_in_thread
