"""Note review in the console (issue 18): the queue, a draft beside its messages, approve as drafted,
edit then approve, reject with a reason, addenda, export — the review and audit of notes/review.py,
reached through the signed-in browser session with its CSRF token, and only on one's own caseload."""


import csv
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import select

from bot.app import Service, create_app
from casefile.case_notes import CaseNote, NoteAudit
from casefile.vocabulary import NoteState
from tests.console_support import DANA, SAM, Browser, make_team
from tests.notes_support import drafted_after
from tests.support import FixedClock


@pytest.fixture
def drafts(service: Service, clock: FixedClock) -> list[CaseNote]:
    """Dana's drafts from two recorded conversations (Spanish, then English), oldest first; each
    transcript is replayed from the day it was recorded on, so the clock goes back for the second."""
    team = make_team(service, clock)
    start = clock.now
    drafted_after("es_stuck_childcare", service, clock)
    clock.now = start
    notes = [note for note in drafted_after("en_off_script", service, clock) if note.participant_id != team.quinn_id]
    assert len(notes) >= 3
    return notes


@pytest.fixture
def dana(service: Service, clock: FixedClock, drafts: list[CaseNote]) -> Iterator[Browser]:
    with TestClient(create_app(service, clock)) as client:
        browser = Browser(client)
        assert browser.sign_in(DANA) == 303
        yield browser


def _state(service: Service, note_id: int) -> CaseNote:
    with service.sessions() as session:
        note = session.get(CaseNote, note_id)
        assert note is not None
        return note


def _audit(service: Service, note_id: int) -> list[str]:
    with service.sessions() as session:
        return list(session.scalars(select(NoteAudit.action).where(NoteAudit.note_id == note_id).order_by(NoteAudit.id)))


def test_the_queue_lists_drafts_oldest_first_with_who_and_when(dana: Browser, drafts: list[CaseNote]) -> None:
    page = dana.get("/notes")
    oldest_first = sorted(drafts, key=lambda note: (note.drafted_at, note.id))
    positions = [page.index(f'href="/notes/{note.id}"') for note in oldest_first]
    assert positions == sorted(positions)
    assert all(str(escape(note.title)) in page for note in drafts)
    assert "Jordan Smith" in page and "Guadalupe Ramírez" in page


def test_a_draft_sits_beside_the_messages_each_sentence_came_from(dana: Browser, drafts: list[CaseNote]) -> None:
    note = drafts[0]
    page = dana.get(f"/notes/{note.id}")
    cited = {i for sentence in note.sources for i in sentence["message_ids"]}
    assert cited and all(f'id="msg-{i}"' in page for i in cited)
    lit = re.findall(r'data-sources="([\d ]*)"', page)
    assert len(lit) == len(note.sources)
    assert 'name="body"' in page and "Approve (a)" in page


def test_approve_as_drafted_then_on_to_the_next_draft(service: Service, dana: Browser, drafts: list[CaseNote]) -> None:
    first = next(note for note in drafts if not note.problems)
    answer = dana.post(f"/notes/{first.id}/approve", body=first.draft_body)
    assert answer.status == 303 and re.match(r"/notes/\d+\?notice=Approved", answer.location)
    assert not answer.location.startswith(f"/notes/{first.id}?")
    approved = _state(service, first.id)
    assert approved.state is NoteState.APPROVED and not approved.edited
    assert _audit(service, first.id)[-1] == "approved"
    page = dana.get(f"/notes/{first.id}")
    # An approved note has no edit control at all; it takes addenda and can be copied for the Journal.
    assert 'name="body"' not in page and "Copy for CalSAWS Journal" in page and 'name="text"' in page


def test_an_edit_is_checked_before_approval_and_kept_beside_the_draft(
    service: Service, dana: Browser, drafts: list[CaseNote]
) -> None:
    note = next(note for note in drafts if not note.problems)
    spoiled = note.draft_body + "\nThe participant was lazy about it."
    refused = dana.post(f"/notes/{note.id}/approve", body=spoiled)
    assert refused.status == 422 and "cannot be approved" in refused.text and "was lazy about it" in refused.text
    assert _state(service, note.id).state is NoteState.DRAFT
    fixed = note.draft_body + "\nCounselor will call on Monday."
    assert dana.post(f"/notes/{note.id}/approve", body=fixed).status == 303
    approved = _state(service, note.id)
    assert approved.edited and approved.final_body == fixed and approved.draft_body == note.draft_body
    assert _audit(service, note.id)[-1] == "edited_and_approved"


def test_reject_needs_a_reason_from_the_list_or_in_words(
    service: Service, dana: Browser, drafts: list[CaseNote]
) -> None:
    note = drafts[-1]
    assert dana.post(f"/notes/{note.id}/reject", reason="Other", details="").status == 422
    assert dana.post(f"/notes/{note.id}/reject", reason="Because", details="x").status == 422
    assert dana.post(f"/notes/{note.id}/reject", reason="Duplicate of another note", details="see note 1").status == 303
    rejected = _state(service, note.id)
    assert rejected.state is NoteState.REJECTED and rejected.reject_reason == "Duplicate of another note. see note 1"


def test_an_addendum_goes_on_an_approved_note_which_stays_as_it_was(
    service: Service, dana: Browser, drafts: list[CaseNote]
) -> None:
    note = next(note for note in drafts if not note.problems)
    assert dana.post(f"/notes/{note.id}/addenda", text="Too early").status == 422  # a draft takes no addendum
    dana.post(f"/notes/{note.id}/approve", body=note.draft_body)
    assert dana.post(f"/notes/{note.id}/addenda", text="Participant called back on Tuesday.").status == 303
    assert "Participant called back on Tuesday." in dana.get(f"/notes/{note.id}")
    assert _state(service, note.id).final_body == note.draft_body
    assert _audit(service, note.id)[-1] == "addendum"


def test_export_of_a_range_is_a_download_and_audited(service: Service, dana: Browser, drafts: list[CaseNote]) -> None:
    note = next(note for note in drafts if not note.problems)
    dana.post(f"/notes/{note.id}/approve", body=note.draft_body)
    day = note.contact_date.isoformat()
    answer = dana.client.get(f"/notes/export?first={day}&last={day}&form=csv")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(row["note_id"], row["title"]) for row in rows] == [(str(note.id), note.title)]
    assert rows[0]["participant_name"] in ("Jordan Smith", "Guadalupe Ramírez")
    with service.sessions() as session:
        assert "exported" in session.scalars(select(NoteAudit.action)).all()


def test_another_counselor_sees_nothing_and_actions_need_the_form_token(
    service: Service, clock: FixedClock, dana: Browser, drafts: list[CaseNote]
) -> None:
    note = drafts[0]
    with TestClient(create_app(service, clock)) as client:
        sam = Browser(client)
        assert sam.sign_in(SAM) == 303
        assert sam.client.get(f"/notes/{note.id}").status_code == 404
        assert sam.post(f"/notes/{note.id}/approve", body=note.draft_body).status == 404
        assert note.title not in sam.get("/notes")
    assert dana.client.post(f"/notes/{note.id}/approve", data={"body": note.draft_body}).status_code == 403
    assert dana.client.get(f"/notes/{note.id}/approve").status_code == 405
    assert _state(service, note.id).state is NoteState.DRAFT
