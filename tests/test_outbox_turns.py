"""Nothing else in the process stalls the dispatcher's write transactions (scheduler/turns.py):
while it holds the write lock no text is on its way, so its sender threads never keep it waiting
for the interpreter, and the garbage collector does not start. Through the real twilio Client to
the fake Twilio on 127.0.0.1, on SQLite and PostgreSQL."""

import gc
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import scheduler.outbox
from bot.app import Service
from bot.settings import Settings
from casefile.database import READ_ONLY
from casefile.messages import Message
from casefile.vocabulary import Direction, MessageStatus
from casefile.write_gate import gate_for, yielding
from scheduler.claim import claim_all
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


def test_a_claim_that_fails_still_records_the_group_sent_before_it(
    sender: Service, twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = {rule.name: rule for rule in sender.rules}
    while plan_due(sender.sessions, rules, sender.calendar, sender.renderer, sender.clock()):
        pass
    claims: list[int] = []

    def second_claim_finds_the_database_locked(session: Session, ids: Sequence[int], now: datetime) -> Any:
        claims.append(len(ids))
        if len(claims) == 2:
            raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
        return claim_all(session, ids, now)

    monkeypatch.setattr(scheduler.outbox, "claim_all", second_claim_finds_the_database_locked)
    with pytest.raises(OperationalError):
        send_queued(sender.sessions, sender.transports(), sender.clock, workers=4)
    # The first group went to Twilio while the second was being claimed: it is recorded sent, not
    # left SENDING for the reconciler to ask the provider about minutes later.
    with sender.sessions() as session:
        statuses = Counter(session.scalars(select(Message.status).where(Message.direction == Direction.OUTBOUND)))
    assert statuses[MessageStatus.SENDING] == 0
    assert statuses[MessageStatus.SENT] == len(twilio.requests) == claims[0]
