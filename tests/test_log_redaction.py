"""No secret, phone number or message body in the log (issue 16, item 11).

The whole-run test starts `waypoint serve` as a new process, with the logging a deployment has, and
drives it as Twilio and Telegram would (signed texts, a photo, a linked chat, a malformed update)
with the fake providers on 127.0.0.1; then it reads everything the process wrote."""

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bot.log_redaction import NUMBER, install_log_redaction, redact
from casefile.addresses import create_link_code
from casefile.database import make_engine, session_factory
from casefile.migrate import upgrade
from casefile.people import find_participant_by_phone
from casefile.vocabulary import Channel
from tests.channels import TELEGRAM_SECRET
from tests.fake_telegram import TOKEN as TELEGRAM_TOKEN
from tests.fake_telegram import FakeTelegram, message_update
from tests.fake_twilio import FakeTwilio, run_fake_twilio
from tests.live_server import free_port
from tests.support import AUTH_TOKEN, ENGLISH_PHONE, PUBLIC_URL, SPANISH_PHONE, signed, sms_form

WAYPOINT = str(Path(sys.executable).with_name("waypoint"))
CHAT = 770012345
#: Words the participants text, each found nowhere in the service's own templates.
BODIES = (
    "my bus pass never came and my cousin Marisol can call you",
    "la guardería cerró el martes, no pude ir a la clase de inglés",
    "childcare fell through again this week, Teodoro is sick",
)
PHONES = (ENGLISH_PHONE, SPANISH_PHONE, "5105550100", "510-555-0142", "(510) 555-0142", str(CHAT))


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    yield from run_fake_twilio()


