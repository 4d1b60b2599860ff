"""Group commit against what else holds the database (review of bot/group_commit.py).

- On PostgreSQL a batch would hold several participants' row locks at once, taken in the order the
  texts came: against the dispatcher's claim (which locks by id) that could deadlock, and one
  person's row held elsewhere held up everyone's texts. There each text keeps its own transaction.
- On SQLite, when a batch waited for the lock in vain, every text in line was answered busy,
  including those that came meanwhile and never had an attempt of their own."""

import asyncio
import logging
import time
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.app import Service, create_app
from bot.group_commit import GroupCommit
from bot.inbox import Inbound
from bot.offload import InlineWindow, Offload
from casefile.database import make_engine
from casefile.messages import Message
from casefile.vocabulary import Channel
from tests.conftest import BACKENDS
from tests.support import ENGLISH_PHONE, SPANISH_PHONE, FixedClock
from tests.test_group_commit import batch_sizes, burst, post, run_apart
from tests.test_hostile_delivery import database_held

#: Row locks are PostgreSQL's; SQLite has one writer at a time anyway (CI always runs PostgreSQL).
ON_POSTGRESQL = pytest.mark.parametrize("database_url", [b for b in BACKENDS if b == "postgres"], indirect=True)


@ON_POSTGRESQL
def test_on_postgresql_one_persons_locked_row_holds_up_no_one_elses_text(service: Service, clock: FixedClock) -> None:
    async def run() -> float:
        transport = httpx.ASGITransport(app=create_app(service, clock))
        async with httpx.AsyncClient(transport=transport, base_url="https://waypoint.example.org") as client:
            with database_held(service, 4.0):  # Jordan's row, FOR UPDATE, elsewhere
                jordan = post(client, "hi", "SM-hol-1", ENGLISH_PHONE)
                await asyncio.sleep(0.3)
                began = time.monotonic()
                response = await post(client, "Hola", "SM-hol-2", SPANISH_PHONE)
                waited = time.monotonic() - began
                assert response.status_code == 200
            assert (await jordan).status_code == 200
        return waited

    waited = run_apart(run())
    assert waited < 2.0, f"Guadalupe's text waited {waited:.1f} s behind Jordan's locked row"


@ON_POSTGRESQL
def test_on_postgresql_each_text_of_a_burst_has_a_transaction_of_its_own(
    service: Service, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    """No transaction holds two senders' row locks, so none can wait for another's in a cycle."""
    caplog.set_level(logging.INFO, "bot.group_commit")
    responses = run_apart(burst(service, clock, ("hi", "SM-pg-en", ENGLISH_PHONE), ("Hola", "SM-pg-es", SPANISH_PHONE)))
    assert all(response.status_code == 200 for response in responses)
    assert batch_sizes(caplog) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_text_that_comes_while_a_batch_waits_in_vain_gets_attempts_of_its_own(service: Service) -> None:
    engine = make_engine(service.settings.database_url, lock_wait_ms=400)
    inbox = service.inbox.using(sessionmaker(engine))
    offload = Offload(2)
    texts = GroupCommit(inbox, offload)

    async def run() -> list[object]:
        now = service.clock()
        window = InlineWindow(10)
        jordan = asyncio.ensure_future(
            texts.receive(Inbound(Channel.SMS, ENGLISH_PHONE, "hi", "SM-busy-1", now), window)
        )
        await asyncio.sleep(0.9)  # Jordan's batch is on its last attempt
        later = Inbound(Channel.SMS, SPANISH_PHONE, "Hola", "SM-busy-2", now + timedelta(seconds=1))
        guadalupe = asyncio.ensure_future(texts.receive(later, InlineWindow(10)))
        return list(await asyncio.gather(jordan, guadalupe, return_exceptions=True))

    try:
        with database_held(service, 1.5):  # another process's writer: SQLite's own lock
            outcomes = run_apart(run())
    finally:
        offload.close()
        engine.dispose()
    with service.sessions.begin() as session:
        stored = set(session.scalars(select(Message.provider_id).where(Message.provider_id.like("SM-busy-%"))))
    assert stored == {"SM-busy-2"}, f"answered {outcomes}"
