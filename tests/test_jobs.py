"""The scheduler's periodic jobs on APScheduler, and the lease that lets one process run them."""

import threading
import time
from collections import Counter
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.app import Service
from scheduler.jobs import Lease, PeriodicJob, start_jobs
from tests.channels import ConsoleAdapter
from tests.support import FixedClock


def test_one_lease_holder_at_a_time_and_another_takes_over_when_it_lapses(service: Service, clock: FixedClock) -> None:
    first, second = Lease(service.sessions, clock), Lease(service.sessions, clock)
    assert first.hold()
    assert not second.hold()
    assert first.hold()  # renewing
    clock.advance(seconds=first.ttl.total_seconds() - 1)
    assert not second.hold()
    clock.advance(seconds=2)
    assert second.hold()
    assert not first.hold()
    second.release()
    assert first.hold()


def test_the_jobs_are_few_named_and_never_overlap(service: Service) -> None:
    jobs = service.periodic_jobs()
    assert [job.id for job in jobs] == ["sweep", "dispatch", "documents", "notes", "alerts"]
    scheduler = start_jobs(jobs, Lease(service.sessions, service.clock))
    try:
        for job in scheduler.get_jobs():
            assert (job.coalesce, job.max_instances) == (True, 1)
            assert job.misfire_grace_time >= job.trigger.interval.total_seconds()
    finally:
        scheduler.shutdown(wait=True)


def test_only_the_lease_holder_runs_the_jobs(service: Service, clock: FixedClock) -> None:
    runs: list[str] = []
    ran = threading.Event()

    def job(name: str) -> PeriodicJob:
        return PeriodicJob("tick", lambda: (runs.append(name), ran.set()), 0.05)

    holder = Lease(service.sessions, clock)
    assert holder.hold()
    standby: BackgroundScheduler = start_jobs([job("standby")], Lease(service.sessions, clock))
    active: BackgroundScheduler = start_jobs([job("holder")], holder)
    try:
        assert ran.wait(5)
        time.sleep(0.3)
    finally:
        standby.shutdown(wait=True)
        active.shutdown(wait=True)
    assert "holder" in runs and "standby" not in runs
    clock.advance(seconds=holder.ttl.total_seconds() + 1)
    assert Lease(service.sessions, clock).hold()  # a lapsed holder's lease is taken over


def test_a_failing_job_is_logged_and_runs_again(service: Service, clock: FixedClock) -> None:
    calls: list[int] = []
    again = threading.Event()

    def flaky() -> None:
        calls.append(1)
        if len(calls) >= 2:
            again.set()
        raise RuntimeError("database away")

    scheduler = start_jobs(
        [PeriodicJob("flaky", flaky, 0.05)], Lease(service.sessions, clock, ttl=timedelta(minutes=5))
    )
    try:
        assert again.wait(5)
    finally:
        scheduler.shutdown(wait=True)


def test_a_service_shutting_down_leaves_the_jobs_work_for_its_next_start(service: Service, clock: FixedClock) -> None:
    """SIGTERM sets `stopping`: every job's loop stops between passes, and nothing is lost — the
    rows say what is left, and the next run does it."""
    ConsoleAdapter(service, clock).send("YES", "stop-1")
    clock.advance(days=2, hours=3)
    service.stopping.set()
    assert sum(service.sweep().values()) == 0
    assert service.draft_notes() == Counter(contacts=0, verifications=0)
    service.stopping.clear()
    assert sum(service.sweep().values()) > 0
    assert service.draft_notes()["contacts"] > 0