def test_a_whole_run_logs_no_token_secret_phone_number_or_message_body(
    tmp_path: Path, telegram: FakeTelegram, twilio: FakeTwilio
) -> None:
    from bot.demo import seed_demo

    database_url = f"sqlite:///{tmp_path / 'run.sqlite3'}"
    engine = make_engine(database_url)
    upgrade(engine)
    with session_factory(engine).begin() as session:
        seed_demo(session, "America/Los_Angeles", datetime.now(UTC))
        jordan = find_participant_by_phone(session, ENGLISH_PHONE)
        assert jordan is not None
        code = create_link_code(session, jordan.id, Channel.TELEGRAM, datetime.now(UTC))
    engine.dispose()
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WAYPOINT_", "TWILIO_", "TELEGRAM_"))}
    env = clean | {
        "WAYPOINT_DATABASE_URL": database_url,
        "WAYPOINT_PUBLIC_URL": PUBLIC_URL,
        "TWILIO_ACCOUNT_SID": "AC" + "d" * 32,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": "+15105559999",
        "WAYPOINT_TWILIO_API_BASE_URL": twilio.url,
        "WAYPOINT_TWILIO_MEDIA_ORIGINS": twilio.url,
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "WAYPOINT_TELEGRAM_API_BASE_URL": telegram.url,
        "WAYPOINT_TELEGRAM_CHAT_INTERVAL": "0",
        "WAYPOINT_DOCUMENTS_DIR": str(tmp_path / "documents"),
        "WAYPOINT_DISPATCH_SECONDS": "1",
        "WAYPOINT_DOCUMENT_RETRY_SECONDS": "1",
    }
    output = tmp_path / "serve.log"
    with output.open("wb") as log_file:
        server = subprocess.Popen(
            [WAYPOINT, "serve", "--port", str(port)], env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        try:
            _drive(f"http://127.0.0.1:{port}", telegram, twilio, code)
        finally:
            server.terminate()
            server.wait(timeout=30)
    log = output.read_text()

    # The run did what leaked before: Bot API calls logged by httpx, a failed fetch, an access log.
    assert "HTTP Request: POST" in log and "/sendMessage" in log, log
    assert "fetching document" in log and "POST /sms/twilio" in log
    for secret in (TELEGRAM_TOKEN, TELEGRAM_TOKEN.split(":")[1], AUTH_TOKEN, TELEGRAM_SECRET):
        assert secret not in log
    for phone in PHONES:
        assert phone not in log
    for body in BODIES:
        for words in (body, body[:20], body[-20:]):
            assert words not in log


def _drive(url: str, telegram: FakeTelegram, twilio: FakeTwilio, code: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{url}/healthz", timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    twilio.media["/photo-gone"] = b""  # answered 404 below: a failed fetch is logged
    with httpx.Client(base_url=url, timeout=10) as client:

        def sms(body: str, sid: str, sender: str = ENGLISH_PHONE, **extra: str) -> None:
            payload, headers = signed("/sms/twilio", sms_form(body, sid, sender, **extra))
            assert client.post("/sms/twilio", content=payload, headers=headers).status_code == 200

        def update(update_id: int, text: str) -> None:
            headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
            response = client.post("/telegram/webhook", json=message_update(update_id, CHAT, text), headers=headers)
            assert response.status_code == 200

        for i, body in enumerate(("hi", "yes", "3", BODIES[0])):
            sms(body, f"SM-log-{i}")
        sms(BODIES[1], "SM-log-es", SPANISH_PHONE)
        sms("", "MM-log", NumMedia="1", MediaUrl0=twilio.url + "/missing", MediaContentType0="image/jpeg")
        for i, text in enumerate((f"/start {code}", "yes", "3", BODIES[2]), start=1):
            update(i, text)
        malformed = {"update_id": 99, "message": {"date": "soon", "chat": {"id": CHAT}, "text": BODIES[2]}}
        client.post("/telegram/webhook", json=malformed, headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    while len(telegram.texts_to(str(CHAT))) < 4 or not twilio.media_requests:
        if time.monotonic() > deadline:
            raise AssertionError(f"replies sent: {telegram.sent}, media requests: {twilio.media_requests}")
        time.sleep(0.1)


def test_numbers_that_identify_someone_are_redacted_and_the_rest_kept() -> None:
    install_log_redaction(["0123456789abcdef-secret"])
    line = (
        "POST https://api.telegram.org/bot7712345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0/sendMessage "
        "to +15105550100 / +1 (510) 555-0142 / 510.555.0142 / chat 770012345 / 612-34-5678 "
        "with 0123456789abcdef-secret at 2026-03-02 17:00:05 from 127.0.0.1:54321, message 12345, SM0a1b2c3d4e5f"
    )
    assert redact(line) == (
        "POST https://api.telegram.org/bot<bot-token>/sendMessage "
        f"to {NUMBER} / {NUMBER} / {NUMBER} / chat {NUMBER} / {NUMBER} "
        "with <secret> at 2026-03-02 17:00:05 from 127.0.0.1:54321, message 12345, SM0a1b2c3d4e5f"
    )


@pytest.mark.parametrize(
    "ssn",
    [
        "612 34-5678",
        "612 - 34 - 5678",
        "612–34–5678",
        "612—34—5678",
        "612_34_5678",
        "612/34/5678",
        "612.34.5678",
        "612\u00a034\u00a05678",
        "⁶¹²⁻³⁴⁻⁵⁶⁷⁸",
        "１２３－４５－６７８９",
    ],
)
def test_an_ssn_in_a_log_line_is_redacted_however_it_is_written(ssn: str, caplog: pytest.LogCaptureFixture) -> None:
    """Whatever a library logs (a request's query, an exception quoting a form), an SSN in it is
    redacted by the definition the guard and the inbox use (casefile.identifiers.SSN_LIKE)."""
    install_log_redaction([])
    with caplog.at_level(logging.INFO, logger="tests.log_redaction"):
        logging.getLogger("tests.log_redaction").info("form field ssn=%s at 2026-03-02 17:00:05", ssn)
    [record] = [record for record in caplog.records if record.name == "tests.log_redaction"]
    assert record.getMessage() == f"form field ssn={NUMBER} at 2026-03-02 17:00:05"
