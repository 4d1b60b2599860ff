"""The console in a real headless browser (Debian's chromium, driven by playwright), as a counselor
works it: by labels and roles, with the keyboard, against the live app on 127.0.0.1 and the fake
Twilio server. Each main page is saved as a PNG (in CONSOLE_SCREENSHOTS, or the test's tmp dir)."""

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from bot.app import Service, build_service, create_app
from bot.demo import seed_demo
from bot.settings import Settings
from tests.channels import SmsAdapter
from tests.console_support import DANA, PASSWORD, make_team
from tests.fake_twilio import FakeTwilio, run_fake_twilio
from tests.live_server import serve
from tests.support import ENGLISH_PHONE, SPANISH_PHONE, FixedClock
from tests.test_dispatch import with_twilio

#: WCAG AA for body text; every piece of text on a page is checked against its real background.
CONTRAST = 4.5
_CONTRAST_PROBE = Path(__file__).with_name("contrast_probe.js").read_text()


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    yield from run_fake_twilio()


@pytest.fixture
def live(settings: Settings, clock: FixedClock, twilio: FakeTwilio) -> Iterator[tuple[str, Service]]:
    """The app served by uvicorn on 127.0.0.1 over the demo caseload, Twilio's sender pointed at the fake."""
    service = build_service(
        with_twilio(settings, twilio),
        clock,
    )
    with service.sessions.begin() as session:
        seed_demo(session, settings.timezone, clock())
    make_team(service, clock)
    for url in serve(create_app(service, clock)):
        yield url, service
    service.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CONSOLE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page: Page, shots: Path, name: str) -> None:
    path = shots / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 5000


def sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Waypoint")
    page.get_by_label("Email").fill(DANA)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your caseload")


def accessible(page: Page) -> None:
    """Every visible control has a label, and all text meets the contrast ratio."""
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
            .filter(el => el.offsetParent !== null)
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())
            .map(el => el.outerHTML)"""
    )
    assert unlabelled == []
    too_faint = page.evaluate(_CONTRAST_PROBE, CONTRAST)
    assert too_faint == []


def test_sign_in_filter_the_caseload_and_sign_out(
    page: Page, live: tuple[str, Service], clock: FixedClock, shots: Path
) -> None:
    url, service = live
    with TestClient(create_app(service, clock)) as client:
        SmsAdapter(client).send("STOP", "SM" + "1" * 32, sender=ENGLISH_PHONE)
    page.goto(f"{url}/signin")
    screenshot(page, shots, "signin")
    sign_in(page, url)
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="Jordan Smith")).to_be_visible()
    expect(table.get_by_role("link", name="Guadalupe Ramírez")).to_be_visible()
    accessible(page)
    screenshot(page, shots, "caseload")
    page.get_by_label("Show").select_option(label="Opted out")
    page.get_by_role("button", name="Apply").click()
    expect(table.get_by_role("link")).to_have_text(["Jordan Smith"])
    expect(table).to_contain_text("Opted out")
    page.get_by_label("Show").select_option(label="Everyone")
    page.get_by_label("Name or phone").fill("0101")
    page.get_by_label("Name or phone").press("Enter")
    expect(table.get_by_role("link")).to_have_text(["Guadalupe Ramírez"])
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.goto(f"{url}/caseload")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Waypoint")


def test_open_a_needs_me_item_at_its_message_and_mark_it_handled_by_keyboard(
    page: Page, live: tuple[str, Service], clock: FixedClock, shots: Path
) -> None:
    url, service = live
    with TestClient(create_app(service, clock)) as client:
        sms = SmsAdapter(client)
        for n, text in enumerate(
            ["hi", "YES", "3", "Can we move my appointment to Thursday? <script>window.pwned=1</script>"]
        ):
            sms.send(text, f"SMj{n:032d}")
        clock.advance(minutes=20)
        sms.send("ya no quiero vivir", "SM" + "g" * 32, sender=SPANISH_PHONE)
    sign_in(page, url)
    expect(page.get_by_role("link", name=re.compile("Needs me"))).to_contain_text("2")
    page.get_by_role("link", name=re.compile("Needs me")).click()
    items = page.get_by_role("list", name="Items that need you").get_by_role("listitem")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Safety concern")  # safety first, though it came later
    expect(items.nth(1)).to_contain_text("<script>window.pwned=1</script>")  # shown as text
    accessible(page)
    screenshot(page, shots, "queue")
    items.nth(1).get_by_role("link", name="Jordan Smith").click()
    transcript = page.get_by_role("list", name="Conversation with Jordan")
    expect(transcript.locator(".anchor")).to_contain_text("Can we move my appointment to Thursday?")
    assert page.evaluate("window.pwned") is None
    accessible(page)
    screenshot(page, shots, "participant")
    page.get_by_role("button", name="Mark handled: Message to you").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_have_text("Marked handled.")
    expect(page.get_by_role("link", name=re.compile("Needs me"))).to_contain_text("1")


def test_text_a_participant_it_reaches_twilio_and_pause_their_automatic_texts(
    page: Page, live: tuple[str, Service], twilio: FakeTwilio, shots: Path
) -> None:
    url, _ = live
    sign_in(page, url)
    page.get_by_role("link", name="Jordan Smith").click()
    box = page.get_by_label("Text Jordan")
    box.fill("Hi Jordan, can you come in Tuesday at 10? Bring your timesheet.")
    expect(page.locator("#segments")).to_have_text("63 characters, 1 text message.")
    box.fill("¿Cuándo puede venir el martes? " * 3)  # á is not in the GSM alphabet
    expect(page.locator("#segments")).to_contain_text("2 text messages (special characters")
    box.fill("Hi Jordan, can you come in Tuesday at 10? Bring your timesheet.")
    page.get_by_role("button", name="Send text").click()
    expect(page.get_by_role("status").first).to_have_text("Sending now by text message.")
    deadline = time.monotonic() + 10
    while not twilio.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [(form["To"], form["Body"]) for _, _, form in twilio.requests] == [
        (ENGLISH_PHONE, "Hi Jordan, can you come in Tuesday at 10? Bring your timesheet.")
    ]
    page.reload()
    expect(page.get_by_role("list", name="Conversation with Jordan")).to_contain_text("Bring your timesheet.")
    box = page.get_by_label("Text Jordan")
    box.fill("Jordan Smith, your SSN 123-45-6789")
    page.get_by_role("button", name="Send text").click()
    expect(page.get_by_role("alert")).to_contain_text("Social Security number")
    screenshot(page, shots, "participant_refused")
    page.get_by_label("Pause automatic texts through").fill("2026-03-20")
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("status").first).to_have_text("Automatic texts paused through March 20, 2026.")
    expect(page.get_by_text("automatic texts paused through Mar 20")).to_be_visible()
    assert len(twilio.requests) == 1
