"""Texts that arrive together are handled in one write transaction (bot.group_commit), and every
guarantee of a text handled alone still holds: stored first, one failure costs only itself, a
replay is answered once, one person's texts in order, answered only after the commit."""

import asyncio
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import bot.inbox
from bot.app import Service, create_app
from bot.inbox import Arrival, Inbound, ProcessingFailed, Receipt
from casefile.messages import Message
from casefile.vocabulary import Channel, Direction, MessageStatus
from tests.support import ENGLISH_PHONE, SPANISH_PHONE, UNKNOWN_PHONE, FixedClock, signed, sms_form
from tests.test_hostile_delivery import database_held
from tests.test_inbox_failures import break_storage, mend_storage

T = TypeVar("T")
APOLOGY_ES = "Perdon, algo fallo de nuestro lado."
UNKNOWN = "Sorry, we don't know this number."


def arrival(service: Service, body: str, sid: str, sender: str = ENGLISH_PHONE, seconds: int = 0) -> Arrival:
    return Arrival(Inbound(Channel.SMS, sender, body, sid, service.clock() + timedelta(seconds=seconds)))


def replies_of(outcome: Receipt | ProcessingFailed) -> tuple[str, ...]:
    assert isinstance(outcome, Receipt), outcome
    return tuple(reply.body for reply in outcome.replies)


def inbound_rows(service: Service) -> dict[str, MessageStatus]:
    with service.sessions.begin() as session:
        rows = session.execute(
            select(Message.provider_id, Message.status).where(Message.direction == Direction.INBOUND)
        ).all()
    return {sid: status for sid, status in rows if sid is not None}


def replies_stored(service: Service, sid: str) -> list[str]:
    with service.sessions.begin() as session:
        inbound = select(Message.id).where(Message.provider_id == sid).scalar_subquery()
        return list(session.scalars(select(Message.body).where(Message.in_reply_to_id == inbound)))


@contextmanager
def commits_counted(service: Service) -> Iterator[list[int]]:
    counted = [0]

    def count(connection: object) -> None:
        counted[0] += 1

    event.listen(service.engine, "commit", count)
    try:
        yield counted
    finally:
        event.remove(service.engine, "commit", count)


def together(service: Service, arrivals: list[Arrival]) -> list[Receipt | ProcessingFailed]:
    """Received in one transaction, however slow the machine (the hold is the webhook's to cut)."""
    return service.inbox.receive_together(arrivals, MessageStatus.SENT, hold=60.0)


def SAME_PEOPLE(service: Service) -> list[Arrival]:  # noqa: N802
    """Two texts each of Jordan and Guadalupe, interleaved: each second one depends on the first."""
    return [
        arrival(service, "hi", "SM-p1"),
        arrival(service, "3", "SM-p2", SPANISH_PHONE, 1),
        arrival(service, "No tengo quien cuide a mis hijos el martes", "SM-p3", SPANISH_PHONE, 2),
        arrival(service, "yes", "SM-p4", ENGLISH_PHONE, 3),
    ]


def consented(service: Service) -> None:
    """Guadalupe (es) has said yes: her menu is open."""
    for sid, body in (("SM-es-1", "Hola"), ("SM-es-2", "sí")):
        service.inbox.receive(Inbound(Channel.SMS, SPANISH_PHONE, body, sid, service.clock()), MessageStatus.SENT)


# --- The inbox: several texts, one transaction ---------------------------------------------------------


def test_texts_received_together_are_handled_in_order_in_one_commit(service: Service) -> None:
    consented(service)
    arrivals = [
        arrival(service, "hi", "SM-g1"),
        arrival(service, "3", "SM-g2", SPANISH_PHONE, 1),
        arrival(service, "who is this?", "SM-g3", UNKNOWN_PHONE, 2),
        # Her second text of the batch answers the question her first one opened.
        arrival(service, "No tengo quien cuide a mis hijos el martes", "SM-g4", SPANISH_PHONE, 3),
    ]
    with commits_counted(service) as commits:
        outcomes = together(service, arrivals)
    assert commits == [1]
    assert replies_of(outcomes[0])[0].startswith("Hi Jordan!")
    assert replies_of(outcomes[1]) == ("¿Qué le quiere decir a Dana Lee? Escriba su mensaje y envielo.",)
    assert replies_of(outcomes[2])[0].startswith(UNKNOWN)
    assert replies_of(outcomes[3]) == ("Gracias. Envié su mensaje a Dana Lee. Le responderan pronto.",)
    statuses = inbound_rows(service)
    assert [statuses[f"SM-g{n}"] for n in range(1, 5)] == [MessageStatus.PROCESSED] * 4


