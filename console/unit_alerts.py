"""What a supervisor must act on in their unit: a safety concern not marked handled within one
business hour, and a participant's message to their counselor unread for two business days.

Both read open needs-me items of the unit's caseloads only. A message counts as read once the
counselor has opened the participant's conversation after it came in, or marked the item handled;
the words themselves stay with the counselor (the supervisor sees who, whose caseload, since when).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from casefile.facts import EventRecord
from casefile.people import Counselor, Participant
from console.unit import UnitMembers
from scheduler.office_hours import OfficeHours
from scheduler.timing import Calendar

#: A safety concern waits at most this much open office time for its counselor.
SAFETY_WITHIN = timedelta(hours=1)
#: A message to the counselor waits at most this many business days to be read.
UNREAD_BUSINESS_DAYS = 2


@dataclass(frozen=True)
class Alert:
    participant_id: int
    participant_name: str
    counselor_name: str
    #: When the item came in, and when it should have been handled or read by.
    since: datetime
    due: datetime


@dataclass(frozen=True)
class UnitAlerts:
    safety: list[Alert]
    unread: list[Alert]


def unit_alerts(
    session: Session, unit: UnitMembers, office: OfficeHours, calendar: Calendar, now: datetime
) -> UnitAlerts:
    ids = [member.id for member in unit.members]
    caseloads = select(Participant.id).where(Participant.counselor_id.in_(ids))
    rows = session.execute(
        select(
            EventRecord.participant_id,
            EventRecord.urgent,
            EventRecord.message_id,
            EventRecord.occurred_at,
            Participant.first_name,
            Participant.last_name,
            Participant.transcript_read_at,
            Counselor.first_name.label("counselor_first"),
            Counselor.last_name.label("counselor_last"),
        )
        .join(Participant, EventRecord.participant_id == Participant.id)
        .join(Counselor, Participant.counselor_id == Counselor.id)
        .where(
            EventRecord.participant_id.in_(caseloads),
            text("events.needs_counselor"),
            EventRecord.seen_at.is_(None),
            # An hour of office time is at least an hour; two business days at least two days.
            EventRecord.occurred_at <= now - SAFETY_WITHIN,
        )
        .order_by(EventRecord.occurred_at, EventRecord.id)
    ).all()
    safety: list[Alert] = []
    unread: list[Alert] = []
    for row in rows:
        if row.urgent:
            due = office.after_office_time(row.occurred_at, SAFETY_WITHIN)
            target = safety
        elif row.message_id is not None and (
            row.transcript_read_at is None or row.transcript_read_at < row.occurred_at
        ):
            due = _after_business_days(row.occurred_at, calendar, office)
            target = unread
        else:
            continue
        if due <= now:
            target.append(
                Alert(
                    row.participant_id,
                    f"{row.first_name} {row.last_name}",
                    f"{row.counselor_first} {row.counselor_last}",
                    row.occurred_at,
                    due,
                )
            )
    return UnitAlerts(safety, unread)


def _after_business_days(at: datetime, calendar: Calendar, office: OfficeHours) -> datetime:
    """The same time of day, UNREAD_BUSINESS_DAYS business days later, on the office's clock: a
    message of Friday 15:00 is overdue on Tuesday 15:00; one of Saturday counts from Monday's
    opening, so it is overdue on Wednesday at opening."""
    local = at.astimezone(office.zone)
    if calendar.is_business_day(local.date()):
        day = calendar.add_business_days(local.date(), UNREAD_BUSINESS_DAYS)
        return datetime.combine(day, local.time(), tzinfo=office.zone)
    first = calendar.add_business_days(local.date(), 0)
    day = calendar.add_business_days(first, UNREAD_BUSINESS_DAYS)
    return datetime.combine(day, office.hours.opens, tzinfo=office.zone)
