"""Telegram beyond the shared channel contract: linking chats with one-time codes, the secret token,
replies on the channel written on, Telegram's limits and errors, photos, and long polling."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.app import Service, create_app
from bot.channels.telegram.transport import SendLimiter, TelegramTransport
from bot.channels.telegram.webhook import poll
from bot.cli import main
from casefile.addresses import ChannelAddress, create_link_code, outreach_address
from casefile.dead_letters import dead_letters
from casefile.documents import Document
from casefile.facts import EventRecord
from casefile.messages import Message
from casefile.people import Participant, find_participant_by_phone
from casefile.vocabulary import Channel, Direction, DocumentStatus, MessageStatus
from scheduler.outbox import DeliveryError, Failure
from tests.channels import CHATS, TELEGRAM_SECRET, SmsAdapter, TelegramAdapter
from tests.fake_telegram import TOKEN, FakeTelegram, blocked, flood, message_update
from tests.support import ENGLISH_PHONE, FixedClock

JORDAN_CHAT = str(CHATS[ENGLISH_PHONE])


@pytest.fixture
def client(service: Service, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(service, clock)) as client:
        yield client


@pytest.fixture
def chat(client: TestClient, telegram: FakeTelegram) -> TelegramAdapter:
    """A Telegram adapter whose chats are not linked yet."""
    return TelegramAdapter(client, telegram)


def link_code(service: Service, clock: FixedClock, phone: str = ENGLISH_PHONE) -> str:
    with service.sessions.begin() as session:
        participant = find_participant_by_phone(session, phone)
        assert participant is not None
        return create_link_code(session, participant.id, Channel.TELEGRAM, clock())


def jordan(service: Service) -> Participant:
    with service.sessions.begin() as session:
        found = find_participant_by_phone(session, ENGLISH_PHONE)
        assert found is not None
        return found


# --- Linking -------------------------------------------------------------------------------------------


def test_a_code_is_never_one_the_inbox_would_mask_as_an_ssn(
    chat: TelegramAdapter, service: Service, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A random code can hold an SSN-like run ("123-45_6789" in base64url's letters); masked on its
    way in, "/start <code>" would never match. Such a code is not given out."""
    codes = iter(["Ab123-45_6789xYz0", "Ab123-45x6789xYz0"])
    monkeypatch.setattr("casefile.addresses.secrets.token_urlsafe", lambda size: next(codes))
    code = link_code(service, clock)
    assert code == "Ab123-45x6789xYz0"
    [linked] = chat.send(f"/start {code}", "u1")
    assert linked.startswith("Hi Jordan! This chat is now linked")


def test_a_code_links_the_chat_once(chat: TelegramAdapter, service: Service, clock: FixedClock) -> None:
    code = link_code(service, clock)
    [linked] = chat.send(f"/start {code}", "u1")
    assert linked.startswith("Hi Jordan! This chat is now linked to Alameda County CalWORKs.")
    assert chat.send("hi", "u2")[0].startswith("Hi Jordan!")
    # The same code again, from another chat: refused, and that chat stays unknown.
    [refused] = chat.send(f"/start {code}", "u3", sender="+15105550101")
    assert refused.startswith("This link was already used.")


def test_an_expired_or_forged_code_is_refused_kindly(
    chat: TelegramAdapter, service: Service, clock: FixedClock
) -> None:
    code = link_code(service, clock)
    clock.advance(days=7, seconds=1)
    assert chat.send(f"/start {code}", "u1")[0].startswith("This link has expired (links last 7 days).")
    assert chat.send("/start made-up-code", "u2")[0].startswith("This link doesn't work.")
    with service.sessions.begin() as session:
        assert session.scalars(select(ChannelAddress)).all() == []


def test_an_unlinked_chat_gets_one_explanation_and_nothing_else(chat: TelegramAdapter) -> None:
    [explained] = chat.send("hello", "u1")
    assert explained.startswith("Hi! This chat isn't linked to a case yet.")
    assert "Jordan" not in explained and "CalWORKs" not in explained
    assert chat.send("hello?", "u2") == []
    assert chat.send("/start", "u3") == []


