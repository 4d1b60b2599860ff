"""The sweep: who is due for outreach now, decided in SQL and queued under a unique key.

For each rule and each time zone participants live in, the dates that make the rule due today are
worked out in Python (a handful). For each date one `INSERT … SELECT` decides who is owed a text
and has not had it queued, and scheduler/queueing.py queues them without passing a participant's
row through Python and without holding SQLite's one writer while deciding. A row is queued only
once its moment has come (its hour on the participant's clock), so the query that decides who is
due runs at that moment, with the latest facts. Sweeping twice, after a restart, or from two
processes at once inserts nothing new: the key (rule, occurrence, participant) is unique.
Re-engagement is counted from each participant's own last contact (scheduler/disengaged.py): its
first attempt is decided in SQL the same way; the later ones, few a day, whose day is on the
participant's own calendar, come back to Python. Between whole passes, a pass decides for
everyone only what came due since the last one, and the rest only for the participants whose rows
changed or whom a moment crossed since (scheduler/passes.py): a steady pass at 1M costs what the
few changed cost, not the county.
"""

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, sessionmaker

from casefile.database import READ_ONLY
from casefile.timesheets import period_of
from casefile.vocabulary import EntryState, GoalStatus, ReportingPeriod, StepStatus
from scheduler.audience import ENROLLED, ENTRIES, GOALS, OUTREACH, PARTICIPANTS, STEPS, midnight, quiet_since, who
from scheduler.disengaged import decide_episodes, first_attempt_due_at, first_attempts
from scheduler.passes import SweepPlan, finish_pass, plan_pass
from scheduler.queueing import Owed, engine_of, queue_owed, queue_rows
from scheduler.rules import Anchor, Rule, Unit
from scheduler.timing import Calendar, add_months, local_moment

_P, _O = PARTICIPANTS, OUTREACH


def _zones_lived_in() -> Select[Any]:
    """The time zones participants live in, one index seek each (a loose index scan): DISTINCT
    would read the whole index, a million entries in a large county, for a handful of values."""
    zone = _P.c.time_zone
    zones = select(func.min(zone).label("zone")).cte("zones", recursive=True)
    following = select(select(func.min(zone)).where(zone > zones.c.zone).scalar_subquery())
    zones = zones.union_all(following.where(zones.c.zone.is_not(None)))
    return select(zones.c.zone).where(zones.c.zone.is_not(None))


_ZONES = _zones_lived_in()


def sweep(
    sessions: sessionmaker[Session],
    rules: tuple[Rule, ...],
    calendar: Calendar,
    now: datetime,
    stopping: Callable[[], bool] = lambda: False,
    whole: bool | None = None,
) -> Counter[str]:
    """Queue every outreach that is due at `now`; the number of rows queued, by rule. `stopping` is
    asked before each rule and zone: a service shutting down leaves the rest to its next pass.
    `whole`: True decides for everyone; None (a service's passes) too on this process's first pass
    of the database; False only when the last finished pass does not allow less (scheduler/passes.py).

    Who is owed is decided in SQL, per rule and zone, and queued without holding SQLite's one
    writer while deciding (scheduler/queueing.py). A reply or an opt-out in between is what a sweep
    a moment earlier would have missed too: the dispatcher checks consent and conversation at send time."""
    with engine_of(sessions).connect() as connection:
        plan = plan_pass(connection, rules, now, whole)
        connection.execution_options(**{READ_ONLY: True})
        with connection.begin():
            zones = connection.scalars(_ZONES).all()
        connection.execution_options(**{READ_ONLY: False})
        check_in_rules = tuple(rule.name for rule in rules if rule.relative_to is Anchor.CHECK_IN_DAY)
        queued: Counter[str] = Counter()
        for rule in rules:
            for zone in zones:
                if stopping():
                    return queued
                if rule.relative_to is Anchor.QUIET_SINCE:
                    queued[rule.name] += _queue_disengaged(connection, sessions, rule, zone, plan, check_in_rules)
                    continue
                owed = [
                    (_owed_on_date(rule, ending, plan.among_changed(ZoneInfo(zone), values["due_at"])), values)
                    for ending, values in _owed_dates(rule, zone, calendar, now)
                ]
                queued[rule.name] += queue_owed(connection, rule, owed, now)
        finish_pass(connection, plan)
    return queued


