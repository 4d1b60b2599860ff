"""Participation hours: the facts an hours report emits, the timesheet kept from them, reporting
periods, and the month's totals a counselor verifies by the 20th (DOMAIN.md, "Participation hours").

The service reports; it never decides. Hours short of the requirement are a fact for the counselor,
not a finding. Weeks run Monday to Sunday; a week's requirement is the participant's plan figure.
"""

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, Index, bindparam, delete, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from casefile.base import Base, string_enum, table_of
from casefile.facts import Fact, FactSource, projects, register_fact
from casefile.prepared import Prepared
from casefile.vocabulary import Activity, EntryState, Excuse, ReportingPeriod

# --- Periods ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


#: Bi-weekly periods are counted from this Monday, so every participant's fortnights line up with the
#: county's pay-period calendar rather than with the day each one enrolled.
BIWEEKLY_EPOCH = date(2024, 1, 1)


def week_of(day: date) -> Period:
    start = day - timedelta(days=day.weekday())
    return Period(start, start + timedelta(days=6))


def period_of(day: date, kind: ReportingPeriod) -> Period:
    """The reporting period a day falls in."""
    if kind is ReportingPeriod.MONTHLY:
        last = calendar.monthrange(day.year, day.month)[1]
        return Period(day.replace(day=1), day.replace(day=last))
    if kind is ReportingPeriod.BIWEEKLY:
        start = BIWEEKLY_EPOCH + timedelta(days=(day - BIWEEKLY_EPOCH).days // 14 * 14)
        return Period(start, start + timedelta(days=13))
    return week_of(day)


def open_since(today: date, kind: ReportingPeriod) -> date:
    """The first day hours may still be reported for: the start of the period before this one, as a
    report for the period just ended is often sent in the first days of the next."""
    return period_of(period_of(today, kind).start - timedelta(days=1), kind).start


#: A report is due from this many days before its period ends ...
DUE_FROM_DAYS_BEFORE_END = 2
#: ... to this many days after: then the counselor, not the bot, follows up.
DUE_UNTIL_DAYS_AFTER_END = 7


# --- What a report holds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimesheetLine:
    """Hours on one day (or, with `whole_week`, a total for the week starting on `day`) at one activity."""

    day: date
    activity: Activity
    hours: float
    excuse: Excuse | None = None
    whole_week: bool = False

    @property
    def key(self) -> tuple[date, bool, Activity, Excuse | None]:
        """A later report with the same key replaces this line rather than adding to it."""
        return (self.day, self.whole_week, self.activity, self.excuse)

    @property
    def week(self) -> Period:
        return week_of(self.day)

    def to_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "activity": self.activity.value,
            "hours": self.hours,
            "excuse": self.excuse.value if self.excuse else None,
            "whole_week": self.whole_week,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "TimesheetLine":
        return cls(
            date.fromisoformat(data["day"]),
            Activity(data["activity"]),
            float(data["hours"]),
            Excuse(data["excuse"]) if data.get("excuse") else None,
            bool(data.get("whole_week")),
        )


def lines_json(lines: Iterable[TimesheetLine]) -> tuple[dict[str, Any], ...]:
    return tuple(line.to_json() for line in lines)


def lines_from_json(data: Iterable[dict[str, Any]]) -> tuple[TimesheetLine, ...]:
    return tuple(TimesheetLine.from_json(item) for item in data)


@dataclass(frozen=True)
class WeekHours:
    week: Period
    #: Hours of participation (not excused).
    participated: float
    excused: float
    required: int

    @property
    def short_by(self) -> float:
        """Hours still missing, counting excused hours as accounted for (the counselor decides on them)."""
        return max(0.0, self.required - self.participated - self.excused)


@dataclass(frozen=True)
class HoursPlan:
    """What an hours conversation needs to know of a participant's plan and timesheet."""

    #: Weekly hours required by the plan (20, 30, 35, or the plan's own figure).
    required: int = 30
    period: ReportingPeriod = ReportingPeriod.WEEKLY
    #: The plan's activities; empty when the plan names none, and then any activity may be reported.
    activities: tuple[Activity, ...] = ()
    #: Confirmed lines since the open period began.
    recorded: tuple[TimesheetLine, ...] = ()
    enrolled_on: date | None = None

    def choices(self) -> tuple[Activity, ...]:
        return self.activities or tuple(Activity)

    def week_hours(self, week: Period, draft: Iterable[TimesheetLine] = ()) -> WeekHours:
        """The week's hours as they will be once a draft is saved: its lines replace recorded ones."""
        lines = self._saved(draft, lambda line: line.day in week)
        excused = sum(line.hours for line in lines if line.excuse)
        participated = sum(line.hours for line in lines if not line.excuse)
        return WeekHours(week, participated, excused, self.required)

    def day_hours(self, day: date, draft: Iterable[TimesheetLine]) -> float:
        """Hours on one day across activities once a draft is saved."""
        return sum(line.hours for line in self._saved(draft, lambda line: line.day == day and not line.whole_week))

    def _saved(self, draft: Iterable[TimesheetLine], keep: Callable[[TimesheetLine], bool]) -> list[TimesheetLine]:
        """The lines `keep` picks as they will be once a draft is saved: its lines replace recorded ones."""
        lines = {line.key: line for line in (*self.recorded, *draft) if keep(line)}
        return list(lines.values())

    def report_due(self, today: date) -> Period | None:
        """The period whose report is due today and has not come, if any (from a few days before it
        ends to a week after). Not for a period whose report was already due when they enrolled."""
        current = period_of(today, self.period)
        # The older period first: of two reports due at once, the one more overdue is named.
        for period in (period_of(current.start - timedelta(days=1), self.period), current):
            due_from = period.end - timedelta(days=DUE_FROM_DAYS_BEFORE_END)
            due_until = period.end + timedelta(days=DUE_UNTIL_DAYS_AFTER_END)
            enrolled = self.enrolled_on is None or self.enrolled_on <= due_from
            reported = any(line.day in period for line in self.recorded)
            if due_from <= today <= due_until and enrolled and not reported:
                return period
        return None


# --- The facts ------------------------------------------------------------------------------------------


@register_fact
@dataclass(frozen=True)
class HoursReported(Fact):
    """Hours as first read back to the participant (before their YES)."""

    kind = "hours_reported"
    lines: tuple[dict[str, Any], ...]


@register_fact
@dataclass(frozen=True)
class HoursCorrected(Fact):
    """The participant fixed the read-back ("change monday to 7"): the whole report as it now stands."""

    kind = "hours_corrected"
    lines: tuple[dict[str, Any], ...]


@register_fact
@dataclass(frozen=True)
class HoursConfirmed(Fact):
    kind = "hours_confirmed"
    lines: tuple[dict[str, Any], ...]


@register_fact
@dataclass(frozen=True)
class HoursShort(Fact):
    """A week ended short of the requirement. Flagged for the counselor, who decides; never a sanction."""

    kind = "hours_short"
    needs_counselor = True
    week_start: date
    participated: float
    excused: float
    required: int


# --- The table ------------------------------------------------------------------------------------------


class TimesheetEntry(Base):
    __tablename__ = "timesheet_entries"
    __table_args__ = (Index("ix_timesheet_participant_day", "participant_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    #: The day of the hours; for a weekly total, the Monday of its week.
    day: Mapped[date]
    whole_week: Mapped[bool]
    activity: Mapped[Activity] = mapped_column(string_enum(Activity, 32))
    hours: Mapped[float]
    #: Set for excused hours, with the reason.
    excuse: Mapped[Excuse | None] = mapped_column(string_enum(Excuse, 16))
    state: Mapped[EntryState] = mapped_column(string_enum(EntryState, 16))
    #: The message the hours were reported in.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    #: The message that last corrected them, if any.
    corrected_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    #: The participant's YES.
    confirmed_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    reported_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]

    def line(self) -> TimesheetLine:
        return TimesheetLine(self.day, self.activity, self.hours, self.excuse, self.whole_week)


_ENTRIES = table_of(TimesheetEntry)

# Read on every message from a participant, so built once (casefile.base.table_of).
_RECORDED = Prepared(
    select(_ENTRIES.c.day, _ENTRIES.c.activity, _ENTRIES.c.hours, _ENTRIES.c.excuse, _ENTRIES.c.whole_week)
    .where(
        _ENTRIES.c.participant_id == bindparam("participant_id"),
        _ENTRIES.c.day >= bindparam("since"),
        _ENTRIES.c.state == EntryState.CONFIRMED,
    )
    .order_by(_ENTRIES.c.day)
)


def recorded_lines(session: Session, participant_id: int, since: date) -> tuple[TimesheetLine, ...]:
    rows = _RECORDED.rows(session, {"participant_id": participant_id, "since": since})
    return tuple(TimesheetLine(*row) for row in rows)


# --- Keeping the table from the facts -----------------------------------------------------------------


def _drafts(session: Session, participant_id: int) -> list[TimesheetEntry]:
    return list(
        session.scalars(
            select(TimesheetEntry).where(
                TimesheetEntry.participant_id == participant_id, TimesheetEntry.state == EntryState.DRAFT
            )
        )
    )


def _insert_drafts(session: Session, lines: Iterable[TimesheetLine], source: FactSource) -> None:
    rows = [
        {
            "participant_id": source.participant_id,
            "day": line.day,
            "whole_week": line.whole_week,
            "activity": line.activity,
            "hours": line.hours,
            "excuse": line.excuse,
            "state": EntryState.DRAFT,
            "message_id": source.message_id,
            "corrected_message_id": None,
            "confirmed_message_id": None,
            "reported_at": source.at,
            "confirmed_at": None,
        }
        for line in lines
    ]
    if rows:
        session.execute(insert(_ENTRIES), rows)


@projects(HoursReported)
def _report(session: Session, fact: HoursReported, source: FactSource) -> None:
    # A report left without a YES stays on file, marked as such, when the next one begins.
    session.execute(
        update(_ENTRIES)
        .where(_ENTRIES.c.participant_id == source.participant_id, _ENTRIES.c.state == EntryState.DRAFT)
        .values(state=EntryState.UNCONFIRMED)
    )
    _insert_drafts(session, lines_from_json(fact.lines), source)


@projects(HoursCorrected)
def _correct(session: Session, fact: HoursCorrected, source: FactSource) -> None:
    """Lines kept keep the message they were reported in; changed ones also name the correcting one."""
    wanted = {line.key: line for line in lines_from_json(fact.lines)}
    for entry in _drafts(session, source.participant_id):
        line = wanted.pop(entry.line().key, None)
        if line is None:
            session.execute(delete(_ENTRIES).where(_ENTRIES.c.id == entry.id))
        elif line.hours != entry.hours:
            session.execute(
                update(_ENTRIES)
                .where(_ENTRIES.c.id == entry.id)
                .values(hours=line.hours, corrected_message_id=source.message_id)
            )
    _insert_drafts(session, wanted.values(), source)


@projects(HoursConfirmed)
def _confirm(session: Session, fact: HoursConfirmed, source: FactSource) -> None:
    drafts = _drafts(session, source.participant_id)
    for entry in drafts:
        # The same day and activity confirmed before is replaced, not added to.
        session.execute(
            update(_ENTRIES)
            .where(
                _ENTRIES.c.participant_id == source.participant_id,
                _ENTRIES.c.state == EntryState.CONFIRMED,
                _ENTRIES.c.day == entry.day,
                _ENTRIES.c.whole_week == entry.whole_week,
                _ENTRIES.c.activity == entry.activity,
                _ENTRIES.c.excuse.is_(None) if entry.excuse is None else _ENTRIES.c.excuse == entry.excuse,
            )
            .values(state=EntryState.REPLACED)
        )
    session.execute(
        update(_ENTRIES)
        .where(_ENTRIES.c.id.in_([entry.id for entry in drafts]))
        .values(state=EntryState.CONFIRMED, confirmed_message_id=source.message_id, confirmed_at=source.at)
    )
