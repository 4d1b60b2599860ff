"""The channel adapters as tests drive them: each delivers a message as its provider would and
returns the replies the participant gets. Telegram adds its adapter here."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Protocol

from fastapi.testclient import TestClient

from bot.app import Service
from bot.channels.console.chat import send_line
from tests.support import ENGLISH_PHONE, FixedClock, signed, sms_form


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
        return list(send_line(self.service.inbox, sender, text, self.clock))

    def send_forged(self, text: str, message_id: str) -> int:
        raise AssertionError("the console is a local terminal: nothing to forge")


ADAPTERS: dict[str, type[SmsAdapter] | type[ConsoleAdapter]] = {"sms": SmsAdapter, "console": ConsoleAdapter}


def able_to(capability: str) -> list[str]:
    """The adapters a capability's tests run for (so that no test passes by doing nothing)."""
    return [name for name, adapter in ADAPTERS.items() if getattr(adapter, capability)]
