"""Note review in a real headless browser (issue 18): three clean drafts approved with the keyboard
alone, a sentence lighting up its messages, and an approved note's Journal text copied."""

import re
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from bot.app import Service
from casefile.case_notes import CaseNote
from casefile.vocabulary import NoteState
from tests.notes_support import drafted_after
from tests.support import FixedClock
from tests.test_console_e2e import accessible, live, screenshot, shots, sign_in, twilio

__all__ = ["live", "shots", "twilio"]  # fixtures shared with the console's other browser tests


def _clean_drafts(service: Service) -> list[int]:
    with service.sessions() as session:
        notes = session.scalars(
            select(CaseNote).where(CaseNote.state == NoteState.DRAFT).order_by(CaseNote.drafted_at, CaseNote.id)
        ).all()
        return [note.id for note in notes if not note.problems]


def test_three_drafts_approved_with_the_keyboard_alone(
    page: Page, live: tuple[str, Service], clock: FixedClock, shots: Path
) -> None:
    url, service = live
    drafted_after("en_off_script", service, clock)
    clean = _clean_drafts(service)
    assert len(clean) >= 3
    sign_in(page, url)
    page.goto(f"{url}/notes")
    accessible(page)
    screenshot(page, shots, "notes")
    page.goto(f"{url}/notes/{clean[0]}")
    sentence = page.get_by_role("list", name="Sentences of the note").get_by_role("listitem").first
    sentence.focus()
    expect(sentence).to_have_class(re.compile("lit"))
    expect(page.get_by_role("list", name="Messages the note cites").locator(".lit").first).to_be_visible()
    accessible(page)
    screenshot(page, shots, "review")
    for _ in range(3):
        before = page.url
        page.locator("body").focus()
        page.keyboard.press("a")
        expect(page).not_to_have_url(before)
        expect(page.get_by_role("status").first).to_have_text("Approved.")
    with service.sessions() as session:
        approved = session.scalars(select(CaseNote.id).where(CaseNote.state == NoteState.APPROVED)).all()
    assert len(approved) == 3


def test_an_approved_notes_journal_text_is_copied(
    page: Page, live: tuple[str, Service], clock: FixedClock
) -> None:
    url, service = live
    drafted_after("en_off_script", service, clock)
    first = _clean_drafts(service)[0]
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    sign_in(page, url)
    page.goto(f"{url}/notes/{first}")
    page.get_by_role("button", name="Approve (a)").click()
    page.goto(f"{url}/notes/{first}")
    expect(page.get_by_label("Note text (edit here, then approve; the draft is kept beside your edit)")).to_have_count(0)
    page.get_by_role("button", name="Copy for CalSAWS Journal").click()
    expect(page.get_by_role("status").last).to_have_text("Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.get_by_label("For the CalSAWS Journal").input_value() and "Jordan" in copied


def test_edit_with_a_problem_then_fixed_reject_with_a_reason_and_an_addendum_in_the_browser(
    page: Page, live: tuple[str, Service], clock: FixedClock
) -> None:
    url, service = live
    drafted_after("en_off_script", service, clock)
    first, second = _clean_drafts(service)[:2]
    sign_in(page, url)
    page.goto(f"{url}/notes/{first}")
    editor = page.get_by_label("Note text (edit here, then approve; the draft is kept beside your edit)")
    draft = editor.input_value()
    editor.fill(draft + "\nThe participant was lazy about it.")
    page.get_by_role("button", name="Approve (a)").click()
    expect(page.get_by_role("alert").first).to_contain_text("cannot be approved")
    expect(editor).to_have_value(re.compile("was lazy about it"))  # the counselor's words are kept
    editor.fill(draft + "\nCounselor will call on Monday.")
    page.get_by_role("button", name="Approve (a)").click()
    expect(page.get_by_role("status").first).to_have_text("Approved.")
    page.goto(f"{url}/notes/{second}")
    page.get_by_label("Reject because").select_option("Duplicate of another note")
    page.get_by_label("In your words").fill(f"same as note {first}")
    page.get_by_role("button", name="Reject").click()
    expect(page.get_by_role("status").first).to_have_text("Rejected.")
    page.goto(f"{url}/notes/{first}")
    page.get_by_label("Add an addendum (the approved note itself never changes)").fill("Called back on Tuesday.")
    page.get_by_role("button", name="Add addendum").click()
    expect(page.get_by_role("status").first).to_have_text("Addendum added.")
    expect(page.get_by_role("main")).to_contain_text("Called back on Tuesday.")
    with service.sessions() as session:
        approved, rejected = session.get(CaseNote, first), session.get(CaseNote, second)
        assert approved is not None and rejected is not None
        assert approved.edited and approved.draft_body == draft and approved.final_body.endswith("Monday.")
        assert rejected.state is NoteState.REJECTED and rejected.reject_reason == f"Duplicate of another note. same as note {first}"