def _queue_disengaged(
    connection: Connection,
    sessions: sessionmaker[Session],
    rule: Rule,
    zone: str,
    plan: SweepPlan,
    check_in_rules: tuple[str, ...],
) -> int:
    """Queue attempt 1 of re-engagement for everyone in the zone who has just counted as disengaged,
    then the later attempts and tasks due, both decided in one read-only transaction
    (scheduler/disengaged.py). Both are counted from today's hour of the rule: before it, for
    everyone; after it, for those whose situation changed or a moment crossed."""
    now = plan.now
    due_at = first_attempt_due_at(rule, ZoneInfo(zone), now)
    among_changed = plan.among_changed(ZoneInfo(zone), due_at)
    first_due = due_at <= now
    connection.execution_options(**{READ_ONLY: True})
    with connection.begin():
        rows = decide_episodes(connection, rule, zone, now, check_in_rules, first_due, among_changed)
    connection.execution_options(**{READ_ONLY: False})
    queued = 0
    if first_due:
        values = {"due_at": due_at}
        queued += queue_owed(connection, rule, [(first_attempts, values)], now)
    return queued + queue_rows(sessions, rows)


# --- Rules counted from a date ----------------------------------------------------------------


def _owed_dates(
    rule: Rule, zone_name: str, calendar: Calendar, now: datetime
) -> Iterator[tuple[tuple[ReportingPeriod, ...], dict[str, Any]]]:
    """For each date a rule counted from a date owes this zone a text for now: the periods of hours
    ending on it (for hours rules) and the values its statements bind."""
    zone = ZoneInfo(zone_name)
    today = now.astimezone(zone).date()
    for offset in rule.offsets:
        for due_day in _days(today - timedelta(days=rule.late_days), today):
            if rule.unit is Unit.BUSINESS_DAYS and not calendar.is_business_day(due_day):
                continue
            due_at = local_moment(due_day, rule.hour, zone) if rule.hour is not None else midnight(due_day, zone)
            if due_at > now:
                continue
            for anchor in anchors_due_on(rule, offset, due_day, calendar):
                values = _anchor_values(rule, anchor, zone, now)
                if values is None:
                    continue
                ending = tuple(values.pop("ending", ()))
                occurrence = f"{anchor.isoformat()}+{offset}"
                yield (
                    ending,
                    values
                    | {
                        "zone": zone_name,
                        "today": today,
                        "occurrence": occurrence,
                        "due_at": due_at,
                        "now": now,
                    },
                )


def anchors_due_on(rule: Rule, offset: int, due_day: date, calendar: Calendar) -> list[date]:
    """The dates that, `offset` units later, fall on `due_day`: one for days; for months several
    month ends may land on one day (29, 30, 31 Jan + 1 month = 28 Feb); for business days a weekend
    and the Monday after land on the same business day."""
    if rule.unit is Unit.DAYS:
        return [due_day - timedelta(days=offset)]
    if rule.unit is Unit.MONTHS:
        first = add_months(due_day, -offset) - timedelta(days=3)
        candidates = _days(first, first + timedelta(days=6))
        return [day for day in candidates if add_months(day, offset) == due_day]
    candidates = _days(due_day - timedelta(days=offset * 2 + 14), due_day)
    return [day for day in candidates if calendar.add_business_days(day, offset) == due_day]


@cache
def _dated_statement(rule: Rule, ending: tuple[ReportingPeriod, ...], among_changed: bool) -> Select[Any]:
    """Who a dated rule owes a text for one anchor and has not queued it yet, built once per rule
    (and, for hours, per set of periods ending): a sweep runs hundreds of them, and building one
    cost several times what SQLite takes to run it (bench/sweep.py)."""
    queued = exists().where(
        _O.c.participant_id == _P.c.id,
        _O.c.rule == rule.name,
        _O.c.occurrence == bindparam("occurrence", type_=String),
    )
    return who(rule, among_changed).where(_anchored(rule, ending), ~queued)


def _owed_on_date(rule: Rule, ending: tuple[ReportingPeriod, ...], among_changed: bool) -> Owed:
    """Everyone a dated rule owes a text for one anchor, with its occurrence and moment (bound);
    `among_changed`: only those in the pass's sweep_dirty (scheduler/passes.py)."""
    return lambda dialect: _dated_statement(rule, ending, among_changed).add_columns(
        bindparam("occurrence", type_=String), bindparam("due_at", type_=_O.c.due_at.type)
    )


