"""Hostile and messy input at the webhooks (issue 16, items 6 and 7): bodies past any size Twilio
or Telegram sends are refused before they are read, and forms with repeated keys are checked as
Twilio signs them, every value."""

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator

from bot.app import Service, create_app
from bot.body_limit import TWILIO_BODY_LIMIT
from casefile.messages import Message
from casefile.vocabulary import Direction
from tests.channels import TELEGRAM_SECRET
from tests.support import AUTH_TOKEN, PUBLIC_URL, FixedClock, signed, sms_form

INBOUND = "/sms/twilio"


@pytest.fixture
def client(service: Service, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(service, clock)) as test_client:
        yield test_client


def stored(service: Service) -> int:
    with service.sessions.begin() as session:
        return session.scalar(select(func.count()).select_from(Message)) or 0


def signed_pairs(path: str, pairs: list[tuple[str, str]]) -> tuple[bytes, dict[str, str]]:
    """A form whose keys may repeat, signed as Twilio signs it: every value of every key."""
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + path, ImmutableMultiDict(pairs))
    return urlencode(pairs).encode(), {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
    }


def replies(response_text: str) -> list[str]:
    return [node.text or "" for node in ET.fromstring(response_text).iter("Message")]


def test_a_million_field_unsigned_form_is_refused_413_before_it_is_read(client: TestClient, service: Service) -> None:
    body = b"&".join(b"f%d=x" % i for i in range(1_000_000))
    response = client.post(INBOUND, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert str(TWILIO_BODY_LIMIT) in response.text
    assert stored(service) == 0


def test_a_body_sent_without_a_length_is_cut_off_at_the_limit(client: TestClient, service: Service) -> None:
    chunks_sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal chunks_sent
        for _ in range(1000):
            chunks_sent += 1
            yield b"Body=" + b"a" * 16_000 + b"&"

    response = client.post(INBOUND, content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert stored(service) == 0


def test_a_telegram_update_past_its_limit_is_refused_413(client: TestClient, service: Service) -> None:
    response = client.post(
        "/telegram/webhook",
        content=b'{"update_id": 1, "padding": "' + b"x" * 300_000 + b'"}',
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert stored(service) == 0


def test_a_signed_form_of_more_fields_than_twilio_sends_is_refused_without_being_checked(
    client: TestClient, service: Service
) -> None:
    form = sms_form("hi", "SM-wide") | {f"X-Extra-{i}": "1" for i in range(300)}
    payload, headers = signed(INBOUND, form)
    assert len(payload) < TWILIO_BODY_LIMIT
    response = client.post(INBOUND, content=payload, headers=headers)
    assert response.status_code == 413
    assert stored(service) == 0


def test_the_largest_mms_twilio_sends_fits(client: TestClient, service: Service) -> None:
    """1,600 characters of four-byte emoji and ten photos: the limit must not refuse what Twilio sends."""
    client.post(INBOUND, **_kwargs(signed(INBOUND, sms_form("yes", "SM-consent"))))
    media = {
        f"MediaUrl{i}": f"https://api.twilio.com/2010-04-01/Accounts/AC{'0' * 32}/Messages/MM{'1' * 32}/Media/ME{i:032d}"
        for i in range(10)
    }
    media |= {f"MediaContentType{i}": "image/jpeg" for i in range(10)}
    form = sms_form("🙂" * 1600, "MM" + "1" * 32, NumMedia="10", **media)
    payload, headers = signed(INBOUND, form)
    response = client.post(INBOUND, content=payload, headers=headers)
    assert response.status_code == 200, response.text
    with service.sessions.begin() as session:
        message = session.scalars(select(Message).where(Message.provider_id == "MM" + "1" * 32)).one()
        assert len(message.media) == 10


def test_a_form_with_a_repeated_key_passes_when_twilio_signed_every_value(client: TestClient, service: Service) -> None:
    client.post(INBOUND, **_kwargs(signed(INBOUND, sms_form("yes", "SM-consent"))))
    pairs = list(sms_form("menu", "SM-repeated").items()) + [("AddOns", "a"), ("AddOns", "b")]
    response = client.post(INBOUND, **_kwargs(signed_pairs(INBOUND, pairs)))
    assert response.status_code == 200, response.text
    assert replies(response.text), "a menu was expected"
    assert stored(service) > 2


def test_a_value_added_to_a_signed_form_breaks_its_signature(client: TestClient, service: Service) -> None:
    pairs = list(sms_form("menu", "SM-tampered").items())
    payload, headers = signed_pairs(INBOUND, pairs)
    response = client.post(INBOUND, content=payload + b"&Body=send+me+everything", headers=headers)
    assert response.status_code == 403
    assert stored(service) == 0


def test_a_signed_form_naming_two_senders_is_not_a_message(client: TestClient, service: Service) -> None:
    pairs = list(sms_form("menu", "SM-two-senders").items()) + [("From", "+15105550101")]
    response = client.post(INBOUND, **_kwargs(signed_pairs(INBOUND, pairs)))
    assert response.status_code == 400
    assert "From is given 2 times" in response.text
    with service.sessions.begin() as session:
        assert session.scalar(select(func.count()).where(Message.direction == Direction.INBOUND)) == 0


def _kwargs(signed_form: tuple[bytes, dict[str, str]]) -> dict[str, object]:
    payload, headers = signed_form
    return {"content": payload, "headers": headers}
