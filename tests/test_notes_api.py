"""The counselors' API: sign-in and tokens, who sees which notes, and the review through HTTP."""

import csv
import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.app import Service, create_app
from casefile.accounts import MAX_FAILURES, issue_token, set_password
from casefile.case_notes import NoteAudit
from casefile.enrolment import add_counselor
from casefile.people import Counselor, find_counselor_by_email
from casefile.vocabulary import Role
from tests.channels import ConsoleAdapter
from tests.notes_support import drafted_after
from tests.outreach import change, enrol
from tests.support import FixedClock

PASSWORD = "correct horse battery"


@pytest.fixture
def client(service: Service, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(service, clock)) as client:
        yield client


@pytest.fixture
def team(service: Service, clock: FixedClock) -> dict[str, str]:
    """Bearer tokens: Dana (the demo caseload) and Sam, counselors of unit North; Sue, North's
    supervisor; Otto, supervisor of unit South. Sam has one participant, Quinn."""
    tokens = {}
    with service.sessions.begin() as session:
        dana = find_counselor_by_email(session, "dana.lee@example.org")
        assert dana is not None
        dana.unit = "North"
        people = {"dana": dana}
        for name, role, unit in [
            ("sam", Role.COUNSELOR, "North"),
            ("sue", Role.SUPERVISOR, "North"),
            ("otto", Role.SUPERVISOR, "South"),
        ]:
            person = add_counselor(session, name.title(), "Test", f"{name}@example.org", None, clock())
            person.role, person.unit = role, unit
            people[name] = person
        for name, person in people.items():
            set_password(person, PASSWORD)
            tokens[name] = issue_token(session, person, "tests", clock()).secret
    quinn = enrol(service, "Quinn", "+15105550177", clock() - timedelta(days=40))
    change(service, quinn, counselor_id=people["sam"].id)
    return tokens


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer_and_failures_are_throttled(
    client: TestClient, team: dict[str, str], service: Service
) -> None:
    wrong = client.post("/api/session", json={"email": "dana.lee@example.org", "password": "not it at all"})
    unknown = client.post("/api/session", json={"email": "nobody@example.org", "password": "not it at all"})
    assert (wrong.status_code, wrong.json()) == (unknown.status_code, unknown.json())
    assert wrong.status_code == 401
    with service.sessions.begin() as session:
        hashed = session.scalar(select(Counselor.password_hash).where(Counselor.email == "dana.lee@example.org"))
        assert hashed is not None and hashed.startswith("$argon2id$")
    for _ in range(MAX_FAILURES - 1):
        client.post("/api/session", json={"email": "dana.lee@example.org", "password": "still wrong"})
    throttled = client.post("/api/session", json={"email": "dana.lee@example.org", "password": PASSWORD})
    assert (throttled.status_code, throttled.json()) == (401, wrong.json())


def test_the_session_cookie_signs_in_and_signing_out_ends_it(client: TestClient, team: dict[str, str]) -> None:
    signed_in = client.post("/api/session", json={"email": "dana.lee@example.org", "password": PASSWORD})
    assert signed_in.status_code == 200 and signed_in.json()["counselor"] == "Dana Lee"
    assert "httponly" in signed_in.headers["set-cookie"].lower()
    assert client.get("/api/notes").status_code == 200  # the cookie
    # A cookie-authenticated change carries the session's CSRF token (tests/test_console_security.py).
    assert client.delete("/api/session", headers={"X-CSRF-Token": signed_in.json()["csrf"]}).status_code == 204
    client.cookies.set("waypoint_session", signed_in.json()["token"])
    assert client.get("/api/notes").status_code == 401


def test_a_revoked_token_stops_working(client: TestClient, team: dict[str, str]) -> None:
    issued = client.post("/api/tokens", json={"name": "import job"}, headers=auth(team["dana"])).json()
    assert client.get("/api/notes", headers=auth(issued["token"])).status_code == 200
    assert client.delete(f"/api/tokens/{issued['id']}", headers=auth(team["sam"])).status_code == 404
    assert client.delete(f"/api/tokens/{issued['id']}", headers=auth(team["dana"])).status_code == 204
    assert client.get("/api/notes", headers=auth(issued["token"])).status_code == 401
    assert client.get("/api/notes").status_code == 401