def test_replies_go_back_on_the_channel_written_on_and_outreach_to_the_preferred_one(
    client: TestClient, chat: TelegramAdapter, service: Service, clock: FixedClock, telegram: FakeTelegram
) -> None:
    sms = SmsAdapter(client)
    assert outreach_address(service.sessions(), jordan(service)) == (Channel.SMS, ENGLISH_PHONE)
    chat.send(f"/start {link_code(service, clock)}", "u1")
    assert sms.send("yes", "SM1")[0].startswith("Thanks, Jordan!")
    assert chat.send("HELP", "u2")[0].startswith("Alameda County CalWORKs:")
    assert len(telegram.texts_to(JORDAN_CHAT)) == 2, "the SMS replies did not go to Telegram"
    with service.sessions() as session:
        assert outreach_address(session, jordan(service)) == (Channel.TELEGRAM, JORDAN_CHAT)


# --- The webhook --------------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}])
def test_a_request_without_the_secret_token_is_refused_and_nothing_stored(
    client: TestClient, service: Service, headers: dict[str, str]
) -> None:
    response = client.post("/telegram/webhook", json=message_update(1, CHATS[ENGLISH_PHONE], "hi"), headers=headers)
    assert response.status_code == 403
    with service.sessions.begin() as session:
        assert session.scalars(select(Message)).all() == []


