"""Deliveries that cannot be a message (issue 16, item 8): malformed Telegram updates and SMS bodies
past Twilio's limit are kept as dead letters with the reason, answered 200 so that the provider does
not resend them forever, and listed for staff by `waypoint dead-letters`."""

import json
import random
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.app import Service, create_app
from bot.cli import main
from casefile.dead_letters import _JSON_ESCAPE, DeadLetter, _unescaped, dead_letters
from casefile.messages import Message
from casefile.vocabulary import Channel
from tests.channels import CHATS, TELEGRAM_SECRET, TelegramAdapter
from tests.fake_telegram import FakeTelegram
from tests.support import ENGLISH_PHONE, FixedClock, signed, sms_form

CHAT = CHATS[ENGLISH_PHONE]
NOW = int(time.time())


@pytest.fixture
def client(service: Service, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(service, clock)) as test_client:
        yield test_client


def update(update_id: int, **message: object) -> bytes:
    fields = {"message_id": update_id, "date": NOW, "chat": {"id": CHAT, "type": "private"}, "text": "hi"}
    return json.dumps({"update_id": update_id, "message": fields | message}).encode()


def post_update(client: TestClient, body: bytes) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET, "Content-Type": "application/json"}
    return client.post("/telegram/webhook", content=body, headers=headers).status_code


def letters(service: Service) -> list[tuple[str | None, str | None, str]]:
    with service.sessions.begin() as session:
        return [(letter.provider_id, letter.address, letter.reason) for letter in dead_letters(session)]


def messages(service: Service) -> int:
    with service.sessions.begin() as session:
        return session.scalar(select(func.count()).select_from(Message)) or 0


NESTED = b"[" * 50_000 + b"]" * 50_000
MALFORMED = {
    "no chat": (update(10, chat=None), "10", None, "message.chat is missing"),
    "a string date": (update(11, date="2026-03-02"), "11", str(CHAT), "message.date is not a whole number"),
    "NaN": (update(12).replace(str(NOW).encode(), b"NaN"), None, None, "NaN is not a JSON value"),
    "deep nesting": (b'{"update_id": 13, "message": ' + NESTED + b"}", None, None, "nested too deeply"),
    "a numeric text": (update(14, text=12345), "14", str(CHAT), "message.text is not text"),
    "a chat id that is text": (update(15, chat={"id": "7001", "type": "private"}), "15", None, "whole-number id"),
    "a photo that is not a list": (update(16, photo="big"), "16", str(CHAT), "not an update the Bot API makes"),
    "not JSON": (b"update_id=17&text=hi", None, None, "not JSON"),
    "no update_id": (b'{"message": {"text": "hi"}}', None, None, "update_id is missing"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_update_is_kept_as_a_dead_letter_answered_200_and_not_resent(
    client: TestClient, service: Service, telegram: FakeTelegram, case: str
) -> None:
    body, update_id, chat, reason = MALFORMED[case]
    assert post_update(client, body) == 200
    assert post_update(client, body) == 200, "a redelivery"
    kept = letters(service)
    assert kept[0][:2] == (update_id, chat)
    assert reason in kept[0][2]
    assert len(kept) == (1 if update_id else 2)
    assert messages(service) == 0
    assert telegram.sent == []


def test_the_chat_still_works_after_a_dead_letter(
    client: TestClient, service: Service, telegram: FakeTelegram, clock: FixedClock
) -> None:
    adapter = TelegramAdapter.linked(client, service, telegram, clock)
    assert post_update(client, update(900, text=["not", "text"])) == 200
    assert adapter.send("hi", "after") != []


def test_a_dead_letter_keeps_no_ssn(client: TestClient, service: Service) -> None:
    assert post_update(client, update(20, date="soon", text="my ssn is 612-34-5678")) == 200
    with service.sessions.begin() as session:
        [letter] = dead_letters(session)
        assert "612-34-5678" not in letter.payload and "***-**-****" in letter.payload


@pytest.mark.parametrize("ssn", ["612–34–5678", "612 - 34 - 5678", "６１２－３４－５６７８", "𝟔𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖"])
def test_a_dead_letter_keeps_no_ssn_its_json_escapes(client: TestClient, service: Service, ssn: str) -> None:
    """The update comes as JSON with every character past ASCII escaped ("612\\u201334..."), as
    json.dumps writes it: the SSN is masked all the same, and the payload reads as the same JSON."""
    body = update(21, date="soon", text=f"my ssn is {ssn}, call 510–555–0142")
    assert b"\\u" in body
    assert post_update(client, body) == 200
    with service.sessions.begin() as session:
        [letter] = dead_letters(session)
    kept = json.loads(letter.payload)
    assert kept["message"]["text"] == "my ssn is ***-**-****, call 510–555–0142"
    assert kept | {"message": None} == json.loads(body) | {"message": None}


def test_writing_out_json_escapes_never_changes_what_the_json_says() -> None:
    rng = random.Random(16)
    alphabet = 'ab1 "\\/\n\t\x00\x1f–é😀𝟔\ud800\u2028'
    for _ in range(3_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        written = json.dumps({"text": text, "n": 1})
        assert json.loads(_JSON_ESCAPE.sub(_unescaped, written)) == json.loads(written), written


def test_an_sms_body_past_twilios_limit_is_kept_answered_with_nothing_and_not_processed(
    client: TestClient, service: Service
) -> None:
    body = "I worked 8 hours monday. " * 70  # 1,750 characters
    payload, headers = signed("/sms/twilio", sms_form(body, "SM" + "7" * 32))
    for _ in range(2):  # Twilio's retry of the same message changes nothing
        response = client.post("/sms/twilio", content=payload, headers=headers)
        assert response.status_code == 200
        assert list(ET.fromstring(response.text).iter("Message")) == []
    assert letters(service) == [("SM" + "7" * 32, ENGLISH_PHONE, "Body longer than 1600 characters (1750)")]
    assert messages(service) == 0


def test_staff_list_dead_letters_and_read_one(
    client: TestClient, service: Service, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WAYPOINT_DATABASE_URL", service.settings.database_url)
    assert main(["dead-letters"]) == 0
    assert capsys.readouterr().out == "no dead letters\n"
    post_update(client, update(30, text=7))
    post_update(client, update(31, chat=None))
    assert main(["dead-letters"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2
    assert "telegram" in listed[0] and "31" in listed[0] and "message.chat is missing" in listed[0]
    assert str(CHAT) in listed[1] and "message.text is not text" in listed[1]
    with service.sessions.begin() as session:
        oldest = session.scalars(select(DeadLetter).where(DeadLetter.channel == Channel.TELEGRAM)).first()
        assert oldest is not None
    assert main(["dead-letters", "--show", str(oldest.id)]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert json.loads(shown[1])["update_id"] == 30
    assert main(["dead-letters", "--show", "999999"]) == 1
