"""The contract every channel adapter keeps: SMS, Telegram and the console.

Each adapter says what it can do; a test runs for every adapter that has the capability it needs,
so a new channel is added by writing its Adapter and nothing else.
"""

import pytest
from sqlalchemy import func, select

from bot.app import Service
from casefile.facts import EventRecord
from casefile.messages import Message, UnknownSender
from casefile.people import find_participant_by_phone
from casefile.vocabulary import ConsentState, Direction
from tests.channels import Adapter, able_to
from tests.support import ENGLISH_PHONE, UNKNOWN_PHONE


def inbound_count(service: Service) -> int:
    with service.sessions.begin() as session:
        return (
            session.scalar(select(func.count()).select_from(Message).where(Message.direction == Direction.INBOUND)) or 0
        )


def test_an_enrolled_participant_is_answered_and_the_message_stored(adapter: Adapter, service: Service) -> None:
    before = inbound_count(service)  # Telegram's adapter has linked the demo chats already
    [reply] = adapter.send("hi", "id-1")
    assert reply.startswith("Hi Jordan!")
    assert inbound_count(service) == before + 1


@pytest.mark.parametrize("adapter", able_to("redelivers"), indirect=True)
def test_a_redelivery_changes_nothing(adapter: Adapter, service: Service) -> None:
    before = inbound_count(service)
    assert adapter.send("hi", "id-1")
    assert adapter.send("hi", "id-1") == []
    assert inbound_count(service) == before + 1


@pytest.mark.parametrize("adapter", able_to("authenticates"), indirect=True)
def test_a_forged_message_is_refused_and_not_stored(adapter: Adapter, service: Service) -> None:
    before = inbound_count(service)
    assert adapter.send_forged("hi", "id-forged") == 403
    assert inbound_count(service) == before


def test_an_empty_message_gets_a_kind_answer(adapter: Adapter) -> None:
    adapter.send("yes", "id-yes")
    [reply] = adapter.send("", "id-empty")
    assert reply.startswith("Your message came through empty.")


@pytest.mark.parametrize("adapter", able_to("carries_media"), indirect=True)
def test_a_photo_is_acknowledged_and_recorded(adapter: Adapter, service: Service) -> None:
    adapter.send("yes", "id-yes")
    assert adapter.send("", "id-photo", media=("image/jpeg",)) == [
        "Thanks, I got your photo. Your counselor can see it."
    ]
    with service.sessions.begin() as session:
        assert session.scalars(select(EventRecord.kind).where(EventRecord.kind == "document_received")).all()


def test_stop_opts_out_with_one_confirmation_and_then_silence(adapter: Adapter, service: Service) -> None:
    adapter.send("yes", "id-yes")
    [confirmation] = adapter.send("STOP", "id-stop")
    assert "Reply START to come back" in confirmation
    assert adapter.send("are you there?", "id-after") == []
    with service.sessions.begin() as session:
        participant = find_participant_by_phone(session, ENGLISH_PHONE)
        assert participant is not None and participant.consent_state is ConsentState.OPTED_OUT


def test_an_unknown_sender_gets_one_reply_and_is_listed(adapter: Adapter, service: Service) -> None:
    [reply] = adapter.send("hello", "id-u1", sender=UNKNOWN_PHONE)
    assert reply.startswith(adapter.unknown_reply)
    assert adapter.send("hello again", "id-u2", sender=UNKNOWN_PHONE) == []
    with service.sessions.begin() as session:
        assert session.scalars(select(UnknownSender.address)).all() == [adapter.address_of(UNKNOWN_PHONE)]
