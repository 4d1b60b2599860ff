"""Twilio's webhooks answer the same whether the fast path (bot/channels/sms/fast_path.py) or
FastAPI's router serves them: every test here runs against both, with the same expectations.

"router" is the app with the fast path taken out of its middleware, as the app was before it."""

import dataclasses
import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from bot.app import Service, create_app
from bot.channels.sms.fast_path import TwilioFastPath
from casefile.dead_letters import DeadLetter
from casefile.messages import Message
from casefile.vocabulary import Direction, MessageStatus
from tests.support import AUTH_TOKEN, ENGLISH_PHONE, PUBLIC_URL, FixedClock, signed, sms_form
from tests.test_inbox_failures import break_storage

INBOUND = "/sms/twilio"
STATUS = "/sms/twilio/status"
UNSIGNED = "Invalid or missing X-Twilio-Signature"


def served_by(app: FastAPI, path: str) -> FastAPI:
    """The app as built ("fast"), or with its fast path taken out ("router")."""
    if path == "router":
        app.user_middleware[:] = [m for m in app.user_middleware if m.cls is not TwilioFastPath]
    return app


@pytest.fixture(params=["fast", "router"])
def path(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(service: Service, clock: FixedClock, path: str) -> Iterator[TestClient]:
    with TestClient(served_by(create_app(service, clock), path)) as test_client:
        yield test_client


def header_names(response: object) -> list[str]:
    return [name for name, _ in response.headers.items()]  # type: ignore[attr-defined]


def count(service: Service, *where: object) -> int:
    with service.sessions.begin() as session:
        return session.scalar(select(func.count()).select_from(Message).where(*where)) or 0


def test_the_fast_path_is_what_serves_a_text(service: Service, clock: FixedClock) -> None:
    """The default app has it, innermost of our middleware: the body limit and request log see it."""
    app = create_app(service, clock)
    assert [m.cls.__name__ for m in app.user_middleware] == ["RequestLog", "BodyLimit", "TwilioFastPath"]


def test_a_text_gets_twiml_with_the_same_headers(client: TestClient, service: Service) -> None:
    payload, headers = signed(INBOUND, sms_form("hi", "SM" + "f" * 32))
    response = client.post(INBOUND, content=payload, headers=headers | {"X-Request-ID": "county-proxy-0042"})
    assert response.status_code == 200
    assert header_names(response) == ["content-length", "content-type", "x-request-id"]
    assert response.headers["content-type"] == "application/xml"
    assert response.headers["x-request-id"] == "county-proxy-0042"
    assert int(response.headers["content-length"]) == len(response.content)
    (reply,) = ET.fromstring(response.text).iter("Message")
    assert (reply.text or "").startswith("Hi Jordan!")
    assert reply.get("statusCallback", "").startswith(f"{PUBLIC_URL}/sms/twilio/status?reply=")
    assert count(service, Message.direction == Direction.OUTBOUND, Message.status == MessageStatus.SENT) == 1


@pytest.mark.parametrize("route", [INBOUND, STATUS])
def test_an_unsigned_or_missigned_request_is_refused_403_in_plain_text(client: TestClient, route: str) -> None:
    form = sms_form("hi", "SM" + "e" * 32)
    payload, headers = signed(route, form, token="not-the-token")
    for sent_headers in (headers, {"Content-Type": "application/x-www-form-urlencoded"}):
        response = client.post(route, content=payload, headers=sent_headers)
        assert (response.status_code, response.text) == (403, UNSIGNED)
        assert header_names(response) == ["content-length", "x-request-id"]


def test_without_an_auth_token_every_request_is_refused(service: Service, clock: FixedClock, path: str) -> None:
    unset = dataclasses.replace(service, settings=dataclasses.replace(service.settings, twilio_auth_token=None))
    with TestClient(served_by(create_app(unset, clock), path)) as client:
        payload, headers = signed(INBOUND, sms_form("hi", "SM" + "d" * 32))
        assert (client.post(INBOUND, content=payload, headers=headers).status_code) == 403
    assert count(service) == 0


def test_a_signature_over_the_url_with_its_query_is_checked_with_the_query(client: TestClient) -> None:
    """A county may give Twilio a webhook URL with a query; Twilio signs it with the query."""
    form = sms_form("hi", "SM" + "c" * 32)
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC_URL}{INBOUND}?county=alameda", form)
    payload, headers = signed(INBOUND, form)
    headers["X-Twilio-Signature"] = signature
    assert client.post(f"{INBOUND}?county=alameda", content=payload, headers=headers).status_code == 200
    assert client.post(f"{INBOUND}?county=fresno", content=payload, headers=headers).status_code == 403


