"""Nothing else in the process stalls the dispatcher's write transactions (scheduler/turns.py):
while it holds the write lock no text is on its way, so its sender threads never keep it waiting
for the interpreter, and the garbage collector does not start. Through the real twilio Client to
the fake Twilio on 127.0.0.1, on SQLite and PostgreSQL."""

import gc
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from bot.app import Service
from bot.settings import Settings
from casefile.database import READ_ONLY
from casefile.vocabulary import MessageStatus
from casefile.write_gate import gate_for, yielding
from scheduler.dispatch import plan_due
from scheduler.outbox import send_queued
from scheduler.turns import locked_transaction
from tests.fake_twilio import FakeTwilio, Planned, run_fake_twilio
from tests.support import FixedClock
from tests.test_dispatch import welcomes_due

NAMES = ["Ana", "Luis", "Mai", "Tomas", "Rosa", "Kim", "Jordan", "Lupe", "Omar", "Vi"]


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    yield from run_fake_twilio()


@pytest.fixture
def sender(settings: Settings, clock: FixedClock, twilio: FakeTwilio) -> Iterator[Service]:
    """The demo's two and 70 more, their welcomes due now: three groups of texts to claim and record."""
    people = [(NAMES[n % len(NAMES)], f"+1510556{n:04d}") for n in range(70)]
    built = welcomes_due(settings, clock, twilio, people)
    yield built
    built.close()


def test_no_text_reaches_twilio_nor_the_collector_runs_while_the_dispatcher_holds_the_write_lock(
    sender: Service, twilio: FakeTwilio
) -> None:
    # Each send takes 10 ms at the provider, so a group's sends on four threads overlap the next
    # group's claim and the last group's record unless they take turns.
    twilio.plan.extend(Planned(delay=0.01) for _ in range(80))
    arrived_meanwhile: list[int] = []
    dispatching = threading.get_ident()

    def began(connection: Any) -> None:
        if threading.get_ident() == dispatching and not connection.get_execution_options().get(READ_ONLY):
            connection.info["requests"] = len(twilio.requests)

    def ended(connection: Any) -> None:
        if (before := connection.info.pop("requests", None)) is not None:
            arrived_meanwhile.append(len(twilio.requests) - before)

    collector_on: list[bool] = []

    def statement(connection: Any, *args: Any) -> None:
        if "requests" in connection.info:  # inside one of the dispatcher's write transactions
            collector_on.append(gc.isenabled())

    event.listen(sender.engine, "begin", began)
    event.listen(sender.engine, "before_cursor_execute", statement)
    event.listen(sender.engine, "commit", ended)
    # The dispatcher's two passes, as Service.dispatch runs them after settling what an earlier run left.
    rules = {rule.name: rule for rule in sender.rules}
    while plan_due(sender.sessions, rules, sender.calendar, sender.renderer, sender.clock()):
        pass
    sent = send_queued(sender.sessions, sender.transports(), sender.clock, workers=4)
    assert sent[MessageStatus.SENT] == 72 == len(twilio.requests)
    # The plan's writes, a claim for each of the 3 groups (recording the group before it), the last's record.
    assert len(arrived_meanwhile) >= 5
    assert sum(arrived_meanwhile) == 0
    assert collector_on and not any(collector_on)
    assert gc.isenabled()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_collector_runs_while_a_job_waits_in_line_for_the_write_lock(service: Service) -> None:
    """Paused only once the job's transaction holds the lock: a job's writer may wait a second or
    more behind the webhook's (casefile.write_gate), and the process must not go without a
    collector all that time."""
    holding, done = threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def hold() -> None:
        with service.sessions.begin() as session:
            session.connection()
            holding.set()
            done.wait(timeout=10)

    def job() -> None:
        with yielding(), locked_transaction(service.sessions):
            seen["in the transaction"] = gc.isenabled()

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(timeout=10)
    waiting = threading.Thread(target=job)
    waiting.start()
    while not gate_for(str(service.engine.url.database))._waiting:
        time.sleep(0.001)
    seen["while it waits"] = gc.isenabled()
    done.set()
    holder.join()
    waiting.join()
    assert seen == {"while it waits": True, "in the transaction": False}
    assert gc.isenabled()
