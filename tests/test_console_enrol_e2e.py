"""Enrolment in a real headless browser (issue 18): the form filled by its labels, a bad phone
refused with the entries kept, then the good one; the plan then changed from the participant's page."""

from pathlib import Path

from playwright.sync_api import Page, expect

from bot.app import Service
from tests.support import FixedClock
from tests.test_console_e2e import accessible, live, screenshot, shots, twilio
from tests.test_console_supervisor_e2e import sign_in_as
from tests.unit_support import ANA, seed_units

__all__ = ["live", "shots", "twilio"]  # fixtures shared with the console's other browser tests


def test_enrol_from_the_form_a_bad_phone_then_a_good_one(
    page: Page, live: tuple[str, Service], clock: FixedClock, shots: Path
) -> None:
    url, service = live
    seed_units(service, clock())
    sign_in_as(page, url, ANA)
    page.get_by_role("link", name="Enrol a participant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enrol a participant")
    page.get_by_label("First name").fill("José")
    page.get_by_label("Last name").fill("Ramírez")
    page.get_by_label("Mobile phone").fill("510-555-01")
    page.get_by_label("Language").select_option(label="Spanish")
    page.get_by_label("Family type").select_option(label="Hours from the plan")
    page.get_by_label("Weekly hours").fill("24")
    page.get_by_label("Education").check()
    page.get_by_label("Check-in day").select_option(label="Wednesday")
    page.get_by_label("How they agreed to texts").select_option(label="Agreed in person at the office")
    accessible(page)
    screenshot(page, shots, "enrol")
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_role("alert")).to_have_text(
        "That phone number is not one that can receive texts: check its digits."
    )
    expect(page.get_by_label("First name")).to_have_value("José")
    expect(page.get_by_label("Education")).to_be_checked()
    screenshot(page, shots, "enrol_refused")
    page.get_by_label("Mobile phone").fill("(510) 555-0142")
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("José Ramírez")
    expect(page.get_by_role("status").first).to_contain_text("José Ramírez is enrolled.")
    expect(page.get_by_text("24 hours a week")).to_be_visible()
    page.get_by_role("link", name="Plan and status").click()
    page.get_by_label("Programme status").select_option(label="Sanctioned")
    accessible(page)
    screenshot(page, shots, "enrol_plan")
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_role("status").first).to_have_text("Plan saved.")
    expect(page.locator(".facts")).to_contain_text("Sanctioned")