def test_a_body_that_is_no_update_is_kept_as_a_dead_letter_and_answered_200(
    client: TestClient, service: Service
) -> None:
    """A 400 would make Telegram send it again and again (issue 16, item 8): tests/test_dead_letters.py."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    assert client.post("/telegram/webhook", content=b"{not json", headers=headers).status_code == 200
    assert client.post("/telegram/webhook", json={"message": {}}, headers=headers).status_code == 200
    with service.sessions.begin() as session:
        assert session.scalars(select(Message)).all() == []
        assert len(dead_letters(session)) == 2


def test_a_photo_is_fetched_through_the_bot_api(
    client: TestClient, service: Service, telegram: FakeTelegram, clock: FixedClock, settings: object
) -> None:
    adapter = TelegramAdapter.linked(client, service, telegram, clock)
    adapter.send("yes", "p0")
    assert adapter.send("", "p1", media=("image/jpeg",)) == ["Thanks, I got your photo. Your counselor can see it."]
    with service.sessions.begin() as session:
        [document] = session.scalars(select(Document)).all()
        assert (document.channel, document.source, document.status) == (
            Channel.TELEGRAM,
            "photo4-1280",
            DocumentStatus.STORED,
        )
        assert document.size == len(telegram.files["photo4-1280"])


# --- Sending within Telegram's limits -------------------------------------------------------------------


def test_a_blocked_bot_disables_that_chat_only_and_writing_again_reopens_it(
    client: TestClient, service: Service, telegram: FakeTelegram, clock: FixedClock
) -> None:
    adapter = TelegramAdapter.linked(client, service, telegram, clock)
    telegram.errors = [blocked()]
    assert adapter.send("hi", "b1") == []
    with service.sessions.begin() as session:
        address = session.scalars(select(ChannelAddress).where(ChannelAddress.address == JORDAN_CHAT)).one()
        assert address.disabled_reason == "blocked"
        failed = session.scalars(select(Message).where(Message.status == MessageStatus.FAILED)).one()
        assert failed.channel is Channel.TELEGRAM
        assert session.scalars(select(EventRecord.kind).where(EventRecord.kind == "delivery_failed")).one()
        assert outreach_address(session, session.get_one(Participant, address.participant_id))[0] is Channel.SMS
    assert adapter.send("hi again", "b2"), "the chat is answered again"
    with service.sessions.begin() as session:
        assert (
            session.scalars(select(ChannelAddress.disabled_at).where(ChannelAddress.address == JORDAN_CHAT)).one()
            is None
        )


def test_other_errors_fail_the_message_but_keep_the_chat(
    client: TestClient, service: Service, telegram: FakeTelegram, clock: FixedClock
) -> None:
    adapter = TelegramAdapter.linked(client, service, telegram, clock)
    telegram.errors = [{"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}]
    adapter.send("hi", "e1")
    with service.sessions.begin() as session:
        assert session.scalars(select(ChannelAddress.disabled_at)).all() == [None, None]


@pytest.fixture
def transport(telegram: FakeTelegram) -> Iterator[tuple[TelegramTransport, list[float]]]:
    waits: list[float] = []
    now = [100.0]

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = SendLimiter(per_chat=0, clock=lambda: now[0], sleep=sleep)
    built = TelegramTransport(TOKEN, api_base_url=telegram.url, limiter=limiter)
    yield built, waits
    built.close()


def test_flood_control_waits_as_told_and_sends_once(
    transport: tuple[TelegramTransport, list[float]], telegram: FakeTelegram
) -> None:
    sender, waits = transport
    telegram.errors = [flood(3)]
    assert sender.send(JORDAN_CHAT, "Your step is due today.") == f"{JORDAN_CHAT}:1"
    assert waits == [3.0]
    assert telegram.texts_to(JORDAN_CHAT) == ["Your step is due today."]


def test_a_text_over_4096_characters_is_refused_before_sending(
    transport: tuple[TelegramTransport, list[float]], telegram: FakeTelegram
) -> None:
    sender, _ = transport
    with pytest.raises(DeliveryError) as refused:
        sender.send(JORDAN_CHAT, "x" * 4097)
    assert refused.value.failure is Failure.REFUSED
    assert [method for method, _ in telegram.calls if method == "sendMessage"] == []


def test_the_limiter_keeps_a_second_between_messages_to_a_chat_and_under_thirty_a_second_in_all() -> None:
    now = [100.0]
    waits: list[float] = []
    limiter = SendLimiter(clock=lambda: now[0], sleep=waits.append)
    for _ in range(3):
        limiter.wait("7001")
    assert waits == [1.0, 2.0]
    waits.clear()
    limiter = SendLimiter(clock=lambda: now[0], sleep=waits.append)
    for chat in range(60):
        limiter.wait(str(chat))
    slots = [100.0, *(100.0 + wait for wait in waits)]
    # Spread evenly with a margin: 28 sends span more than a second, so no second holds 28.
    assert all(slots[i + 27] - slots[i] > 1.0 for i in range(len(slots) - 27))


# --- Long polling and the CLI ----------------------------------------------------------------------------


def test_long_polling_handles_updates_as_the_webhook_does(
    service: Service, telegram: FakeTelegram, clock: FixedClock
) -> None:
    assert service.telegram is not None
    telegram.updates = [message_update(41, CHATS[ENGLISH_PHONE], f"/start {link_code(service, clock)}")]
    assert poll(service.telegram, None) == 42
    telegram.updates.append(message_update(42, CHATS[ENGLISH_PHONE], "hi"))
    assert poll(service.telegram, 42) == 43
    assert poll(service.telegram, 43) == 43
    replies = telegram.texts_to(JORDAN_CHAT)
    assert [reply.split("!")[0] for reply in replies] == ["Hi Jordan", "Hi Jordan"]
    with service.sessions.begin() as session:
        inbound = session.scalars(select(Message.provider_id).where(Message.direction == Direction.INBOUND)).all()
        assert inbound == ["41", "42"]


def test_a_counselor_makes_a_link_from_the_command_line(
    service: Service, settings: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WAYPOINT_DATABASE_URL", service.settings.database_url)
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "@alameda_waypoint_bot")
    assert main(["telegram", "link", "--phone", "510-555-0100"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Link for Jordan Smith (one use, 7 days): https://t.me/alameda_waypoint_bot?start=")
    assert len(printed.strip().rsplit("=", 1)[1]) == 16
    assert main(["telegram", "poll", "--once"]) == 1, "no bot token set: told, not a traceback"
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err


def test_set_webhook_and_one_poll_from_the_command_line(
    service: Service, telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in {
        "WAYPOINT_DATABASE_URL": service.settings.database_url,
        "WAYPOINT_PUBLIC_URL": "https://waypoint.example.org",
        "WAYPOINT_TELEGRAM_API_BASE_URL": telegram.url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["telegram", "set-webhook"]) == 0
    [(_, params)] = [call for call in telegram.calls if call[0] == "setWebhook"]
    assert params["url"] == "https://waypoint.example.org/telegram/webhook"
    assert params["secret_token"] == TELEGRAM_SECRET
    telegram.updates = [message_update(5, CHATS[ENGLISH_PHONE], "hello")]
    assert main(["telegram", "poll", "--once"]) == 0
    assert "deleteWebhook" in [method for method, _ in telegram.calls]
    assert telegram.texts_to(JORDAN_CHAT)[0].startswith("Hi! This chat isn't linked to a case yet.")
