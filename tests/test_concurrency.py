"""Concurrent deliveries (over real HTTP, or one person's texts meeting at their lock): nothing doubled,
nothing lost, one person's texts in order."""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from bot.app import Service, create_app
from casefile.conversation import save_conversation
from casefile.facts import EventRecord
from casefile.messages import Message
from casefile.people import Correspondent, find_correspondent, find_participant_by_phone
from casefile.vocabulary import Direction, MessageStatus
from tests.live_server import serve
from tests.support import ENGLISH_PHONE, SPANISH_PHONE, FixedClock, signed, sms_form


@pytest.fixture
def base_url(service: Service, clock: FixedClock) -> Iterator[str]:
    yield from serve(create_app(service, clock))


def post_all(base_url: str, forms: list[dict[str, str]]) -> list[int]:
    def post(form: dict[str, str]) -> int:
        payload, headers = signed("/sms/twilio", form)
        return httpx.post(base_url + "/sms/twilio", content=payload, headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=len(forms)) as pool:
        return list(pool.map(post, forms))


def test_two_concurrent_deliveries_of_one_message_store_and_answer_it_once(base_url: str, service: Service) -> None:
    assert post_all(base_url, [sms_form("hi", "SM-twice")] * 2) == [200, 200]
    with service.sessions.begin() as session:
        assert (
            session.scalar(select(func.count()).select_from(Message).where(Message.direction == Direction.INBOUND)) == 1
        )
        assert (
            session.scalar(select(func.count()).select_from(Message).where(Message.direction == Direction.OUTBOUND))
            == 1
        )


def test_many_messages_at_once_are_all_stored_and_processed(base_url: str, service: Service) -> None:
    forms = [
        sms_form("STOP" if i % 10 == 9 else "yes", f"SM-burst-{i}", ENGLISH_PHONE if i % 2 else SPANISH_PHONE)
        for i in range(24)
    ]
    assert set(post_all(base_url, forms)) == {200}
    with service.sessions.begin() as session:
        statuses = session.scalars(select(Message.status).where(Message.direction == Direction.INBOUND)).all()
        assert sorted(statuses) == [MessageStatus.PROCESSED] * 24
        # Consent is confirmed once, however the texts interleaved: exactly once by the participant who
        # only said yes; at most once by the one whose STOP may have come before any of their yeses
        # (the texts race, so which came first is not this test's to say).
        confirmed = dict(
            session.execute(
                select(EventRecord.participant_id, func.count())
                .where(EventRecord.kind == "consent_confirmed")
                .group_by(EventRecord.participant_id)
            ).all()
        )
        spanish = find_participant_by_phone(session, SPANISH_PHONE)
        english = find_participant_by_phone(session, ENGLISH_PHONE)
        assert spanish is not None and english is not None
        assert confirmed.get(spanish.id) == 1 and confirmed.get(english.id, 0) <= 1


def test_a_text_that_waited_for_its_participant_reads_the_conversation_the_text_before_it_left(
    service: Service, clock: FixedClock
) -> None:
    """Two texts of one person at once: the second waits for the first's lock on the participant,
    and must then go on from the state the first saved, not from the one before it (on PostgreSQL a
    statement that waited for a row lock still sees the other tables as they were when it began)."""
    with service.sessions.begin() as session:
        participant = find_correspondent(session, ENGLISH_PHONE, lock=False)
        assert participant is not None
        save_conversation(session, participant.id, "hours", "ask_hours", {}, clock())
    first = service.sessions()
    seen: list[Correspondent | None] = []

    def second_text() -> None:
        with service.sessions.begin() as session:
            seen.append(find_correspondent(session, ENGLISH_PHONE, lock=True))

    try:
        assert find_correspondent(first, ENGLISH_PHONE, lock=True) is not None
        # It waits: for the row lock on PostgreSQL, for the write lock on SQLite.
        waiting = threading.Thread(target=second_text)
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive(), "the second text did not wait for the first"
        save_conversation(first, participant.id, "hours", "confirm_hours", {"hours": 6}, clock())
        first.commit()
    finally:
        first.close()
    waiting.join(10)
    [read] = seen
    assert read is not None and read.conversation is not None
    assert (read.conversation.step, read.conversation.data) == ("confirm_hours", {"hours": 6})
