"""A photo of a signed timesheet by MMS: stored as a document received, fetched from a fake Twilio on
127.0.0.1 with the account's credentials, retried when fetching fails, and never lost."""

import hashlib
import stat
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.app import Service, build_service, create_app
from bot.channels.sms.media import is_twilio_media
from bot.demo import seed_demo
from bot.documents import RETRY_DELAYS, retry_at
from bot.settings import Secret, Settings
from casefile.documents import Document, claim_document
from casefile.facts import EventRecord
from casefile.messages import Message
from casefile.vocabulary import DocumentStatus
from tests.fake_twilio import FakeTwilio, run_fake_twilio
from tests.support import FixedClock, signed, sms_form

ACCOUNT = "AC" + "c" * 32
MEDIA_TOKEN = "media-auth-token"
PHOTO = b"\xff\xd8\xff\xe0 a signed timesheet, as a JPEG would start" * 50
MEDIA_PATH = f"/2010-04-01/Accounts/{ACCOUNT}/Messages/MM1/Media/ME1"


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    yield from run_fake_twilio()


@pytest.fixture
def mms_service(settings: Settings, clock: FixedClock, twilio: FakeTwilio) -> Iterator[Service]:
    # The webhook checks signatures with the auth token; media is fetched with the same account, from
    # the fake Twilio only (as it would be from Twilio's hosts only).
    built = build_service(
        replace(
            settings,
            twilio_account_sid=ACCOUNT,
            twilio_auth_token=Secret(MEDIA_TOKEN),
            twilio_media_origins=(twilio.url,),
        ),
        clock,
    )
    with built.sessions.begin() as session:
        seed_demo(session, settings.timezone, clock())
    yield built
    built.close()


@pytest.fixture
def client(mms_service: Service, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(mms_service, clock)) as client:
        yield client


def send_mms(client: TestClient, twilio: FakeTwilio, body: str, sid: str, path: str | None = MEDIA_PATH) -> list[str]:
    """A text as Twilio posts it, with one photo held by the fake Twilio at `path` (none if None)."""
    media = {"NumMedia": "1", "MediaUrl0": twilio.url + path, "MediaContentType0": "image/jpeg"} if path else {}
    payload, headers = signed("/sms/twilio", sms_form(body, sid, **media), token=MEDIA_TOKEN)
    response = client.post("/sms/twilio", content=payload, headers=headers)
    assert response.status_code == 200
    return [node.text or "" for node in ET.fromstring(response.text).iter("Message")]


def documents(service: Service) -> list[Document]:
    with service.sessions.begin() as session:
        return list(session.scalars(select(Document).order_by(Document.id)))


def kinds(service: Service) -> list[str]:
    with service.sessions.begin() as session:
        return list(session.scalars(select(EventRecord.kind).order_by(EventRecord.id)))


def test_a_photo_is_fetched_with_the_account_credentials_after_a_failure_and_a_retry(
    client: TestClient, mms_service: Service, twilio: FakeTwilio, clock: FixedClock, settings: Settings
) -> None:
    send_mms(client, twilio, "yes", "SM-consent", path=None)
    twilio.media[MEDIA_PATH] = PHOTO
    twilio.media_statuses = [500]

    replies = send_mms(client, twilio, "", "MM1")

    assert replies == ["Thanks, I got your photo. Your counselor can see it."]
    # The first fetch ran right after the answer to Twilio, and failed: the document waits, nothing is lost.
    [waiting] = documents(mms_service)
    assert (waiting.status, waiting.attempts, waiting.last_error) == (DocumentStatus.WAITING, 1, "HTTP 500")
    assert waiting.source == twilio.url + MEDIA_PATH
    assert waiting.next_attempt_at is not None
    assert clock() + timedelta(seconds=48) <= waiting.next_attempt_at <= clock() + timedelta(seconds=72)
    assert kinds(mms_service)[-1] == "document_received"

    assert mms_service.documents.fetch_due().stored == 0, "not before its retry time"
    clock.advance(minutes=2)
    report = mms_service.documents.fetch_due()

    assert (report.stored, report.retrying, report.failed) == (1, 0, 0)
    [document] = documents(mms_service)
    assert document.status is DocumentStatus.STORED
    assert (document.size, document.sha256) == (len(PHOTO), hashlib.sha256(PHOTO).hexdigest())
    stored = Path(settings.documents_dir) / (document.path or "")
    assert stored.read_bytes() == PHOTO
    assert stored.suffix == ".jpg"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600, "participants' documents are private to the service"
    assert twilio.media_requests == [(MEDIA_PATH, ACCOUNT, MEDIA_TOKEN)] * 2
    with mms_service.sessions.begin() as session:
        message = session.get_one(Message, document.message_id)
        assert message.provider_id == "MM1"