def _anchor_values(rule: Rule, anchor: date, zone: ZoneInfo, now: datetime) -> dict[str, Any] | None:
    """The values `_anchored` binds for this anchor; None when nobody can be due on it."""
    day_starts = midnight(anchor, zone)
    match rule.relative_to:
        case Anchor.ENROLLED:
            return {"day_starts": day_starts, "next_day_starts": midnight(anchor + timedelta(days=1), zone)}
        case Anchor.CHECK_IN_DAY:
            heard_since = now - timedelta(days=rule.quiet_days)
            return {"weekday": anchor.weekday(), "day_starts": day_starts, "heard_since": heard_since}
        case Anchor.STEP_DUE | Anchor.EXITED:
            return {"anchor": anchor}
        case Anchor.PERIOD_END:
            ending = [kind for kind in ReportingPeriod if period_of(anchor, kind).end == anchor]
            if not ending:
                return None
            starts = {f"start_{kind.value}": period_of(anchor, kind).start for kind in ending}
            enrolled_before = midnight(anchor - timedelta(days=2), zone)
            return starts | {"ending": ending, "anchor": anchor, "enrolled_before": enrolled_before}
        case Anchor.MONTH_START:
            return {"day_starts": day_starts} if anchor.day == 1 else None
    raise ValueError(f"{rule.relative_to} is not counted from a date")


def _anchored(rule: Rule, ending: tuple[ReportingPeriod, ...]) -> ColumnElement[bool]:
    """Whose date of this rule's kind is the anchor (`_anchor_values` gives the values)."""
    match rule.relative_to:
        case Anchor.ENROLLED:
            # As a subquery on the enrolment index: the day's few enrolments, not the whole zone.
            enrolled = ENROLLED.c
            return _P.c.id.in_(
                select(enrolled.id).where(
                    enrolled.enrolled_at >= bindparam("day_starts", type_=_P.c.enrolled_at.type),
                    enrolled.enrolled_at < bindparam("next_day_starts", type_=_P.c.enrolled_at.type),
                    enrolled.last_heard_at.is_(None),
                )
            )
        case Anchor.CHECK_IN_DAY:
            return and_(
                _P.c.check_in_day == bindparam("weekday", type_=Integer),
                _P.c.enrolled_at < bindparam("day_starts", type_=_P.c.enrolled_at.type),
                # The quiet ones are the re-engagement rule's: a check-in on top would be one text too many.
                quiet_since() >= bindparam("heard_since", type_=_P.c.enrolled_at.type),
            )
        case Anchor.STEP_DUE:
            # Driven from the day's steps rather than probing every participant's goals.
            return _P.c.id.in_(
                select(GOALS.c.participant_id)
                .join(STEPS, STEPS.c.goal_id == GOALS.c.id)
                .where(
                    GOALS.c.status == GoalStatus.ACTIVE,
                    STEPS.c.status == StepStatus.PENDING,
                    STEPS.c.due_date == bindparam("anchor", type_=Date),
                )
            )
        case Anchor.PERIOD_END:
            return _hours_missing(ending)
        case Anchor.MONTH_START:
            return _P.c.enrolled_at < bindparam("day_starts", type_=_P.c.enrolled_at.type)
        case Anchor.EXITED:
            return _P.c.id.in_(select(ENROLLED.c.id).where(ENROLLED.c.exited_on == bindparam("anchor", type_=Date)))
    raise ValueError(f"{rule.relative_to} is not counted from a date")


def _hours_missing(ending: tuple[ReportingPeriod, ...]) -> ColumnElement[bool]:
    """Participants whose reporting period (of a kind in `ending`) ends on `:anchor` with no hours
    confirmed for it, and who were enrolled before the report fell due (HoursPlan.report_due asks the same)."""
    return and_(
        # Said once more as a list: the zone's index then reads only the kinds of period ending.
        _P.c.reporting_period.in_(ending),
        _P.c.enrolled_at < bindparam("enrolled_before", type_=_P.c.enrolled_at.type),
        or_(
            *(
                and_(
                    _P.c.reporting_period == kind,
                    ~exists().where(
                        ENTRIES.c.participant_id == _P.c.id,
                        ENTRIES.c.state == EntryState.CONFIRMED,
                        ENTRIES.c.day.between(
                            bindparam(f"start_{kind.value}", type_=Date), bindparam("anchor", type_=Date)
                        ),
                    ),
                )
                for kind in ending
            )
        ),
    )


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
