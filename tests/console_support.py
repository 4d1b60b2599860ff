"""Helpers for the console's tests: a team of counselors with passwords, and a browser-like client
that signs in through the form and sends each POST with the page's CSRF token."""

import re
from dataclasses import dataclass
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.app import Service
from casefile.accounts import set_password
from casefile.enrolment import add_counselor
from casefile.facts import EventRecord
from casefile.people import find_counselor_by_email
from tests.outreach import change, enrol
from tests.support import FixedClock

PASSWORD = "correct horse battery"
DANA = "dana.lee@example.org"
SAM = "sam.ortiz@example.org"
#: Sam's one participant: nobody else's business.
QUINN_PHONE = "+15105550188"


@dataclass(frozen=True)
class Team:
    dana_id: int
    sam_id: int
    quinn_id: int


def make_team(service: Service, clock: FixedClock) -> Team:
    """Dana Lee (the demo caseload: Jordan, Guadalupe) and Sam Ortiz (Quinn), both with PASSWORD."""
    with service.sessions.begin() as session:
        dana = find_counselor_by_email(session, DANA)
        assert dana is not None
        sam = add_counselor(session, "Sam", "Ortiz", SAM, "+15105550198", clock())
        set_password(dana, PASSWORD)
        set_password(sam, PASSWORD)
        dana_id, sam_id = dana.id, sam.id
    quinn = enrol(service, "Quinn", QUINN_PHONE, clock() - timedelta(days=40))
    change(service, quinn, counselor_id=sam_id)
    return Team(dana_id, sam_id, quinn)


_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
_SIGN_IN = re.compile(r'name="sign_in" value="([^"]+)"')


class Browser:
    """A TestClient used as a browser would: cookies kept, forms posted with their hidden fields."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = ""
        #: The text of the last sign-in answer.
        self.answer = ""

    def sign_in(self, email: str, password: str = PASSWORD, next_path: str = "/caseload") -> int:
        form = self.client.get("/signin")
        token = _SIGN_IN.search(form.text)
        assert token is not None
        answer = self.client.post(
            "/signin",
            data={"email": email, "password": password, "sign_in": token.group(1), "next": next_path},
            follow_redirects=False,
        )
        self.answer = answer.text
        if answer.status_code == 303:
            self.refresh_csrf()
        return answer.status_code

    def refresh_csrf(self) -> None:
        page = self.client.get("/caseload")
        found = _CSRF.search(page.text)
        assert found is not None, page.text[:500]
        self.csrf = found.group(1)

    def get(self, path: str) -> str:
        answer = self.client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        return answer.text

    def post(self, path: str, **fields: str) -> "PostAnswer":
        answer = self.client.post(path, data={"csrf": self.csrf, **fields}, follow_redirects=False)
        return PostAnswer(answer.status_code, answer.headers.get("location", ""), answer.text)


@dataclass(frozen=True)
class PostAnswer:
    status: int
    location: str
    text: str


def open_items(service: Service, participant_id: int) -> list[EventRecord]:
    with service.sessions.begin() as session:
        return list(
            session.scalars(
                select(EventRecord)
                .where(
                    EventRecord.participant_id == participant_id,
                    EventRecord.needs_counselor.is_(True),
                    EventRecord.seen_at.is_(None),
                )
                .order_by(EventRecord.id)
            )
        )
