"""The month a counselor verifies by the 20th: a participant's hours per week and per month, by
activity, excused apart from participated, against the requirement, with the documents received."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from casefile.documents import Document, documents_between
from casefile.people import Participant
from casefile.timesheets import Period, TimesheetEntry, TimesheetLine, period_of, week_of
from casefile.vocabulary import Activity, EntryState, Excuse, ReportingPeriod

#: Counselors verify the prior month's hours by this day of the month.
VERIFY_BY_DAY = 20


@dataclass(frozen=True)
class WeekTotals:
    week: Period
    by_activity: dict[Activity, float]
    participated: float
    excused: float
    required: int
    #: The week runs into the month before or after.
    spans_months: bool

    @property
    def met(self) -> bool:
        return self.participated >= self.required


@dataclass(frozen=True)
class MonthTotals:
    """A participant's hours for one month, as a counselor needs them to verify it by the 20th."""

    month: Period
    verify_by: date
    weekly_required: int
    weeks: tuple[WeekTotals, ...]
    #: Dated hours on days of the month, and weekly totals of weeks that lie wholly in it.
    by_activity: dict[Activity, float]
    participated: float
    excused: float
    by_excuse: dict[Excuse, float]
    #: Weekly totals of a week running into another month: which month they belong to is the counselor's call.
    unassigned: tuple[TimesheetLine, ...]
    #: Lines read back but never confirmed by the participant: on file, not counted.
    unconfirmed: tuple[TimesheetLine, ...]
    documents: tuple[Document, ...]

    @property
    def required(self) -> float:
        """The month's requirement: the weekly hours averaged over the month's days."""
        return round(self.weekly_required * self.month.days / 7, 1)

    @property
    def weekly_average(self) -> float:
        return round(self.participated * 7 / self.month.days, 1)


def verify_by(day: date) -> date:
    """When the hours of the month `day` falls in are to be verified: the 20th of the next month."""
    return (day.replace(day=1) + timedelta(days=32)).replace(day=VERIFY_BY_DAY)


def month_period(year: int, month: int) -> Period:
    return period_of(date(year, month, 1), ReportingPeriod.MONTHLY)


def month_totals(session: Session, participant: Participant, year: int, month: int) -> MonthTotals:
    """The month's hours: per week (every week touching the month, whole), per activity, excused
    apart from participated, against the requirement; and the documents received in the month."""
    span = month_period(year, month)
    weekly_required = participant.weekly_required_hours
    participant_id = participant.id
    # Whole weeks: the first and last may run into the months either side.
    first_week, last_week = week_of(span.start).start, week_of(span.end).end
    entries = session.scalars(
        select(TimesheetEntry)
        .where(
            TimesheetEntry.participant_id == participant_id,
            and_(TimesheetEntry.day >= first_week, TimesheetEntry.day <= last_week),
            TimesheetEntry.state.in_([EntryState.CONFIRMED, EntryState.DRAFT, EntryState.UNCONFIRMED]),
        )
        .order_by(TimesheetEntry.day, TimesheetEntry.id)
    ).all()
    confirmed = [entry.line() for entry in entries if entry.state is EntryState.CONFIRMED]
    weeks = []
    start = first_week
    while start <= span.end:
        week = week_of(start)
        in_week = [line for line in confirmed if line.day in week]
        weeks.append(
            WeekTotals(
                week,
                _by_activity(line for line in in_week if not line.excuse),
                sum(line.hours for line in in_week if not line.excuse),
                sum(line.hours for line in in_week if line.excuse),
                weekly_required,
                not _within(week, span),
            )
        )
        start += timedelta(days=7)
    counted = [line for line in confirmed if line.day in span and (not line.whole_week or line.week.end in span)]
    by_excuse: dict[Excuse, float] = defaultdict(float)
    for line in counted:
        if line.excuse:
            by_excuse[line.excuse] += line.hours
    return MonthTotals(
        month=span,
        verify_by=verify_by(span.start),
        weekly_required=weekly_required,
        weeks=tuple(weeks),
        by_activity=_by_activity(line for line in counted if not line.excuse),
        participated=sum(line.hours for line in counted if not line.excuse),
        excused=sum(line.hours for line in counted if line.excuse),
        by_excuse=dict(by_excuse),
        unassigned=tuple(line for line in confirmed if line.whole_week and not _within(line.week, span)),
        unconfirmed=tuple(
            entry.line() for entry in entries if entry.state is not EntryState.CONFIRMED and entry.day in span
        ),
        documents=tuple(documents_between(session, participant_id, *_local_bounds(span, participant.time_zone))),
    )


def _local_bounds(span: Period, time_zone: str) -> tuple[datetime, datetime]:
    """The month's first and last instants on the participant's own calendar."""
    zone = ZoneInfo(time_zone)
    start = datetime.combine(span.start, time.min, zone)
    end = datetime.combine(span.end + timedelta(days=1), time.min, zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def _within(week: Period, span: Period) -> bool:
    return week.start in span and week.end in span


def _by_activity(lines: Iterable[TimesheetLine]) -> dict[Activity, float]:
    totals: dict[Activity, float] = defaultdict(float)
    for line in lines:
        totals[line.activity] += line.hours
    return dict(totals)
