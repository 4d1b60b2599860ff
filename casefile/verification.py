"""The month a counselor verifies by the 20th: a participant's hours per week and per month, by
activity, excused apart from participated, against the requirement, with the documents received."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from casefile.documents import Document, documents_received
from casefile.people import Participant
from casefile.timesheets import Period, TimesheetEntry, TimesheetLine, period_of, week_of
from casefile.vocabulary import Activity, EntryState, Excuse, ReportingPeriod

#: Counselors verify the prior month's hours by this day of the month.
VERIFY_BY_DAY = 20
#: Entries the month's figures count or list; a replaced entry (a newer report of the same day and
#: activity counts) is neither.
COUNTED_STATES = frozenset({EntryState.CONFIRMED, EntryState.DRAFT, EntryState.UNCONFIRMED})


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


@dataclass(frozen=True)
class EntryRow:
    """A timesheet entry as the month's figures read it (not the ORM object: a county's month-end
    reads a few hundred thousand of them)."""

    id: int
    day: date
    whole_week: bool
    activity: Activity
    hours: float
    excuse: Excuse | None
    state: EntryState
    message_id: int | None
    confirmed_message_id: int | None

    def line(self) -> TimesheetLine:
        return TimesheetLine(self.day, self.activity, self.hours, self.excuse, self.whole_week)


@dataclass(frozen=True)
class MonthRecords:
    """What a participant's month is verified from: every timesheet entry, in any state, of the
    weeks touching the month (by day, then id), and the documents received in the month."""

    span: Period
    entries: tuple[EntryRow, ...]
    documents: tuple[Document, ...]


_ENTRY_COLUMNS = [getattr(TimesheetEntry, name) for name in EntryRow.__dataclass_fields__]


def month_records(
    session: Session, participants: Sequence[Participant], year: int, month: int
) -> dict[int, MonthRecords]:
    """The month's records of many participants in two queries, not two each (the monthly
    verification drafts a county's month a batch at a time); by participant id."""
    span = month_period(year, month)
    ids = [participant.id for participant in participants]
    # Whole weeks: the first and last may run into the months either side.
    first_week, last_week = week_of(span.start).start, week_of(span.end).end
    entries: dict[int, list[EntryRow]] = defaultdict(list)
    for participant_id, *columns in session.execute(
        select(TimesheetEntry.participant_id, *_ENTRY_COLUMNS)
        .where(
            TimesheetEntry.participant_id.in_(ids),
            and_(TimesheetEntry.day >= first_week, TimesheetEntry.day <= last_week),
        )
        .order_by(TimesheetEntry.participant_id, TimesheetEntry.day, TimesheetEntry.id)
    ):
        entries[participant_id].append(EntryRow(*columns))
    bounds = {participant.id: _local_bounds(span, participant.time_zone) for participant in participants}
    documents: dict[int, list[Document]] = defaultdict(list)
    if bounds:
        # One range wide enough for every time zone of the batch; each keeps only its own month.
        earliest, latest = min(start for start, _ in bounds.values()), max(end for _, end in bounds.values())
        for document in documents_received(session, ids, earliest, latest):
            start, end = bounds[document.participant_id]
            if start <= document.received_at < end:
                documents[document.participant_id].append(document)
    return {
        participant_id: MonthRecords(span, tuple(entries[participant_id]), tuple(documents[participant_id]))
        for participant_id in ids
    }


def month_totals(session: Session, participant: Participant, year: int, month: int) -> MonthTotals:
    """The month's hours: per week (every week touching the month, whole), per activity, excused
    apart from participated, against the requirement; and the documents received in the month."""
    return totals_of(participant, month_records(session, [participant], year, month)[participant.id])


def totals_of(participant: Participant, records: MonthRecords) -> MonthTotals:
    """`month_totals` from records already read."""
    span = records.span
    weekly_required = participant.weekly_required_hours
    entries = [entry for entry in records.entries if entry.state in COUNTED_STATES]
    confirmed = [entry.line() for entry in entries if entry.state is EntryState.CONFIRMED]
    weeks = []
    start = week_of(span.start).start
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
        documents=records.documents,
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