def test_hours_and_a_photo_in_one_message_are_both_taken(
    client: TestClient, mms_service: Service, twilio: FakeTwilio, clock: FixedClock
) -> None:
    send_mms(client, twilio, "yes", "SM-consent", path=None)
    twilio.media[MEDIA_PATH] = PHOTO
    clock.advance(days=2)
    replies = send_mms(client, twilio, "my timesheet, 6 hours job search today", "MM1")
    assert replies[0].startswith("Thanks, I got your photo.")
    assert replies[1].startswith("Wed, Mar 4: 6 h")
    assert [d.status for d in documents(mms_service)] == [DocumentStatus.STORED]
    assert kinds(mms_service)[-2:] == ["document_received", "hours_reported"]


def test_a_photo_the_provider_no_longer_has_is_given_up_at_once_and_the_counselor_told(
    client: TestClient, mms_service: Service, twilio: FakeTwilio
) -> None:
    send_mms(client, twilio, "yes", "SM-consent", path=None)
    send_mms(client, twilio, "", "MM1", path=MEDIA_PATH.replace("ME1", "ME-gone"))
    [document] = documents(mms_service)
    assert (document.status, document.attempts, document.last_error) == (DocumentStatus.FAILED, 1, "HTTP 404")
    with mms_service.sessions.begin() as session:
        flagged = session.scalars(select(EventRecord).where(EventRecord.kind == "document_not_fetched")).one()
        assert flagged.needs_counselor
        assert flagged.payload == {"document_id": document.id}


def test_a_provider_that_keeps_failing_is_tried_on_a_backoff_then_left_to_a_person(
    client: TestClient, mms_service: Service, twilio: FakeTwilio, clock: FixedClock
) -> None:
    send_mms(client, twilio, "yes", "SM-consent", path=None)
    twilio.media[MEDIA_PATH] = PHOTO
    twilio.media_statuses = [503] * 20
    send_mms(client, twilio, "", "MM1")
    for _ in RETRY_DELAYS:
        clock.advance(hours=30)
        mms_service.documents.fetch_due()
    [document] = documents(mms_service)
    assert (document.status, document.attempts) == (DocumentStatus.FAILED, len(RETRY_DELAYS) + 1)
    assert len(twilio.media_requests) == len(RETRY_DELAYS) + 1
    assert "document_not_fetched" in kinds(mms_service)


def test_two_fetchers_never_fetch_the_same_attempt(
    client: TestClient, mms_service: Service, twilio: FakeTwilio, clock: FixedClock
) -> None:
    send_mms(client, twilio, "yes", "SM-consent", path=None)
    twilio.media_statuses = [500]
    twilio.media[MEDIA_PATH] = PHOTO
    send_mms(client, twilio, "", "MM1")
    [document] = documents(mms_service)
    with mms_service.sessions.begin() as session:
        assert claim_document(session, document.id, document.attempts, clock()) is not None
    with mms_service.sessions.begin() as session:
        assert claim_document(session, document.id, document.attempts, clock()) is None


def test_retry_waits_grow_and_are_jittered() -> None:
    now = FixedClock()()
    waits = [retry_at(attempt, now) for attempt in range(1, len(RETRY_DELAYS) + 2)]
    assert waits[-1] is None
    for wait, delay in zip(waits, RETRY_DELAYS, strict=False):
        assert wait is not None and delay * 0.8 <= wait - now <= delay * 1.2


def test_the_credentials_go_to_no_host_but_twilios_whatever_url_a_signed_request_names(
    client: TestClient, mms_service: Service, twilio: FakeTwilio
) -> None:
    """Issue 16, item 14: the same fake server under another name is another host."""
    send_mms(client, twilio, "yes", "SM-consent", path=None)
    twilio.media[MEDIA_PATH] = PHOTO
    elsewhere = twilio.url.replace("127.0.0.1", "localhost") + MEDIA_PATH
    payload, headers = signed(
        "/sms/twilio",
        sms_form("", "MM-elsewhere", NumMedia="1", MediaUrl0=elsewhere, MediaContentType0="image/jpeg"),
        token=MEDIA_TOKEN,
    )
    assert client.post("/sms/twilio", content=payload, headers=headers).status_code == 200
    assert twilio.media_requests == []
    [document] = documents(mms_service)
    assert (document.status, document.attempts) == (DocumentStatus.FAILED, 1)
    assert document.last_error is not None and "not a Twilio media host" in document.last_error
    assert kinds(mms_service)[-1] == "document_not_fetched"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", True),
        ("https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", True),
        ("https://API.Twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", True),
        ("http://api.twilio.com/2010-04-01/Accounts/AC1/Media/ME1", False),  # credentials in clear
        ("https://api.twilio.com:8443/Media/ME1", False),
        ("https://api.twilio.com.attacker.example/Media/ME1", False),
        ("https://evil-twilio.com/Media/ME1", False),
        ("https://attacker.example/api.twilio.com/Media/ME1", False),
        ("https://api.twilio.com@attacker.example/Media/ME1", False),
        ("https://user:pw@api.twilio.com/Media/ME1", False),
        ("https://twilio.com/Media/ME1", False),
        ("https://api.twilio.com:bad/Media/ME1", False),
        ("ME1", False),
    ],
)
def test_twilios_media_hosts_are_told_apart_from_look_alikes(url: str, allowed: bool) -> None:
    assert is_twilio_media(url, Settings().twilio_media_origins) is allowed