def test_counselors_see_their_caseload_supervisors_their_unit(
    client: TestClient, team: dict[str, str], service: Service, clock: FixedClock
) -> None:
    ConsoleAdapter(service, clock).send("hello", "q1", sender="+15105550177")
    drafted = drafted_after("en_goal_reached", service, clock)
    quinns = [note.id for note in drafted if note.participant_id == drafted[0].participant_id]
    danas = [note.id for note in drafted if note.participant_id != drafted[0].participant_id]

    def seen(who: str) -> set[int]:
        return {note["id"] for note in client.get("/api/notes", headers=auth(team[who])).json()}

    dana, sam = seen("dana"), seen("sam")
    assert dana == set(danas) and sam == set(quinns)  # Quinn's contact, and their February hours to verify
    assert len(quinns) == 2 and seen("sue") == dana | sam and seen("otto") == set()
    quinn = drafted[0].id
    assert client.get(f"/api/notes/{quinn}", headers=auth(team["dana"])).status_code == 404
    assert client.post(f"/api/notes/{quinn}/approve", json={}, headers=auth(team["dana"])).status_code == 404
    # The supervisor reads the unit's notes; the participant's own counselor decides on them.
    assert client.get(f"/api/notes/{quinn}", headers=auth(team["sue"])).status_code == 200
    refused = client.post(f"/api/notes/{quinn}/approve", json={}, headers=auth(team["sue"]))
    assert refused.status_code == 409 and "own counselor" in refused.json()["detail"]


def test_review_through_the_api_from_draft_to_export(
    client: TestClient, team: dict[str, str], service: Service, clock: FixedClock
) -> None:
    first, second, third, *_ = drafted_after("en_goal_reached", service, clock)
    dana = auth(team["dana"])
    queue = client.get("/api/notes", headers=dana).json()
    assert [note["id"] for note in queue][:3] == [first.id, second.id, third.id] and not queue[0]["late"]
    shown = client.get(f"/api/notes/{first.id}", headers=dana).json()
    cited = {message_id for source in shown["sources"] for message_id in source["message_ids"]}
    assert cited == {message["id"] for message in shown["messages"]}
    assert any(message["body"] == "get my GED" for message in shown["messages"])

    edited = shown["draft_body"].replace("None reported.", "None reported; the class starts in June.")
    approved = client.post(f"/api/notes/{first.id}/approve", json={"text": edited}, headers=dana).json()
    assert (approved["state"], approved["edited"], approved["final_body"]) == ("approved", True, edited)
    assert approved["draft_body"] == first.draft_body
    again = client.post(f"/api/notes/{first.id}/approve", json={}, headers=dana)
    assert again.status_code == 409
    bad = client.post(f"/api/notes/{second.id}/approve", json={"text": second.draft_body + " Lazy."}, headers=dana)
    assert bad.status_code == 409 and "judgement" in bad.json()["detail"]
    rejected = client.post(f"/api/notes/{second.id}/reject", json={"reason": "duplicate of a phone note"}, headers=dana)
    assert rejected.json()["state"] == "rejected" and rejected.json()["reject_reason"] == "duplicate of a phone note"
    added = client.post(f"/api/notes/{first.id}/addenda", json={"text": "Class confirmed by phone."}, headers=dana)
    assert added.status_code == 201 and added.json()["addenda"][0]["body"] == "Class confirmed by phone."
    assert [entry["action"] for entry in added.json()["audit"]] == ["drafted", "edited_and_approved", "addendum"]

    day = first.contact_date.isoformat()
    journal = client.get("/api/notes/export", params={"start": day, "end": day}, headers=dana)
    assert journal.headers["content-type"].startswith("text/plain")
    assert journal.text.startswith(
        "==================== Jordan Smith: 1 note ====================\n\n"
        "Participant: Jordan Smith\nJournal Type: Activity\n"
        f"Short Description: {first.title}\nContact Date: 03/02/2026\nLong Description:\n{edited}"
    )
    assert (
        "Approved by Dana Lee on 03/20/2026.\nAddendum 03/20/2026 (Dana Lee): Class confirmed by phone." in journal.text
    )
    one = client.get(f"/api/notes/{first.id}/journal", headers=dana)
    assert one.status_code == 200 and journal.text.endswith(one.text + "\n\n")
    assert client.get(f"/api/notes/{second.id}/journal", headers=dana).status_code == 409  # rejected
    assert client.get(f"/api/notes/{first.id}/journal", headers=auth(team["sam"])).status_code == 404
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/api/notes/export", params={"start": day, "end": day, "format": "csv"}, headers=dana).text
            )
        )
    )
    assert [(row["note_id"], row["text"], row["edited"]) for row in rows] == [(str(first.id), edited, "True")]
    as_json = client.get("/api/notes/export", params={"start": day, "end": day, "format": "json"}, headers=dana).json()
    assert [row["note_id"] for row in as_json] == [first.id]
    assert client.get("/api/notes/export", params={"start": day, "end": day}, headers=auth(team["sam"])).text == ""
    with service.sessions.begin() as session:
        exports = session.scalars(select(NoteAudit.detail).where(NoteAudit.action == "exported")).all()
    assert exports[0] == f"journal {day}..{day}: notes {first.id}"


def test_the_api_is_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ["/api/session", "/api/tokens", "/api/notes", "/api/notes/{note_id}", "/api/notes/{note_id}/approve",
                 "/api/notes/{note_id}/reject", "/api/notes/{note_id}/addenda", "/api/notes/export"]:  # fmt: skip
        assert path in paths
