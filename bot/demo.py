"""Demo data for a first run: one counselor and two participants (English and Spanish)."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from casefile.accounts import end_sessions, set_password
from casefile.enrolment import add_counselor, enrol_participant
from casefile.people import Counselor, find_counselor_by_email
from casefile.vocabulary import Activity, FamilyType, Language

DEMO_COUNSELOR_EMAIL = "dana.lee@example.org"


@dataclass(frozen=True)
class DemoParticipant:
    first_name: str
    last_name: str
    phone: str
    language: Language
    family_type: FamilyType
    activities: tuple[Activity, ...]


DEMO_PARTICIPANTS = (
    DemoParticipant(
        "Jordan",
        "Smith",
        "+15105550100",
        Language.ENGLISH,
        FamilyType.ONE_PARENT,
        (Activity.JOB_SEARCH, Activity.EDUCATION),
    ),
    DemoParticipant(
        "Guadalupe",
        "Ramírez",
        "+15105550101",
        Language.SPANISH,
        FamilyType.ONE_PARENT_CHILD_UNDER_6,
        (Activity.JOB_SEARCH,),
    ),
)


def seed_demo(session: Session, time_zone: str, now: datetime) -> bool:
    """Add the demo caseload unless it is there already; True if it was added."""
    if find_counselor_by_email(session, DEMO_COUNSELOR_EMAIL) is not None:
        return False
    counselor = add_counselor(session, "Dana", "Lee", DEMO_COUNSELOR_EMAIL, "+15105550199", now)
    for person in DEMO_PARTICIPANTS:
        enrol_demo(session, person, counselor, time_zone, now)
    return True


def enrol_demo(session: Session, person: DemoParticipant, counselor: Counselor, time_zone: str, at: datetime) -> None:
    enrol_participant(
        session,
        first_name=person.first_name,
        last_name=person.last_name,
        phone=person.phone,
        language=person.language,
        time_zone=time_zone,
        counselor=counselor,
        family_type=person.family_type,
        plan_hours=None,
        consent_note="demo participant: consent to texts recorded at enrolment",
        at=at,
        activities=person.activities,
    )


def reset_demo_password(session: Session, now: datetime, email: str = DEMO_COUNSELOR_EMAIL) -> str:
    """A fresh password for the demo counselor, printed by `waypoint demo` so a new user can sign in
    to the console at once; set anew on every run, so no known password ships with the code."""
    counselor = find_counselor_by_email(session, email)
    assert counselor is not None, "seed the demo first"
    password = secrets.token_urlsafe(12)
    set_password(counselor, password)
    end_sessions(session, counselor, now)
    return password
