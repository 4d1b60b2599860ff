"""How request handlers run blocking database work: `await run(function, *args)`."""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

T = TypeVar("T")
DatabaseRunner = Callable[..., Awaitable[Any]]


def database_runner(is_sqlite: bool) -> DatabaseRunner:
    """SQLite takes one writer at a time, so a thread per request adds no concurrency, only
    hand-offs: run inline, the webhook handles 1.8 times the messages a second (bench/webhook.py).
    PostgreSQL serves many connections at once, so its work goes to a pool of threads."""
    if is_sqlite:
        return run_inline
    limiter = CapacityLimiter(16)

    async def run_in_thread(work: Callable[..., T], *args: Any) -> T:
        return await anyio.to_thread.run_sync(work, *args, limiter=limiter)

    return run_in_thread


async def run_inline(work: Callable[..., T], *args: Any) -> T:
    return work(*args)
