"""The scheduler's periodic jobs (APScheduler 3.x), and the lease that lets one process run them.

A few jobs, never one per participant: each has an explicit id, coalesces missed runs into one,
never overlaps itself, and may start late by up to twice its interval. Several web workers or
hosts may each start a scheduler: before every run a job renews a lease row in the database, and
only the lease's holder runs; when it stops renewing (crashed, shut down), another takes over once
the lease expires.
"""

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Table, bindparam, update
from sqlalchemy.orm import Session, sessionmaker

from casefile.base import UPSERT_INSERTS, dialect_of, table_of
from casefile.outreach import SchedulerLock
from casefile.write_gate import yielding

log = logging.getLogger(__name__)

_LOCKS = table_of(SchedulerLock)


def _take(upsert: Callable[[Table], Any]) -> Any:
    statement = upsert(_LOCKS)
    return statement.on_conflict_do_update(
        index_elements=["name"],
        set_={"holder": statement.excluded.holder, "expires_at": statement.excluded.expires_at},
        # Taken over only from ourselves (a renewal) or from a holder whose lease ran out.
        where=(_LOCKS.c.holder == statement.excluded.holder) | (_LOCKS.c.expires_at < bindparam("now")),
    ).returning(_LOCKS.c.holder)


_TAKE = {name: _take(upsert) for name, upsert in UPSERT_INSERTS.items()}


class Lease:
    """The right to run the scheduler's jobs, held in the `scheduler_locks` table."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Callable[[], datetime],
        name: str = "scheduler",
        ttl: timedelta = timedelta(minutes=2),
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self.name = name
        self.ttl = ttl
        self.holder = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def hold(self) -> bool:
        """Take or renew the lease; False while another live process holds it."""
        now = self._clock()
        with self._sessions.begin() as session:
            # A row comes back only when the insert or the update happened (not when WHERE said no).
            taken = session.execute(
                _TAKE[dialect_of(session)],
                {"name": self.name, "holder": self.holder, "expires_at": now + self.ttl, "now": now},
            ).scalar_one_or_none()
            return taken is not None

    def release(self) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(_LOCKS)
                .where(_LOCKS.c.name == self.name, _LOCKS.c.holder == self.holder)
                .values(expires_at=datetime(1970, 1, 1, tzinfo=UTC))
            )


@dataclass(frozen=True)
class PeriodicJob:
    id: str
    run: Callable[[], object]
    seconds: float


#: Told of each run that did work: the job's id, its seconds, and whether it finished (for /metrics).
JobObserver = Callable[[str, float, bool], None]


def start_jobs(jobs: Sequence[PeriodicJob], lease: Lease, observe: JobObserver | None = None) -> BackgroundScheduler:
    """Start the jobs on a background scheduler; each runs only while `lease` is held."""
    scheduler = BackgroundScheduler(timezone=UTC)
    for job in jobs:
        scheduler.add_job(
            _while_held(job, lease, observe),
            "interval",
            seconds=job.seconds,
            id=job.id,
            name=job.id,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=max(1, int(job.seconds * 2)),
            next_run_time=datetime.now(UTC),
        )
    scheduler.start()
    return scheduler


def _while_held(job: PeriodicJob, lease: Lease, observe: JobObserver | None) -> Callable[[], None]:
    def run() -> None:
        started = time.perf_counter()
        ok = False
        try:
            # A job's writes let the webhook's and the console's go first (casefile.write_gate).
            with yielding():
                if not lease.hold():
                    return
                job.run()
            ok = True
        except Exception:
            # The next run tries again; the rows say what is left to do.
            log.exception("the %s job failed", job.id)
        if observe is not None:
            observe(job.id, time.perf_counter() - started, ok)

    return run
