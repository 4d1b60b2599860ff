"""The contract every channel adapter keeps (SMS and the console now; Telegram joins here).

Each adapter says what it can do; a test runs for every adapter that has the capability it needs,
so a new channel is added by writing its Adapter and nothing else.
"""

import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.app import Service, create_app
from bot.channels.console.chat import chat
from casefile.facts import EventRecord
from casefile.messages import Message, UnknownSender
from casefile.people import find_participant_by_phone
from casefile.vocabulary import ConsentState, Direction
from tests.support import ENGLISH_PHONE, UNKNOWN_PHONE, FixedClock, signed, sms_form


class Adapter(Protocol):
    #: Whether the provider can deliver the same message twice (with the same id).
    redelivers: bool
    #: Whether requests are authenticated (and can be forged).
    authenticates: bool
    #: Whether messages can carry photos.
    carries_media: bool

    def send(self, text: str, message_id: str, sender: str = ENGLISH_PHONE, media: tuple[str, ...] = ()) -> list[str]:
        """Deliver one message as the provider would; the replies the participant gets."""
        ...

    def send_forged(self, text: str, message_id: str) -> int:
        """Deliver a message that fails authentication; the status the provider sees."""
        ...


@dataclass
class SmsAdapter:
    client: TestClient
    redelivers = True
    authenticates = True
    carries_media = True

    def send(self, text: str, message_id: str, sender: str = ENGLISH_PHONE, media: tuple[str, ...] = ()) -> list[str]:
        extra = {f"MediaUrl{i}": f"https://api.twilio.com/media/{message_id}/{i}" for i in range(len(media))}
        extra |= {f"MediaContentType{i}": kind for i, kind in enumerate(media)}
        payload, headers = signed("/sms/twilio", sms_form(text, message_id, sender, NumMedia=str(len(media)), **extra))
        response = self.client.post("/sms/twilio", content=payload, headers=headers)
        assert response.status_code == 200
        return [node.text or "" for node in ET.fromstring(response.text).iter("Message")]

    def send_forged(self, text: str, message_id: str) -> int:
        payload, headers = signed("/sms/twilio", sms_form(text, message_id), token="forged")
        return self.client.post("/sms/twilio", content=payload, headers=headers).status_code


@dataclass
class ConsoleAdapter:
    service: Service
    clock: FixedClock
    redelivers = False
    authenticates = False
    carries_media = False

    def send(self, text: str, message_id: str, sender: str = ENGLISH_PHONE, media: tuple[str, ...] = ()) -> list[str]:
        out = io.StringIO()
        chat(self.service.inbox, sender, io.StringIO(text + "\n"), out, self.clock, interactive=False)
        # The console prints each reply on its own lines; replies here are compared joined.
        return [out.getvalue().rstrip("\n")] if out.getvalue() else []

    def send_forged(self, text: str, message_id: str) -> int:
        raise AssertionError("the console is a local terminal: nothing to forge")


ADAPTERS: dict[str, type[SmsAdapter] | type[ConsoleAdapter]] = {"sms": SmsAdapter, "console": ConsoleAdapter}


def able_to(capability: str) -> list[str]:
    """The adapters a capability's tests run for (so that no test passes by doing nothing)."""
    return [name for name, adapter in ADAPTERS.items() if getattr(adapter, capability)]


@pytest.fixture(params=list(ADAPTERS))
def adapter(request: pytest.FixtureRequest, service: Service, clock: FixedClock) -> Iterator[Adapter]:
    if request.param == "console":
        yield ConsoleAdapter(service, clock)
        return
    with TestClient(create_app(service, clock)) as client:
        yield SmsAdapter(client)


def inbound_count(service: Service) -> int:
    with service.sessions.begin() as session:
        return (
            session.scalar(select(func.count()).select_from(Message).where(Message.direction == Direction.INBOUND)) or 0
        )


def test_an_enrolled_participant_is_answered_and_the_message_stored(adapter: Adapter, service: Service) -> None:
    [reply] = adapter.send("hi", "id-1")
    assert reply.startswith("Hi Jordan!")
    assert inbound_count(service) == 1


@pytest.mark.parametrize("adapter", able_to("redelivers"), indirect=True)
def test_a_redelivery_changes_nothing(adapter: Adapter, service: Service) -> None:
    assert adapter.send("hi", "id-1")
    assert adapter.send("hi", "id-1") == []
    assert inbound_count(service) == 1


@pytest.mark.parametrize("adapter", able_to("authenticates"), indirect=True)
def test_a_forged_message_is_refused_and_not_stored(adapter: Adapter, service: Service) -> None:
    assert adapter.send_forged("hi", "id-forged") == 403
    assert inbound_count(service) == 0


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
        assert session.scalars(select(EventRecord.kind).where(EventRecord.kind == "media_received")).all()


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
    assert "we don't know this number" in reply
    assert adapter.send("hello again", "id-u2", sender=UNKNOWN_PHONE) == []
    with service.sessions.begin() as session:
        assert session.scalars(select(UnknownSender.address)).all() == [UNKNOWN_PHONE]