def test_after_a_stop_in_a_batch_the_same_persons_next_text_gets_no_reply(service: Service) -> None:
    outcomes = together(
        service,
        [
            arrival(service, "yes", "SM-o1"),
            arrival(service, "STOP", "SM-o2", seconds=1),
            arrival(service, "hello?", "SM-o3", seconds=2),
            arrival(service, "Hola", "SM-o4", SPANISH_PHONE, 3),
        ],
    )
    assert replies_of(outcomes[0])[0].startswith("Thanks, Jordan!")
    assert replies_of(outcomes[1]) == (
        "You will not get more texts from Alameda County CalWORKs. Reply START to come back.",
    )
    assert replies_of(outcomes[2]) == ()
    assert "Responda SI para empezar" in replies_of(outcomes[3])[0]


def test_a_sid_delivered_twice_in_one_batch_is_answered_once(service: Service) -> None:
    first, again = together(service, [arrival(service, "hi", "SM-twice"), arrival(service, "hi", "SM-twice")])
    assert replies_of(first)[0].startswith("Hi Jordan!") and not first.duplicate  # type: ignore[union-attr]
    assert isinstance(again, Receipt) and again.duplicate and again.replies == ()
    assert list(inbound_rows(service)) == ["SM-twice"]
    assert len(replies_stored(service, "SM-twice")) == 1


def test_a_stored_text_redelivered_twice_in_one_batch_is_processed_once(service: Service) -> None:
    break_storage(service, "conversation_states", when="1 = 1")
    with pytest.raises(ProcessingFailed):
        service.inbox.receive(arrival(service, "hi", "SM-kept").inbound, MessageStatus.SENT)
    assert inbound_rows(service) == {"SM-kept": MessageStatus.RECEIVED}
    mend_storage(service, "conversation_states")
    # Twilio delivers it again, twice, and both land in one batch: the second must see that the
    # first processed it (not the row as the session first read it).
    first, again = together(service, [arrival(service, "hi", "SM-kept"), arrival(service, "hi", "SM-kept")])
    assert replies_of(first)[0].startswith("Hi Jordan!")
    assert isinstance(again, Receipt) and again.duplicate and again.replies == ()
    assert len(replies_stored(service, "SM-kept")) == 1


def test_a_text_that_cannot_be_processed_costs_only_itself(service: Service) -> None:
    consented(service)
    break_storage(service, "events", when="NEW.kind = 'counselor_message'")
    outcomes = together(service, SAME_PEOPLE(service))
    assert replies_of(outcomes[1]) == ("¿Qué le quiere decir a Dana Lee? Escriba su mensaje y envielo.",)
    assert isinstance(outcomes[2], ProcessingFailed) and outcomes[2].message_id is not None
    assert replies_of(outcomes[3])[0].startswith("Thanks, Jordan!")
    statuses = inbound_rows(service)
    assert [statuses[f"SM-p{n}"] for n in range(1, 5)] == [
        MessageStatus.PROCESSED,
        MessageStatus.PROCESSED,
        MessageStatus.RECEIVED,  # kept, for a redelivery or the pending pass
        MessageStatus.PROCESSED,
    ]


def test_a_text_that_cannot_even_be_stored_does_not_lose_the_others(service: Service) -> None:
    break_storage(service, "messages", when="NEW.provider_id = 'SM-poison'")
    outcomes = together(
        service,
        [
            arrival(service, "hi", "SM-s1"),
            arrival(service, "hello", "SM-poison", UNKNOWN_PHONE),
            arrival(service, "Hola", "SM-s2", SPANISH_PHONE),
        ],
    )
    assert replies_of(outcomes[0])[0].startswith("Hi Jordan!")
    assert isinstance(outcomes[1], ProcessingFailed) and outcomes[1].message_id is None
    assert "Responda SI para empezar" in replies_of(outcomes[2])[0]
    assert inbound_rows(service) == {"SM-s1": MessageStatus.PROCESSED, "SM-s2": MessageStatus.PROCESSED}


