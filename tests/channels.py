"""The channel adapters as tests drive them: each delivers a message as its provider would and
returns the replies the participant gets."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Protocol

from fastapi.testclient import TestClient

from bot.app import Service
from bot.channels.console.chat import send_line
from casefile.addresses import create_link_code
from casefile.people import find_participant_by_phone
from casefile.vocabulary import Channel
from tests.fake_telegram import FakeTelegram, message_update
from tests.support import ENGLISH_PHONE, SPANISH_PHONE, UNKNOWN_PHONE, FixedClock, signed, sms_form


class Adapter(Protocol):
    #: Whether the provider can deliver the same message twice (with the same id).
    redelivers: bool
    #: Whether requests are authenticated (and can be forged).
    authenticates: bool
    #: Whether messages can carry photos.
    carries_media: bool
    #: How the one reply to a sender the service does not know begins.
    unknown_reply: str

    def address_of(self, sender: str) -> str:
        """Where a sender (named by phone in tests) writes from on this channel."""
        ...

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
    unknown_reply = "Sorry, we don't know this number."

    def address_of(self, sender: str) -> str:
        return sender

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
    unknown_reply = SmsAdapter.unknown_reply

    def address_of(self, sender: str) -> str:
        return sender

    def send(self, text: str, message_id: str, sender: str = ENGLISH_PHONE, media: tuple[str, ...] = ()) -> list[str]:
        return list(send_line(self.service.inbox, sender, text, self.clock))

    def send_forged(self, text: str, message_id: str) -> int:
        raise AssertionError("the console is a local terminal: nothing to forge")


TELEGRAM_SECRET = "telegram-webhook-secret"
#: The chat each demo participant (and the unknown sender) writes from.
CHATS = {ENGLISH_PHONE: 7001, SPANISH_PHONE: 7002, UNKNOWN_PHONE: 7999}


@dataclass
class TelegramAdapter:
    """Updates posted to the webhook as Telegram would; the replies the fake Bot API was sent."""

    client: TestClient
    telegram: FakeTelegram
    updates: dict[str, int] = field(default_factory=dict)
    redelivers = True
    authenticates = True
    carries_media = True
    unknown_reply = "Hi! This chat isn't linked to a case yet."

    @classmethod
    def linked(
        cls, client: TestClient, service: Service, telegram: FakeTelegram, clock: FixedClock
    ) -> "TelegramAdapter":
        """The adapter with both demo participants' chats linked by codes from their counselor."""
        adapter = cls(client, telegram)
        for phone in (ENGLISH_PHONE, SPANISH_PHONE):
            with service.sessions.begin() as session:
                participant = find_participant_by_phone(session, phone)
                assert participant is not None
                code = create_link_code(session, participant.id, Channel.TELEGRAM, clock())
            [linked] = adapter.send(f"/start {code}", f"link-{phone}", sender=phone)
            assert linked.startswith(("Hi ", "¡Hola")), linked
        return adapter

    def address_of(self, sender: str) -> str:
        return str(CHATS[sender])

    def post(self, update: dict[str, object], secret: str = TELEGRAM_SECRET) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
        return self.client.post("/telegram/webhook", json=update, headers=headers).status_code

    def send(self, text: str, message_id: str, sender: str = ENGLISH_PHONE, media: tuple[str, ...] = ()) -> list[str]:
        update_id = self.updates.setdefault(message_id, len(self.updates) + 1)
        chat = CHATS[sender]
        photo = f"photo{update_id}" if media else None
        if photo:
            self.telegram.files[f"{photo}-1280"] = b"\xff\xd8\xff a photo of a signed timesheet"
        before = len(self.telegram.texts_to(str(chat)))
        assert self.post(message_update(update_id, chat, text, photo)) == 200
        return self.telegram.texts_to(str(chat))[before:]

    def send_forged(self, text: str, message_id: str) -> int:
        return self.post(message_update(999_999, CHATS[ENGLISH_PHONE], text), secret="forged")


ADAPTERS: dict[str, type[SmsAdapter] | type[ConsoleAdapter] | type[TelegramAdapter]] = {
    "sms": SmsAdapter,
    "console": ConsoleAdapter,
    "telegram": TelegramAdapter,
}


def able_to(capability: str) -> list[str]:
    """The adapters a capability's tests run for (so that no test passes by doing nothing)."""
    return [name for name, adapter in ADAPTERS.items() if getattr(adapter, capability)]
