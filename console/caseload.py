"""The caseload table: every participant of one counselor with what a counselor scans for.

One query for the participants and one grouped query each for open items, drafts waiting and this
week's hours, all limited to the counselor's caseload in SQL; sorting and the computed filters
(disengaged, hours short) then work on those rows, at most a caseload's worth.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from casefile.case_notes import CaseNote
from casefile.facts import EventRecord
from casefile.people import Participant
from casefile.timesheets import TimesheetEntry
from casefile.vocabulary import Channel, ConsentState, EntryState, Language, NoteState, ProgrammeStatus
from console.attention import open_items_of

#: No two-way contact for this long: disengaged (the re-engagement rule's `quiet_days` default).
DISENGAGED_DAYS = 30
#: Quiet for a week or more is worth a glance before it becomes disengagement.
QUIET_DAYS = 7


class Filter(StrEnum):
    ALL = "all"
    NEEDS_ME = "needs_me"
    UNREAD = "unread"
    DISENGAGED = "disengaged"
    HOURS_SHORT = "hours_short"
    OPTED_OUT = "opted_out"


class Sort(StrEnum):
    NAME = "name"
    LAST_CONTACT = "last_contact"
    OPEN_ITEMS = "open_items"
    HOURS = "hours"


@dataclass(frozen=True)
class CaseloadRow:
    id: int
    name: str
    phone: str
    language: Language
    channel: Channel
    status: ProgrammeStatus
    consent: ConsentState
    last_heard_at: datetime | None
    quiet_days: int | None
    unread: bool
    hours_this_week: float
    required_hours: int
    open_items: int
    urgent_items: int
    drafts_waiting: int
    paused_until: date | None

    @property
    def engagement(self) -> str:
        if self.quiet_days is None:
            return "never replied"
        if self.quiet_days >= DISENGAGED_DAYS:
            return "disengaged"
        if self.quiet_days >= QUIET_DAYS:
            return f"quiet {self.quiet_days} days"
        return "engaged"

    @property
    def disengaged(self) -> bool:
        return self.quiet_days is None or self.quiet_days >= DISENGAGED_DAYS

    @property
    def hours_short(self) -> bool:
        return self.status is ProgrammeStatus.ACTIVE and self.hours_this_week < self.required_hours


def caseload(
    session: Session,
    counselor_id: int,
    now: datetime,
    week_start: date,
    search: str = "",
    shown: Filter = Filter.ALL,
    sort: Sort = Sort.NAME,
) -> list[CaseloadRow]:
    """The counselor's participants as the caseload page lists them."""
    # Only the columns the table shows: 150 ORM objects cost more than the rest of the page's queries.
    people = select(
        Participant.id,
        Participant.first_name,
        Participant.last_name,
        Participant.phone,
        Participant.language,
        Participant.preferred_channel,
        Participant.status,
        Participant.consent_state,
        Participant.last_heard_at,
        Participant.transcript_read_at,
        Participant.weekly_required_hours,
        Participant.outreach_paused_until,
    ).where(Participant.counselor_id == counselor_id)
    words = search.strip()
    if words:
        digits = "".join(ch for ch in words if ch.isdigit())
        pattern = f"%{words.lower()}%"
        matches = [
            func.lower(Participant.first_name + " " + Participant.last_name).like(pattern),
            func.lower(Participant.last_name).like(pattern),
        ]
        if len(digits) >= 3:
            matches.append(Participant.phone.like(f"%{digits}%"))
        people = people.where(or_(*matches))
    if shown is Filter.OPTED_OUT:
        people = people.where(Participant.consent_state == ConsentState.OPTED_OUT)
    participants = session.execute(people).all()
    items, urgent = _open_items(session, counselor_id)
    drafts = _drafts(session, counselor_id)
    hours = _hours(session, counselor_id, week_start)
    rows = [
        CaseloadRow(
            participant.id,
            f"{participant.first_name} {participant.last_name}",
            participant.phone,
            participant.language,
            participant.preferred_channel,
            participant.status,
            participant.consent_state,
            participant.last_heard_at,
            (now - participant.last_heard_at).days if participant.last_heard_at else None,
            participant.last_heard_at is not None
            and (participant.transcript_read_at is None or participant.last_heard_at > participant.transcript_read_at),
            round(hours.get(participant.id, 0.0), 2),
            participant.weekly_required_hours,
            items.get(participant.id, 0),
            urgent.get(participant.id, 0),
            drafts.get(participant.id, 0),
            participant.outreach_paused_until,
        )
        for participant in participants
    ]
    return sorted((row for row in rows if _KEEP[shown](row)), key=_SORTS[sort])


#: The filters that are computed per row (opted out is asked in SQL).
_KEEP: dict[Filter, Callable[[CaseloadRow], bool]] = {
    Filter.ALL: lambda row: True,
    Filter.OPTED_OUT: lambda row: True,
    Filter.NEEDS_ME: lambda row: row.open_items > 0,
    Filter.UNREAD: lambda row: row.unread,
    Filter.DISENGAGED: lambda row: row.disengaged,
    Filter.HOURS_SHORT: lambda row: row.hours_short,
}
_NEVER = datetime.min.replace(tzinfo=UTC)
_SORTS: dict[Sort, Callable[[CaseloadRow], Any]] = {
    Sort.NAME: lambda row: (row.name.split()[-1].lower(), row.name.lower()),
    # Longest silence first: who needs a nudge.
    Sort.LAST_CONTACT: lambda row: (row.last_heard_at is not None, row.last_heard_at or _NEVER),
    Sort.OPEN_ITEMS: lambda row: (-row.urgent_items, -row.open_items, row.name.lower()),
    Sort.HOURS: lambda row: (row.hours_this_week - row.required_hours, row.name.lower()),
}


def _open_items(session: Session, counselor_id: int) -> tuple[dict[int, int], dict[int, int]]:
    rows = session.execute(
        select(
            EventRecord.participant_id,
            func.count(EventRecord.id),
            func.count(EventRecord.id).filter(EventRecord.urgent.is_(True)),
        )
        .where(*open_items_of(counselor_id))
        .group_by(EventRecord.participant_id)
    ).all()
    return {row[0]: int(row[1]) for row in rows}, {row[0]: int(row[2]) for row in rows}


def _drafts(session: Session, counselor_id: int) -> dict[int, int]:
    rows = session.execute(
        select(CaseNote.participant_id, func.count(CaseNote.id))
        .join(Participant, CaseNote.participant_id == Participant.id)
        .where(Participant.counselor_id == counselor_id, CaseNote.state == NoteState.DRAFT)
        .group_by(CaseNote.participant_id)
    ).all()
    return {row[0]: int(row[1]) for row in rows}


def _hours(session: Session, counselor_id: int, week_start: date) -> dict[int, float]:
    """Confirmed hours of participation (not excused) in the week starting `week_start`."""
    rows = session.execute(
        select(TimesheetEntry.participant_id, func.sum(TimesheetEntry.hours))
        .join(Participant, TimesheetEntry.participant_id == Participant.id)
        .where(
            Participant.counselor_id == counselor_id,
            TimesheetEntry.state == EntryState.CONFIRMED,
            TimesheetEntry.excuse.is_(None),
            TimesheetEntry.day >= week_start,
            TimesheetEntry.day < week_start + timedelta(days=7),
        )
        .group_by(TimesheetEntry.participant_id)
    ).all()
    return {row[0]: float(row[1] or 0) for row in rows}