def test_the_first_of_two_signature_headers_is_the_one_checked(client: TestClient) -> None:
    payload, headers = signed(INBOUND, sms_form("hi", "SM" + "b" * 32))
    good = headers["X-Twilio-Signature"]
    twice = [("content-type", headers["Content-Type"]), ("x-twilio-signature", good), ("x-twilio-signature", "x")]
    assert client.post(INBOUND, content=payload, headers=twice).status_code == 200
    twice = [("content-type", headers["Content-Type"]), ("x-twilio-signature", "x"), ("x-twilio-signature", good)]
    assert client.post(INBOUND, content=payload, headers=twice).status_code == 403


def test_a_body_past_the_limit_is_refused_413_before_the_signature(client: TestClient, service: Service) -> None:
    response = client.post(INBOUND, content=b"Body=" + b"x" * 70_000, headers={"Content-Type": "text/plain"})
    assert (response.status_code, response.text) == (413, "Request body too large: at most 65536 bytes")
    assert response.headers["connection"] == "close"
    assert count(service) == 0


def test_a_signed_form_of_too_many_fields_or_no_sender_is_refused_with_the_reason(client: TestClient) -> None:
    many = sms_form("hi", "SM" + "a" * 32) | {f"Extra{n}": "x" for n in range(200)}
    payload, headers = signed(INBOUND, many)
    response = client.post(INBOUND, content=payload, headers=headers)
    assert (response.status_code, response.text) == (413, "More than 200 form fields")
    form = sms_form("hi", "SM" + "9" * 32)
    del form["From"]
    payload, headers = signed(INBOUND, form)
    response = client.post(INBOUND, content=payload, headers=headers)
    assert (response.status_code, response.text) == (400, "Not a message: From is missing or too long")
    assert header_names(response) == ["content-length", "x-request-id"]
    payload, headers = signed(STATUS, {"MessageSid": "SM1", "MessageStatus": "sent", "ErrorCode": "1"})
    response = client.post(STATUS, content=payload + b"&MessageSid=SM2", headers=headers)
    assert response.status_code == 403  # a field added after signing


def test_a_status_report_named_twice_is_not_a_status_report(client: TestClient) -> None:
    from tests.test_hostile_inputs import signed_pairs

    payload, headers = signed_pairs(STATUS, [("MessageSid", "SM1"), ("MessageSid", "SM2"), ("MessageStatus", "sent")])
    response = client.post(STATUS, content=payload, headers=headers)
    assert (response.status_code, response.text) == (400, "Not a status report: MessageSid is given 2 times")


def test_a_body_longer_than_a_text_is_kept_as_a_dead_letter_and_answered_200(
    client: TestClient, service: Service
) -> None:
    payload, headers = signed(INBOUND, sms_form("é" * 1601, "SM" + "8" * 32))
    response = client.post(INBOUND, content=payload, headers=headers)
    assert response.status_code == 200
    assert response.text == '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
    with service.sessions.begin() as session:
        assert session.scalar(select(func.count()).select_from(DeadLetter)) == 1
    assert count(service) == 0