def test_a_batch_takes_no_more_texts_once_it_has_held_the_lock_long_enough(service: Service) -> None:
    arrivals = [arrival(service, "hi", "SM-h1"), arrival(service, "Hola", "SM-h2", SPANISH_PHONE)]
    outcomes = service.inbox.receive_together(arrivals, MessageStatus.SENT, hold=0.0)
    assert len(outcomes) == 1 and replies_of(outcomes[0])[0].startswith("Hi Jordan!")
    assert inbound_rows(service) == {"SM-h1": MessageStatus.PROCESSED}


@contextmanager
def commits_refused(error: Exception) -> Iterator[None]:
    """Every commit fails as a deferred constraint (or a full disk) makes it fail, whichever session."""

    def refuse_commit(session: Session) -> None:
        raise error

    event.listen(Session, "before_commit", refuse_commit)
    try:
        yield
    finally:
        event.remove(Session, "before_commit", refuse_commit)


def test_a_batch_that_cannot_be_committed_stores_nothing_and_says_so_for_every_text(service: Service) -> None:
    arrivals = [arrival(service, "hi", "SM-c1"), arrival(service, "Hola", "SM-c2", SPANISH_PHONE)]
    with commits_refused(IntegrityError("COMMIT", {}, Exception("deferred constraint"))):
        outcomes = together(service, arrivals)
    assert all(isinstance(o, ProcessingFailed) and o.message_id is None for o in outcomes) and len(outcomes) == 2
    assert inbound_rows(service) == {}


# --- The webhook: a burst of requests --------------------------------------------------------------------


def post(client: httpx.AsyncClient, body: str, sid: str, sender: str = ENGLISH_PHONE) -> "asyncio.Task[httpx.Response]":
    payload, headers = signed("/sms/twilio", sms_form(body, sid, sender))
    return asyncio.ensure_future(client.post("/sms/twilio", content=payload, headers=headers))


