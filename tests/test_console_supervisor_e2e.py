"""The supervisor's view in a real headless browser (issue 18): the unit's figures read off the page
against the seeded office, a figure opened to its list, and a participant transferred with a note
that the new counselor finds in the transcript."""

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from bot.app import Service
from tests.console_support import PASSWORD
from tests.support import FixedClock
from tests.test_console_e2e import accessible, live, screenshot, shots, twilio
from tests.unit_support import ANA, BEN, NORA, seed_units

__all__ = ["live", "shots", "twilio"]  # fixtures shared with the console's other browser tests


def sign_in_as(page: Page, url: str, email: str, heading: str = "Your caseload") -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)


def test_the_supervisor_reads_the_units_figures_and_opens_one(
    page: Page, live: tuple[str, Service], clock: FixedClock, shots: Path
) -> None:
    url, service = live
    seed_units(service, clock())
    sign_in_as(page, url, NORA)
    page.get_by_role("link", name="Unit", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unit North")
    table = page.get_by_role("table")
    expected = {"Caseload": 5, "Disengaged": 1, "Needs-me items open": 3, "Drafts late": 1, "No two-way contact": 3}
    for title, value in expected.items():
        expect(table.get_by_role("link", name=re.compile(rf"^{title}.*, Ana Ruiz: "))).to_have_text(str(value))
    expect(table.get_by_role("link", name=re.compile(r"^Short of hours last week, Ben Cho: "))).to_have_text("0")
    expect(page.get_by_role("list", name="Safety concerns not handled within 1 business hour")).to_contain_text(
        "Marcus Bell (Ana Ruiz's caseload)"
    )
    expect(page.get_by_role("list", name="Messages unread for 2 business days")).to_contain_text("Lena Cruz")
    accessible(page)
    screenshot(page, shots, "unit")
    table.get_by_role("link", name=re.compile(r"^Short of hours last week, Ana Ruiz")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana Ruiz: Short of hours last week")
    expect(page.get_by_role("table").get_by_role("rowheader")).to_have_text(["Rosa Alvarez", "Lena Cruz"])
    accessible(page)
    screenshot(page, shots, "unit_list")


def test_a_transfer_from_the_browser_reaches_the_new_counselor(
    page: Page, live: tuple[str, Service], clock: FixedClock, shots: Path
) -> None:
    url, service = live
    units = seed_units(service, clock())
    sign_in_as(page, url, NORA)
    page.goto(f"{url}/unit/counselors/{units.ana}/disengaged")
    page.get_by_role("link", name="Transfer Rosa Alvarez").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transfer Rosa Alvarez")
    page.get_by_label("New counselor", exact=True).select_option(label="Ben Cho")
    page.get_by_role("button", name="Transfer").click()  # no note: the browser asks for one
    expect(page.get_by_role("heading", level=1)).to_have_text("Transfer Rosa Alvarez")
    page.get_by_label("Note for the new counselor").fill("Ana is on leave; Rosa starts GED class, call after 3pm.")
    accessible(page)
    screenshot(page, shots, "unit_transfer")
    page.get_by_role("button", name="Transfer").click()
    expect(page.get_by_role("status").first).to_have_text("Rosa Alvarez is now on Ben Cho's caseload.")
    expect(page.get_by_role("table").get_by_role("rowheader")).to_have_text(["Rosa Alvarez", "Tess Ford"])
    sign_in_as(page, url, BEN)
    page.get_by_role("link", name="Rosa Alvarez").click()
    transcript = page.get_by_role("list", name="Conversation with Rosa")
    expect(transcript).to_contain_text("I start the GED class in January")
    expect(transcript.locator(".marker")).to_contain_text("Transferred from Ana Ruiz to Ben Cho. Note: Ana is on leave")
    accessible(page)
    screenshot(page, shots, "transferred")
    sign_in_as(page, url, ANA)
    expect(page.get_by_role("table").get_by_role("link", name="Rosa Alvarez")).to_have_count(0)
    page.goto(f"{url}/participants/{units.rosa}")
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Rosa")
