"""A supervisor's unit at a glance: per counselor, the figures a supervisor watches, and the list
behind each figure.

Who is in the unit is asked in SQL (counselors whose `unit` is the supervisor's), and every query
below names those counselors or one of them: a participant of another unit is never loaded. The
per-participant figures come from the counselor's own caseload table (console/caseload.py), so a
supervisor's "disengaged" is the counselor's "Disengaged" filter; the rest are a few grouped
queries over the unit. A supervisor reads figures and lists, never the participants' words.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from casefile.case_notes import CaseNote
from casefile.facts import EventRecord
from casefile.people import Counselor, Participant
from casefile.vocabulary import NoteState, ProgrammeStatus, Role
from console.caseload import DISENGAGED_DAYS, CaseloadRow, caseload


class NotInUnit(LookupError):
    """Not a supervisor, or not a counselor or participant of their unit: a 404 to the browser."""


class Figure(StrEnum):
    """What a supervisor counts per counselor; each opens the list behind it."""

    CASELOAD = "caseload"
    DISENGAGED = "disengaged"
    OPEN_ITEMS = "open_items"
    DRAFTS = "drafts"
    DRAFTS_LATE = "drafts_late"
    HOURS_SHORT = "hours_short"
    ATTEMPTS = "attempts"
    NO_CONTACT = "no_contact"


FIGURE_TITLES = {
    Figure.CASELOAD: "Caseload",
    Figure.DISENGAGED: "Disengaged (30+ days without two-way contact)",
    Figure.OPEN_ITEMS: "Needs-me items open",
    Figure.DRAFTS: "Drafts waiting",
    Figure.DRAFTS_LATE: "Drafts late",
    Figure.HOURS_SHORT: "Short of hours last week",
    Figure.ATTEMPTS: "Outreach attempts this month",
    Figure.NO_CONTACT: "No two-way contact this month",
}


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    disabled: bool


@dataclass(frozen=True)
class Period:
    """The moments the figures are counted against, on the county's clock."""

    now: datetime
    #: Monday of last week: the last whole week of hours.
    last_week: date
    #: The first moment of this month.
    month_start: datetime

    @classmethod
    def at(cls, now: datetime, zone: ZoneInfo) -> "Period":
        today = now.astimezone(zone).date()
        last_week = today - timedelta(days=today.weekday() + 7)
        return cls(now, last_week, datetime.combine(today.replace(day=1), time(), tzinfo=zone))


@dataclass(frozen=True)
class CounselorFigures:
    member: Member
    counts: dict[Figure, int]
    #: When the oldest open needs-me item came in (None: nothing open).
    oldest_open_at: datetime | None


@dataclass(frozen=True)
class UnitMembers:
    unit: str
    members: list[Member]

    def member(self, counselor_id: int) -> Member:
        for member in self.members:
            if member.id == counselor_id:
                return member
        raise NotInUnit(counselor_id)


def unit_of(session: Session, supervisor_id: int) -> UnitMembers:
    """The supervisor's unit and its members (the supervisor too, when they carry a caseload)."""
    supervisor = session.get(Counselor, supervisor_id)
    if supervisor is None or supervisor.role is not Role.SUPERVISOR or not supervisor.unit:
        raise NotInUnit(supervisor_id)
    has_caseload = select(Participant.id).where(Participant.counselor_id == Counselor.id).exists()
    rows = session.execute(
        select(Counselor.id, Counselor.first_name, Counselor.last_name, Counselor.disabled_at)
        .where(Counselor.unit == supervisor.unit, (Counselor.role == Role.COUNSELOR) | has_caseload)
        .order_by(Counselor.last_name, Counselor.first_name, Counselor.id)
    ).all()
    return UnitMembers(
        supervisor.unit,
        [Member(row.id, f"{row.first_name} {row.last_name}", row.disabled_at is not None) for row in rows],
    )


def _active(row: CaseloadRow) -> bool:
    return row.status is not ProgrammeStatus.EXITED


@dataclass(frozen=True)
class Newcomers:
    """Participants enrolled too recently for a figure to count them."""

    #: Enrolled after last week began: that week was not theirs to report in full.
    since_last_week: set[int]
    #: Enrolled within DISENGAGED_DAYS: not yet a month of silence, even if they never wrote.
    within_a_month: set[int]


def participant_rules(period: Period, new: Newcomers) -> dict[Figure, Callable[[CaseloadRow], bool]]:
    """Which caseload rows each participant figure counts (the figure and its list agree by sharing
    these); items, drafts and attempts are counted by themselves."""
    return {
        Figure.CASELOAD: lambda row: True,
        Figure.DISENGAGED: lambda row: _active(row) and row.disengaged and row.id not in new.within_a_month,
        # A week before enrolment is nobody's shortfall.
        Figure.HOURS_SHORT: lambda row: row.hours_short and row.id not in new.since_last_week,
        # The seed rule: at least one two-way contact a month with everyone still in the programme.
        Figure.NO_CONTACT: lambda row: (
            _active(row) and (row.last_heard_at is None or row.last_heard_at < period.month_start)
        ),
    }


