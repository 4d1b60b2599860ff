"""The console's defences, probed as an attacker would: forged and cross-site POSTs, other caseloads,
stolen or ended sessions, guessing passwords, and HTML in a participant's text."""

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.app import Service, create_app
from casefile.accounts import MAX_ADDRESS_FAILURES, MAX_FAILURES, disable_counselor
from casefile.documents import Document
from casefile.facts import EventRecord
from casefile.people import Counselor
from tests.channels import SmsAdapter
from tests.console_support import DANA, PASSWORD, QUINN_PHONE, SAM, Browser, Team, make_team, open_items
from tests.support import ENGLISH_PHONE, FixedClock


@pytest.fixture
def app_client(service: Service, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(service, clock)) as client:
        yield client


@pytest.fixture
def team(service: Service, clock: FixedClock) -> Team:
    return make_team(service, clock)


def browser(service: Service, clock: FixedClock, https: bool = False, address: str = "203.0.113.7") -> TestClient:
    return TestClient(
        create_app(service, clock),
        base_url="https://waypoint.example.org" if https else "http://127.0.0.1:8000",
        client=(address, 50123),
    )


def message_counselor(sms: SmsAdapter, phone: str, words: str, prefix: str) -> None:
    """The participant confirms consent, picks "Message my counselor" and writes `words`."""
    for n, text in enumerate(["hi", "YES", "3", words]):
        sms.send(text, f"SM{prefix}{n:030d}", sender=phone)


