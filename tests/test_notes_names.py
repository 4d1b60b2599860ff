"""Named and placed: the participant's name and the county's case number reach the counselor in
the queue, the CLI and every export, grouped by participant, with a suggested Journal type; the
case number never reaches the participant."""

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.app import Service, create_app
from casefile.accounts import issue_token
from casefile.case_notes import CaseNote
from casefile.enrolment import EnrolmentError, clean_case_number
from casefile.messages import Message
from casefile.people import find_counselor_by_email, find_participant_by_phone
from casefile.vocabulary import Direction, NoteState
from notes import review
from notes.export import export_range
from notes.journal import load_journal_types
from tests.channels import ConsoleAdapter
from tests.notes_support import drafted_after
from tests.outreach import change
from tests.support import ENGLISH_PHONE, SPANISH_PHONE, FixedClock

JORDAN_CASE, GUADALUPE_CASE = "B7X3K21", "C0042-17"


@pytest.fixture
def both_reviewed(service: Service, clock: FixedClock) -> list[CaseNote]:
    """Both demo participants with case numbers, each with a recorded conversation, all approved."""
    with service.sessions.begin() as session:
        jordan = find_participant_by_phone(session, ENGLISH_PHONE)
        guadalupe = find_participant_by_phone(session, SPANISH_PHONE)
        assert jordan is not None and guadalupe is not None
        ids = jordan.id, guadalupe.id
    change(service, ids[0], case_number=JORDAN_CASE)
    change(service, ids[1], case_number=GUADALUPE_CASE)
    start = clock()
    drafted_after("en_goal_reached", service, clock)
    end, clock.now = clock(), start  # the recorded conversations are dated: each from the same day
    notes = drafted_after("es_stuck_childcare", service, clock)
    clock.now = max(end, clock())
    with service.sessions.begin() as session:
        dana = find_counselor_by_email(session, "dana.lee@example.org")
        assert dana is not None
        for note in notes:
            review.approve(session, dana, note.id, clock())
    return notes


@pytest.fixture
def client(service: Service, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(service, clock)) as client:
        yield client


def dana_token(service: Service, clock: FixedClock) -> dict[str, str]:
    with service.sessions.begin() as session:
        dana = find_counselor_by_email(session, "dana.lee@example.org")
        assert dana is not None
        return {"Authorization": f"Bearer {issue_token(session, dana, 'tests', clock()).secret}"}


def test_the_queue_names_each_participant_with_their_case_number_and_journal_type(
    both_reviewed: list[CaseNote], client: TestClient, service: Service, clock: FixedClock
) -> None:
    queue = client.get("/api/notes", params={"state": "approved"}, headers=dana_token(service, clock)).json()
    seen = {(note["participant_name"], note["case_number"]) for note in queue}
    assert seen == {("Jordan Smith", JORDAN_CASE), ("Guadalupe Ramírez", GUADALUPE_CASE)}
    by_subject = {note["subject"]: note["journal_type"] for note in queue}
    assert by_subject["checkin"] == "Activity" and by_subject["barrier"] == "Assessment"
    for note in queue:
        detail = client.get(f"/api/notes/{note['id']}", headers=dana_token(service, clock)).json()
        assert detail["case_number"] not in detail["final_body"], "the note's own text carries no case number"


def test_exports_are_grouped_by_participant_and_name_them(
    both_reviewed: list[CaseNote], service: Service, clock: FixedClock
) -> None:
    with service.sessions.begin() as session:
        dana = find_counselor_by_email(session, "dana.lee@example.org")
        assert dana is not None
        first = min(note.contact_date for note in session.scalars(select(CaseNote)))
        journal = export_range(session, dana, first, clock().date(), "journal", clock())
        rows = list(csv.DictReader(io.StringIO(export_range(session, dana, first, clock().date(), "csv", clock()))))
        as_json = json.loads(export_range(session, dana, first, clock().date(), "json", clock()))
    banners = [line for line in journal.splitlines() if line.startswith("=====")]
    assert banners == [
        "==================== Guadalupe Ramírez (case C0042-17): 3 notes ====================",
        "==================== Jordan Smith (case B7X3K21): 3 notes ====================",
    ]
    groups = journal.split("====================\n\n")[1:]
    assert all("Participant: Guadalupe Ramírez (case C0042-17)" in entry for entry in groups[0].split("----------"))
    assert all("Participant: Jordan Smith (case B7X3K21)" in entry for entry in groups[1].split("----------"))
    names = [row["participant_name"] for row in rows]
    assert names == sorted(names, key=lambda name: name.split()[-1]), "one participant's rows together"
    assert {row["case_number"] for row in rows} == {JORDAN_CASE, GUADALUPE_CASE}
    assert [row["participant_name"] for row in as_json] == names
    assert all(row["journal_type"] for row in as_json)


def test_a_county_sets_its_own_journal_types(tmp_path: Path) -> None:
    county = tmp_path / "types.toml"
    county.write_text('default = "Case Comments"\n[subjects]\nhours = "Narrative"\n', encoding="utf-8")
    types = load_journal_types(str(county))
    assert types.of("hours") == "Narrative"
    assert types.of("life_event") == "Change Reported", "what the county leaves out keeps the default file's"
    assert types.of("a_new_subject") == "Case Comments"
    assert load_journal_types().of("a_new_subject") == "Narrative"


@pytest.mark.parametrize("given", ["b7x3k21", " B7X3K21 ", "B7X3K21"])
def test_a_case_number_is_kept_as_the_county_writes_it(given: str) -> None:
    assert clean_case_number(given) == "B7X3K21"


@pytest.mark.parametrize("given", ["B7X 3K21", "123-45-6789; DROP TABLE", "x" * 40, "-B7"])
def test_a_case_number_that_is_not_one_is_refused(given: str) -> None:
    with pytest.raises(EnrolmentError):
        clean_case_number(given)


def test_the_case_number_is_never_texted_to_the_participant(
    both_reviewed: list[CaseNote], service: Service, clock: FixedClock
) -> None:
    console = ConsoleAdapter(service, clock)
    for text in ["HELP", "AYUDA", "MY GOAL", "INFO"]:  # the replies that say most about the programme
        console.send(text, text, ENGLISH_PHONE)
        console.send(text, text, SPANISH_PHONE)
    with service.sessions.begin() as session:
        outbound = session.scalars(select(Message.body).where(Message.direction == Direction.OUTBOUND)).all()
        notes = session.scalars(select(CaseNote)).all()
    assert len(outbound) > 40
    for body in outbound:
        assert JORDAN_CASE not in body and GUADALUPE_CASE not in body
    assert all(note.state is NoteState.APPROVED for note in notes)