def unit_figures(session: Session, unit: UnitMembers, period: Period) -> list[CounselorFigures]:
    ids = [member.id for member in unit.members]
    oldest: dict[int, datetime] = {row[0]: row[1] for row in session.execute(_oldest_open(ids))}
    late = _counts(session, _late_drafts(ids, period.now))
    attempts = _counts(session, _attempts(ids, period.month_start))
    rules = participant_rules(period, _newcomers(session, ids, period))
    figures = []
    for member in unit.members:
        rows = caseload(session, member.id, period.now, period.last_week)
        counts = {figure: sum(1 for row in rows if keep(row)) for figure, keep in rules.items()}
        counts[Figure.OPEN_ITEMS] = sum(row.open_items for row in rows)
        counts[Figure.DRAFTS] = sum(row.drafts_waiting for row in rows)
        counts[Figure.DRAFTS_LATE] = late.get(member.id, 0)
        counts[Figure.ATTEMPTS] = attempts.get(member.id, 0)
        figures.append(CounselorFigures(member, counts, oldest.get(member.id)))
    return figures


def _counts(session: Session, statement: Select[int, int]) -> dict[int, int]:
    return {row[0]: int(row[1]) for row in session.execute(statement)}


def _in_unit(ids: list[int]) -> Select[int]:
    return select(Participant.id).where(Participant.counselor_id.in_(ids))


def _oldest_open(ids: list[int]) -> Select[int, datetime]:
    # Written as the partial index ix_events_open_items states its condition, as console.attention does.
    return (
        select(Participant.counselor_id, func.min(EventRecord.occurred_at))
        .join(Participant, EventRecord.participant_id == Participant.id)
        .where(
            EventRecord.participant_id.in_(_in_unit(ids)), text("events.needs_counselor"), EventRecord.seen_at.is_(None)
        )
        .group_by(Participant.counselor_id)
    )


def drafts_of(counselor_id: int, now: datetime, late_only: bool) -> Select[CaseNote, str, str]:
    """One counselor's drafts waiting (or only the late ones: due_at passed), oldest first."""
    statement = (
        select(CaseNote, Participant.first_name, Participant.last_name)
        .join(Participant, CaseNote.participant_id == Participant.id)
        .where(Participant.counselor_id == counselor_id, CaseNote.state == NoteState.DRAFT)
        .order_by(CaseNote.drafted_at, CaseNote.id)
    )
    return statement.where(CaseNote.due_at <= now) if late_only else statement


def _late_drafts(ids: list[int], now: datetime) -> Select[int, int]:
    return (
        select(Participant.counselor_id, func.count(CaseNote.id))
        .join(Participant, CaseNote.participant_id == Participant.id)
        .where(Participant.counselor_id.in_(ids), CaseNote.state == NoteState.DRAFT, CaseNote.due_at <= now)
        .group_by(Participant.counselor_id)
    )


def attempts_of(counselor_id: int, since: datetime) -> Select[EventRecord, str, str]:
    """One counselor's outreach attempts since `since`, oldest first."""
    return (
        select(EventRecord, Participant.first_name, Participant.last_name)
        .join(Participant, EventRecord.participant_id == Participant.id)
        .where(
            EventRecord.participant_id.in_(_in_unit([counselor_id])),
            EventRecord.kind == "outreach_attempt",
            EventRecord.occurred_at >= since,
        )
        .order_by(EventRecord.occurred_at, EventRecord.id)
    )


def _attempts(ids: list[int], since: datetime) -> Select[int, int]:
    return (
        select(Participant.counselor_id, func.count(EventRecord.id))
        .join(Participant, EventRecord.participant_id == Participant.id)
        .where(
            EventRecord.participant_id.in_(_in_unit(ids)),
            EventRecord.kind == "outreach_attempt",
            EventRecord.occurred_at >= since,
        )
        .group_by(Participant.counselor_id)
    )


def _newcomers(session: Session, ids: list[int], period: Period) -> Newcomers:
    week_began = datetime.combine(period.last_week, time(), tzinfo=period.month_start.tzinfo)
    month_ago = period.now - timedelta(days=DISENGAGED_DAYS)
    recent = session.execute(
        select(Participant.id, Participant.enrolled_at).where(
            Participant.counselor_id.in_(ids), Participant.enrolled_at > min(week_began, month_ago)
        )
    ).all()
    return Newcomers(
        {row.id for row in recent if row.enrolled_at > week_began},
        {row.id for row in recent if row.enrolled_at > month_ago},
    )


def figure_rows(session: Session, counselor_id: int, figure: Figure, period: Period) -> list[CaseloadRow]:
    """The participants behind a participant figure, for one counselor of the unit."""
    rows = caseload(session, counselor_id, period.now, period.last_week)
    keep = participant_rules(period, _newcomers(session, [counselor_id], period))[figure]
    return [row for row in rows if keep(row)]
