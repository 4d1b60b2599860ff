"""A county office with two units, for the supervisor's tests: unit North (supervisor Nora Park,
counselors Ana Ruiz and Ben Cho) and unit South (supervisor Sol Vega, counselor Pat Soto), with
participants in every state a supervisor counts, on the test clock (Monday 2 March 2026, 9:00 in
California). The expected figures are written beside each participant."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.app import Service
from casefile.accounts import set_password
from casefile.case_notes import CaseNote
from casefile.enrolment import add_counselor, enrol_participant
from casefile.facts import CounselorMessage, SafetyConcern, record_fact
from casefile.messages import Message
from casefile.outreach import OutreachAttempt
from casefile.people import Counselor
from casefile.timesheets import TimesheetEntry
from casefile.vocabulary import (
    Activity,
    Channel,
    Direction,
    EntryState,
    FamilyType,
    Language,
    MessageStatus,
    NoteState,
    ProgrammeStatus,
    Role,
)
from tests.console_support import PASSWORD

NORA, ANA, BEN = "nora.park@example.org", "ana.ruiz@example.org", "ben.cho@example.org"
SOL, PAT = "sol.vega@example.org", "pat.soto@example.org"
LA = "America/Los_Angeles"
LAST_WEEK = date(2026, 2, 23)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class Units:
    nora: int
    ana: int
    ben: int
    sol: int
    pat: int
    rosa: int
    marcus: int
    lena: int
    kim: int
    omar: int
    tess: int
    pia: int


def seed_units(service: Service, now: datetime) -> Units:
    with service.sessions.begin() as session:
        nora = _counselor(session, "Nora", "Park", NORA, Role.SUPERVISOR, "North", now)
        ana = _counselor(session, "Ana", "Ruiz", ANA, Role.COUNSELOR, "North", now)
        ben = _counselor(session, "Ben", "Cho", BEN, Role.COUNSELOR, "North", now)
        sol = _counselor(session, "Sol", "Vega", SOL, Role.SUPERVISOR, "South", now)
        pat = _counselor(session, "Pat", "Soto", PAT, Role.COUNSELOR, "South", now)
        long_ago = now - timedelta(days=90)
        # Rosa: silent 40 days (disengaged, no contact this month), no hours last week (short),
        # two outreach texts this month and one in February.
        rosa = _participant(
            session, ana, "Rosa", "Alvarez", "+15105550301", long_ago, last_heard_at=now - timedelta(days=40)
        )
        _message(session, rosa, Direction.INBOUND, "I start the GED class in January", now - timedelta(days=40))
        for at in (utc(2026, 3, 1, 19), utc(2026, 3, 2, 16), utc(2026, 2, 27, 19)):
            record_fact(
                session, OutreachAttempt(0, "reengagement", "reengage", "sms", "sent", None), rosa, None, None, at
            )
        # Marcus: wrote yesterday, met his 30 hours; a safety concern open since Friday 16:30
        # (one business hour is Monday 8:30: alert), another from 8:45 today (not yet).
        marcus = _participant(
            session, ana, "Marcus", "Bell", "+15105550302", long_ago, last_heard_at=utc(2026, 3, 1, 18)
        )
        _hours(session, marcus, 30)
        for at in (utc(2026, 2, 28, 0, 30), utc(2026, 3, 2, 16, 45)):
            message = _message(session, marcus, Direction.INBOUND, "he hit me again", at)
            record_fact(session, SafetyConcern("he hit me again"), marcus, None, message, at)
        _note(session, marcus, due=utc(2026, 3, 2, 16), state=NoteState.DRAFT)  # late
        _note(session, marcus, due=utc(2026, 2, 20, 16), state=NoteState.APPROVED)  # reviewed: not counted
        # Lena: last wrote Wednesday 25 February 10:00 to her counselor, never read: two business
        # days passed on Friday 10:00 (alert); 10 of 30 hours last week (short); no contact this month.
        lena = _participant(session, ana, "Lena", "Cruz", "+15105550303", long_ago, last_heard_at=utc(2026, 2, 25, 18))
        _hours(session, lena, 10)
        message = _message(session, lena, Direction.INBOUND, "can you call me about the bus pass", utc(2026, 2, 25, 18))
        record_fact(
            session, CounselorMessage("can you call me about the bus pass"), lena, None, message, utc(2026, 2, 25, 18)
        )
        _note(session, lena, due=utc(2026, 3, 3, 16), state=NoteState.DRAFT)  # waiting, not late
        # Kim: enrolled on Saturday, not heard from yet: not disengaged, last week was not hers
        # to report, but no contact this month.
        kim = _participant(session, ana, "Kim", "Diaz", "+15105550304", utc(2026, 2, 28, 20))
        # Omar: left the programme: counted in the caseload only.
        omar = _participant(
            session, ana, "Omar", "Reyes", "+15105550305", long_ago,
            last_heard_at=now - timedelta(days=60), status=ProgrammeStatus.EXITED, exited_on=date(2026, 1, 30),
        )  # fmt: skip
        # Tess (Ben's): her message of Wednesday was read on Thursday, though not marked handled.
        tess = _participant(
            session, ben, "Tess", "Ford", "+15105550306", long_ago,
            last_heard_at=utc(2026, 3, 2, 15), transcript_read_at=utc(2026, 2, 26, 17),
        )  # fmt: skip
        _hours(session, tess, 32)
        message = _message(session, tess, Direction.INBOUND, "my car broke down", utc(2026, 2, 25, 18))
        record_fact(session, CounselorMessage("my car broke down"), tess, None, message, utc(2026, 2, 25, 18))
        # Pia (South): a safety concern long open, for South's supervisor only.
        pia = _participant(session, pat, "Pia", "Gomez", "+15105550307", long_ago, last_heard_at=utc(2026, 2, 20, 18))
        message = _message(session, pia, Direction.INBOUND, "I am scared to go home", utc(2026, 2, 20, 18))
        record_fact(session, SafetyConcern("I am scared to go home"), pia, None, message, utc(2026, 2, 20, 18))
        return Units(nora, ana, ben, sol, pat, rosa, marcus, lena, kim, omar, tess, pia)


def _counselor(session: Session, first: str, last: str, email: str, role: Role, unit: str, now: datetime) -> int:
    counselor = add_counselor(session, first, last, email, None, now)
    counselor.role, counselor.unit = role, unit
    set_password(counselor, PASSWORD)
    session.flush()
    return counselor.id


def _participant(
    session: Session, counselor_id: int, first: str, last: str, phone: str, enrolled: datetime, **fields: Any
) -> int:
    counselor = session.get(Counselor, counselor_id)
    assert counselor is not None
    participant = enrol_participant(
        session,
        first_name=first,
        last_name=last,
        phone=phone,
        language=Language.ENGLISH,
        time_zone=LA,
        counselor=counselor,
        family_type=FamilyType.ONE_PARENT,
        plan_hours=None,
        consent_note="signed WTW 2",
        at=enrolled,
    )
    for name, value in fields.items():
        setattr(participant, name, value)
    session.flush()
    return participant.id


def _message(session: Session, participant_id: int, direction: Direction, body: str, at: datetime) -> int:
    message = Message(
        participant_id=participant_id,
        direction=direction,
        channel=Channel.SMS,
        address="+15105550300",
        body=body,
        media=[],
        status=MessageStatus.PROCESSED,
        created_at=at,
        status_at=at,
    )
    session.add(message)
    session.flush()
    return message.id


def _hours(session: Session, participant_id: int, hours: float) -> None:
    session.add(
        TimesheetEntry(
            participant_id=participant_id,
            day=LAST_WEEK + timedelta(days=1),
            whole_week=True,
            activity=Activity.JOB_SEARCH,
            hours=hours,
            state=EntryState.CONFIRMED,
            reported_at=utc(2026, 2, 27, 18),
            confirmed_at=utc(2026, 2, 27, 18),
        )
    )


def _note(session: Session, participant_id: int, due: datetime, state: NoteState) -> None:
    drafted = due - timedelta(days=1)
    session.add(
        CaseNote(
            participant_id=participant_id,
            contact_id=None,
            subject="checkin",
            occurrence=due.isoformat(),
            title="Check-in by text",
            contact_date=drafted.date(),
            draft_body="Participant reported on their week.",
            sources=[],
            problems=[],
            state=state,
            drafted_at=drafted,
            due_at=due,
            final_body="Participant reported on their week." if state is NoteState.APPROVED else None,
        )
    )