def bodies(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [node.text or "" for node in ET.fromstring(response.text).iter("Message")]


BURST = [(f"+1510555{n:04d}", f"SM-burst-{n}") for n in range(8)]


async def burst(service: Service, clock: FixedClock, *extra: tuple[str, str, str]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=create_app(service, clock))
    async with httpx.AsyncClient(transport=transport, base_url="https://waypoint.example.org") as client:
        tasks = [post(client, body, sid, sender) for body, sid, sender in extra]
        tasks += [post(client, "who is this", sid, sender) for sender, sid in BURST]
        return list(await asyncio.gather(*tasks))


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on an event loop of its own thread: another test (the browser's) may leave
    one running on this thread, and asyncio.run refuses to start beside it."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def batch_sizes(caplog: pytest.LogCaptureFixture) -> list[int]:
    return [int(m.group(1)) for r in caplog.records if (m := re.match(r"received (\d+) texts in one", r.getMessage()))]


def test_a_burst_of_texts_is_answered_from_few_transactions(
    service: Service, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "bot.group_commit")
    responses = run_apart(
        burst(
            service,
            clock,
            ("hi", "SM-b-en", ENGLISH_PHONE),
            ("Hola", "SM-b-es", SPANISH_PHONE),
            ("hi", "SM-b-en", ENGLISH_PHONE),
        )
    )
    assert bodies(responses[0])[0].startswith("Hi Jordan!")
    assert "Responda SI para empezar" in bodies(responses[1])[0]
    assert bodies(responses[2]) == []  # the same text delivered twice: answered once
    assert all(bodies(r)[0].startswith(UNKNOWN) for r in responses[3:])  # each unknown number's one polite reply
    if service.settings.is_sqlite:  # PostgreSQL: a transaction each (test_group_commit_hostile.py)
        assert max(batch_sizes(caplog), default=1) > 1
    assert len(inbound_rows(service)) == 2 + len(BURST)


def test_a_burst_whose_commit_fails_is_answered_503_and_stored_later(service: Service, clock: FixedClock) -> None:
    with commits_refused(IntegrityError("COMMIT", {}, Exception("deferred constraint"))):
        refused = run_apart(burst(service, clock))
    assert [r.status_code for r in refused] == [503] * len(BURST)
    assert inbound_rows(service) == {}
    again = run_apart(burst(service, clock))
    assert all(bodies(r)[0].startswith(UNKNOWN) for r in again)
    assert len(inbound_rows(service)) == len(BURST)


def test_a_request_given_up_by_its_client_does_not_lose_its_text_for_the_others(
    service: Service, clock: FixedClock
) -> None:
    # The request given up waits behind the held database: on SQLite every text is in line behind
    # the writer that waits; on PostgreSQL (a transaction each) Jordan's text waits for his row.
    given_up = 3 if service.settings.is_sqlite else 0

    async def run() -> list[httpx.Response | BaseException]:
        transport = httpx.ASGITransport(app=create_app(service, clock))
        async with httpx.AsyncClient(transport=transport, base_url="https://waypoint.example.org") as client:
            with database_held(service, 1.0):
                tasks = [post(client, "hi", "SM-x-en")] + [post(client, "who is this", sid, s) for s, sid in BURST]
                await asyncio.sleep(0.3)
                tasks[given_up].cancel()
                answered = list(await asyncio.gather(*tasks, return_exceptions=True))
            # The given-up text is still handled, off the loop: the loop runs on, as a server's would.
            for _ in range(50):
                if list(inbound_rows(service).values()).count(MessageStatus.PROCESSED) == 1 + len(BURST):
                    break
                await asyncio.sleep(0.1)
            return answered

    answered = run_apart(run())
    assert isinstance(answered[given_up], asyncio.CancelledError)
    answers = {n: bodies(r)[0] for n, r in enumerate(answered) if n != given_up}  # type: ignore[arg-type]
    assert given_up == 0 or answers[0].startswith("Hi Jordan!")
    assert all(body.startswith(UNKNOWN) for n, body in answers.items() if n != 0)
    statuses = inbound_rows(service)
    assert statuses[(["SM-x-en"] + [sid for _, sid in BURST])[given_up]] is MessageStatus.PROCESSED
    assert set(statuses.values()) == {MessageStatus.PROCESSED} and len(statuses) == 1 + len(BURST)


def test_in_a_burst_a_text_that_cannot_be_processed_gets_the_apology_and_the_others_their_replies(
    service: Service, clock: FixedClock
) -> None:
    consented(service)
    break_storage(service, "events", when="NEW.kind = 'counselor_message'")
    texts = [(a.inbound.text, a.inbound.provider_id, a.inbound.address) for a in SAME_PEOPLE(service)]

    async def run() -> list[httpx.Response]:
        with database_held(service, 0.5):  # every request is in line before a batch can begin
            return await burst(service, clock, *texts)

    responses = run_apart(run())
    assert bodies(responses[0])[0].startswith("Hi Jordan!")
    assert bodies(responses[1]) == ["¿Qué le quiere decir a Dana Lee? Escriba su mensaje y envielo."]
    assert [b[: len(APOLOGY_ES)] for b in bodies(responses[2])] == [APOLOGY_ES]
    assert bodies(responses[3])[0].startswith("Thanks, Jordan!")
    assert all(bodies(r)[0].startswith(UNKNOWN) for r in responses[4:])
    assert inbound_rows(service)["SM-p3"] is MessageStatus.RECEIVED


def test_batches_one_behind_the_other_keep_each_persons_texts_in_order(
    service: Service, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One text a batch: on SQLite a second batch waits for the lock behind the first; each must
    # read the line only once the lock is its own, or Guadalupe's message would go before her "3".
    monkeypatch.setattr(bot.inbox, "BATCH_MOST", 1)
    consented(service)
    texts = [(a.inbound.text, a.inbound.provider_id, a.inbound.address) for a in SAME_PEOPLE(service)]

    async def run() -> list[httpx.Response]:
        with database_held(service, 0.5):
            return await burst(service, clock, *texts)

    responses = run_apart(run())
    assert bodies(responses[1]) == ["¿Qué le quiere decir a Dana Lee? Escriba su mensaje y envielo."]
    assert bodies(responses[2]) == ["Gracias. Envié su mensaje a Dana Lee. Le responderan pronto."]
    assert bodies(responses[3])[0].startswith("Thanks, Jordan!")