def test_a_text_that_cannot_be_stored_is_answered_503(client: TestClient, service: Service) -> None:
    break_storage(service, "messages")
    payload, headers = signed(INBOUND, sms_form("hi", "SM" + "7" * 32))
    response = client.post(INBOUND, content=payload, headers=headers)
    assert (response.status_code, response.text) == (503, "Could not store the message; please retry")
    assert header_names(response) == ["content-length", "x-request-id"]


def test_a_status_callback_links_the_reply_and_is_answered_200_empty(client: TestClient, service: Service) -> None:
    payload, headers = signed(INBOUND, sms_form("hi", "SM" + "6" * 32))
    reply = ET.fromstring(client.post(INBOUND, content=payload, headers=headers).text).find("Message")
    assert reply is not None
    callback = reply.get("statusCallback", "").removeprefix(PUBLIC_URL)
    form = {"MessageSid": "SM" + "5" * 32, "MessageStatus": "delivered"}
    payload, headers = signed(callback, form)
    response = client.post(callback, content=payload, headers=headers)
    assert (response.status_code, response.content) == (200, b"")
    assert header_names(response) == ["content-length", "x-request-id"]
    with service.sessions.begin() as session:
        outbound = session.scalars(select(Message).where(Message.direction == Direction.OUTBOUND)).one()
        assert (outbound.provider_id, outbound.status) == ("SM" + "5" * 32, MessageStatus.DELIVERED)


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("route", [INBOUND, STATUS])
def test_other_methods_are_answered_405_naming_post(client: TestClient, method: str, route: str) -> None:
    response = client.request(method, route)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_a_trailing_slash_is_redirected_to_the_webhook(client: TestClient, service: Service) -> None:
    payload, headers = signed(INBOUND, sms_form("hi", "SM" + "4" * 32))
    response = client.post(INBOUND + "/", content=payload, headers=headers, follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"].endswith(INBOUND)
    assert count(service) == 0


def test_the_access_line_names_the_route_and_status_with_the_request_id(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    payload, headers = signed(INBOUND, sms_form("my ssn is 123-45-6789", "SM" + "3" * 32))
    with caplog.at_level(logging.INFO, logger="waypoint.access"):
        client.post(INBOUND, content=payload, headers=headers | {"X-Request-ID": "county-proxy-0043"})
        client.post(STATUS + "?reply=1", content=b"MessageSid=SM1", headers={"X-Twilio-Signature": "x"})
    lines = [record.getMessage() for record in caplog.records if record.name == "waypoint.access"]
    assert [line.rsplit(" ", 1)[0] for line in lines] == ["POST /sms/twilio 200", "POST /sms/twilio/status 403"]
    assert all(line.endswith("ms") for line in lines)
    assert "123" not in " ".join(lines) and ENGLISH_PHONE not in " ".join(lines)


def test_metrics_count_the_webhooks_by_route_and_status(service: Service, clock: FixedClock, path: str) -> None:
    metered = dataclasses.replace(service, settings=dataclasses.replace(service.settings, metrics_enabled=True))
    with TestClient(served_by(create_app(metered, clock), path)) as client:
        payload, headers = signed(INBOUND, sms_form("hi", "SM" + "2" * 32))
        client.post(INBOUND, content=payload, headers=headers)
        client.post(STATUS, content=b"MessageSid=SM1", headers={"X-Twilio-Signature": "x"})
        body = client.get("/metrics").text
    assert 'waypoint_http_requests_total{route="/sms/twilio",status="200"} 1.0' in body
    assert 'waypoint_http_requests_total{route="/sms/twilio/status",status="403"} 1.0' in body
    assert 'waypoint_http_request_duration_seconds_count{route="/sms/twilio"} 1.0' in body
    assert "waypoint_inbound_batch_size_count 1.0" in body


def test_the_webhooks_stay_in_the_api_reference(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths[INBOUND]) == {"post"} and set(paths[STATUS]) == {"post"}