def quinn_item(service: Service, app_client: TestClient, team: Team) -> tuple[int, int]:
    """Quinn (Sam's) writes to Sam with a photo: the queue item's id and the document's id."""
    sms = SmsAdapter(app_client)
    message_counselor(sms, QUINN_PHONE, "my pay stub is attached, SSN on it is private", "q")
    [item] = open_items(service, team.quinn_id)
    with service.sessions.begin() as session:
        document = Document(
            participant_id=team.quinn_id,
            message_id=item.message_id,
            channel="sms",
            source="https://api.twilio.com/x",
            content_type="image/jpeg",
            status="stored",
            attempts=1,
            next_attempt_at=None,
            last_error=None,
            path=f"{team.quinn_id}/1.jpg",
            size=3,
            sha256="0" * 64,
            received_at=item.occurred_at,
            stored_at=item.occurred_at,
        )
        session.add(document)
        session.flush()
        return item.id, document.id


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """The app's routes, including those of the routers it includes."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from api_routes(route.original_router.routes)


def console_posts(service: Service, clock: FixedClock) -> list[str]:
    """Every POST route of the console (not the webhooks, not the JSON API, not sign-in itself)."""
    return sorted(
        route.path
        for route in api_routes(create_app(service, clock).routes)
        if "POST" in route.methods
        and not route.path.startswith(("/api", "/sms", "/telegram"))
        and route.path != "/signin"
    )


def fill(path: str, participant_id: int) -> str:
    return (
        path.replace("{participant_id}", str(participant_id))
        .replace("{event_id}", "1")
        .replace("{outreach_id}", "1")
        .replace("{change}", "cancel")
    )


def test_every_console_post_needs_the_session_csrf_token_and_refuses_a_foreign_origin(
    service: Service, clock: FixedClock, team: Team, app_client: TestClient
) -> None:
    dana = Browser(browser(service, clock))
    assert dana.sign_in(DANA) == 303
    posts = console_posts(service, clock)
    assert len(posts) >= 7, posts
    for path in posts:
        url = fill(path, 1)
        missing = dana.client.post(url, data={"body": "hi", "until": "2026-04-01"}, follow_redirects=False)
        forged = dana.client.post(url, data={"csrf": "0" * 64, "body": "hi"}, follow_redirects=False)
        other_site = dana.client.post(
            url,
            data={"csrf": dana.csrf, "body": "hi"},
            headers={"Origin": "https://evil.example"},
            follow_redirects=False,
        )
        assert (missing.status_code, forged.status_code, other_site.status_code) == (403, 403, 403), url
        # State changes only by POST: an action URL answers GET with 405 (a form page shows its form).
        assert dana.client.get(url).status_code == (200 if path == "/account/password" else 405), url
    # Nothing changed: no text queued, no pause, Dana still signed in.
    with service.sessions.begin() as session:
        assert session.scalar(select(EventRecord.id).where(EventRecord.kind == "outreach_changed")) is None
    assert dana.client.get("/caseload", follow_redirects=False).status_code == 200


def test_the_sign_in_form_itself_refuses_a_post_from_another_site(
    service: Service, clock: FixedClock, team: Team
) -> None:
    client = browser(service, clock)

    def fields() -> dict[str, str]:
        """A fresh form: every answer to a sign-in POST hands out a new token."""
        token = re.search(r'name="sign_in" value="([^"]+)"', client.get("/signin").text)
        assert token is not None
        return {"email": DANA, "password": PASSWORD, "sign_in": token.group(1)}

    assert client.post("/signin", data=fields(), headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post("/signin", data={**fields(), "sign_in": "guessed"}, follow_redirects=False).status_code == 403
    client.cookies.clear()
    assert client.post("/signin", data=fields() | {"sign_in": "x"}, follow_redirects=False).status_code == 403
    assert client.post("/signin", data=fields(), follow_redirects=False).status_code == 303


def test_another_caseload_is_not_found_anywhere(
    service: Service, clock: FixedClock, team: Team, app_client: TestClient, tmp_path: object
) -> None:
    item_id, document_id = quinn_item(service, app_client, team)
    dana = Browser(browser(service, clock))
    dana.sign_in(DANA)
    quinn = team.quinn_id
    for path in (
        f"/participants/{quinn}",
        f"/participants/{quinn}?all=1",
        f"/participants/1?at={item_id}",
        f"/participants/{quinn}/documents/{document_id}",
        f"/participants/1/documents/{document_id}",
    ):
        answer = dana.client.get(path)
        if path.startswith("/participants/1?"):
            assert answer.status_code == 200 and "pay stub" not in answer.text
        else:
            assert answer.status_code == 404, path
    for path, fields in [
        (f"/queue/{item_id}/handled", {}),
        (f"/participants/{quinn}/texts", {"body": "Hi Quinn"}),
        (f"/participants/{quinn}/pause", {"until": "2026-04-01"}),
        (f"/participants/{quinn}/telegram-link", {}),
        (f"/participants/{quinn}/outreach/1/cancel", {}),
    ]:
        assert dana.post(path, **fields).status == 404, path
    assert open_items(service, quinn)[0].seen_at is None
    # Nor through search or any list.
    for path in ("/caseload?q=Quinn", f"/caseload?q={QUINN_PHONE[-4:]}", "/caseload?show=needs_me", "/queue"):
        page = dana.get(path)
        assert "Quinn Test" not in page and f'href="/participants/{quinn}' not in page, path
    # Sam sees his own.
    sam = Browser(browser(service, clock))
    sam.sign_in(SAM)
    assert "pay stub" in sam.get("/queue") and "Quinn Test" in sam.get("/caseload?q=quinn")


def test_the_cookie_has_the_host_prefix_and_its_flags_over_https(
    service: Service, clock: FixedClock, team: Team
) -> None:
    secure = Browser(browser(service, clock, https=True))
    token = re.search(r'name="sign_in" value="([^"]+)"', secure.client.get("/signin").text)
    assert token is not None
    answer = secure.client.post(
        "/signin", data={"email": DANA, "password": PASSWORD, "sign_in": token.group(1)}, follow_redirects=False
    )
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("__Host-waypoint_session=")
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "secure", "path=/", "samesite=lax"} <= flags
    assert not any(flag.startswith("domain") for flag in flags)
    # The plain name is never read over https: a cookie planted by a plain-http page does nothing.
    secret = cookie.split(";")[0].split("=", 1)[1]
    planted = browser(service, clock, https=True)
    planted.cookies.set("waypoint_session", secret)
    assert planted.get("/caseload", follow_redirects=False).status_code == 303


def test_over_plain_http_on_loopback_the_cookie_is_http_only_and_rotated_at_each_sign_in(
    service: Service, clock: FixedClock, team: Team
) -> None:
    first, second = Browser(browser(service, clock)), Browser(browser(service, clock))
    first.sign_in(DANA)
    second.client.cookies.set("waypoint_session", first.client.cookies["waypoint_session"], domain="127.0.0.1")
    second.sign_in(DANA)
    assert second.client.cookies["waypoint_session"] != first.client.cookies["waypoint_session"]
    answer = browser(service, clock)
    token = re.search(r'name="sign_in" value="([^"]+)"', answer.get("/signin").text)
    assert token is not None
    cookie = answer.post(
        "/signin", data={"email": DANA, "password": PASSWORD, "sign_in": token.group(1)}, follow_redirects=False
    ).headers["set-cookie"]
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert cookie.startswith("waypoint_session=") and {"httponly", "samesite=lax", "path=/"} <= flags
    assert "secure" not in flags


def test_a_session_is_dead_after_sign_out_and_after_the_account_is_disabled(
    service: Service, clock: FixedClock, team: Team
) -> None:
    dana = Browser(browser(service, clock))
    dana.sign_in(DANA)
    stolen = dana.client.cookies["waypoint_session"]
    assert dana.post("/signout").location == "/signin?signed_out=1"
    replay = browser(service, clock)
    replay.cookies.set("waypoint_session", stolen)
    assert replay.get("/caseload", follow_redirects=False).headers["location"] == "/signin?next=/caseload"

    sam = Browser(browser(service, clock))
    sam.sign_in(SAM)
    api = browser(service, clock)
    token = api.post("/api/session", json={"email": SAM, "password": PASSWORD}).json()["token"]
    with service.sessions.begin() as session:
        disable_counselor(session, session.get_one(Counselor, team.sam_id), clock())
    assert sam.client.get("/caseload", follow_redirects=False).status_code == 303
    assert api.get("/api/notes", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert Browser(browser(service, clock)).sign_in(SAM) == 401


def test_a_password_change_ends_every_other_session_but_this_one(
    service: Service, clock: FixedClock, team: Team
) -> None:
    laptop, phone = Browser(browser(service, clock)), Browser(browser(service, clock))
    laptop.sign_in(DANA)
    phone.sign_in(DANA)
    new = "a much longer passphrase"
    wrong = laptop.post("/account/password", current_password="not it", new_password=new, confirm_password=new)
    assert wrong.status == 400 and "current password was not right" in wrong.text
    changed = laptop.post("/account/password", current_password=PASSWORD, new_password=new, confirm_password=new)
    assert changed.status == 200 and "signed out everywhere else" in changed.text
    assert laptop.client.get("/caseload", follow_redirects=False).status_code == 200
    assert phone.client.get("/caseload", follow_redirects=False).status_code == 303
    assert Browser(browser(service, clock)).sign_in(DANA, PASSWORD) == 401
    assert Browser(browser(service, clock)).sign_in(DANA, new) == 303


def test_failed_sign_ins_are_throttled_per_account_and_per_address_with_one_answer(
    service: Service, clock: FixedClock, team: Team
) -> None:
    unknown = Browser(browser(service, clock, address="198.51.100.1"))
    wrong = Browser(browser(service, clock, address="198.51.100.1"))
    assert unknown.sign_in("nobody@example.org", "whatever it is") == 401
    assert wrong.sign_in(DANA, "whatever it is") == 401
    said = [re.findall(r'role="alert">([^<]*)<', browser.answer) for browser in (unknown, wrong)]
    assert said[0] == said[1] and len(said[0]) == 1
    for _ in range(MAX_FAILURES - 1):
        wrong.sign_in(DANA, "still not it")
    # Dana's account is locked for the window, from any address ...
    assert Browser(browser(service, clock, address="192.0.2.50")).sign_in(DANA) == 401
    # ... and one address spraying guesses at many emails is stopped too, even for Sam's right password.
    spray = Browser(browser(service, clock, address="198.51.100.99"))
    for n in range(MAX_ADDRESS_FAILURES):
        assert spray.sign_in(f"guess{n}@example.org", "Password1234") == 401
    assert spray.sign_in(SAM) == 401
    assert Browser(browser(service, clock, address="192.0.2.51")).sign_in(SAM) == 303
    clock.advance(minutes=16)
    assert spray.sign_in(SAM) == 303 and Browser(browser(service, clock)).sign_in(DANA) == 303


def test_html_in_a_participants_text_is_shown_as_text(
    service: Service, clock: FixedClock, team: Team, app_client: TestClient
) -> None:
    message_counselor(
        SmsAdapter(app_client), ENGLISH_PHONE, 'Hi <script>alert("x")</script><img src=x onerror=alert(1)>', "h"
    )
    dana = Browser(browser(service, clock))
    dana.sign_in(DANA)
    for page in (dana.get("/participants/1"), dana.get("/queue")):
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    headers = dana.client.get("/participants/1").headers
    assert "script-src 'self'" in headers["content-security-policy"] and headers["cache-control"] == "no-store"


def test_the_apis_cookie_posts_need_the_csrf_token_or_a_same_site_origin(
    service: Service, clock: FixedClock, team: Team
) -> None:
    api = browser(service, clock)
    assert (
        api.post(
            "/api/session", json={"email": DANA, "password": PASSWORD}, headers={"Origin": "https://evil.example"}
        ).status_code
        == 403
    )
    signed_in = api.post("/api/session", json={"email": DANA, "password": PASSWORD}).json()
    assert api.post("/api/tokens", json={"name": "x"}, headers={"Origin": "https://evil.example"}).status_code == 403
    assert api.post("/api/tokens", json={"name": "x"}).status_code == 403
    assert api.post("/api/tokens", json={"name": "x"}, headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    assert api.post("/api/tokens", json={"name": "x"}, headers={"X-CSRF-Token": signed_in["csrf"]}).status_code == 201
    assert api.post("/api/tokens", json={"name": "y"}, headers={"Origin": "http://127.0.0.1:8000"}).status_code == 201
    # A bearer token is not sent by a browser on its own: no CSRF token needed.
    bearer = browser(service, clock)
    assert (
        bearer.post(
            "/api/tokens", json={"name": "z"}, headers={"Authorization": f"Bearer {signed_in['token']}"}
        ).status_code
        == 201
    )


def test_waypoint_counselor_disable_and_a_new_password_from_the_terminal_end_sessions(
    service: Service, clock: FixedClock, team: Team, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main  # the command line as an operator runs it, on the test's database

    monkeypatch.setenv("WAYPOINT_DATABASE_URL", service.settings.database_url)
    dana, sam = Browser(browser(service, clock)), Browser(browser(service, clock))
    dana.sign_in(DANA)
    sam.sign_in(SAM)
    api_token = browser(service, clock).post("/api/session", json={"email": SAM, "password": PASSWORD}).json()["token"]
    # The CLI's clock is the real one: the sessions it ends were issued on the test's fixed clock.
    assert main(["counselor", "disable", "--email", SAM]) == 0
    assert "disabled; 2 sessions and tokens ended" in capsys.readouterr().out
    assert sam.client.get("/caseload", follow_redirects=False).status_code == 303
    assert browser(service, clock).get("/api/notes", headers={"Authorization": f"Bearer {api_token}"}).status_code == 401
    assert Browser(browser(service, clock)).sign_in(SAM) == 401
    monkeypatch.setattr("sys.stdin", io.StringIO("another long passphrase\n"))
    assert main(["counselor", "password", "--email", DANA]) == 0
    assert "1 signed-in sessions ended" in capsys.readouterr().out
    assert dana.client.get("/caseload", follow_redirects=False).status_code == 303
