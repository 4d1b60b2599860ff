"""The sweep: who is due for outreach now, found with set-based queries and queued under a unique key.

For each rule and each time zone participants live in, the dates that make the rule due today are
worked out in Python (a handful), and one SELECT per date, in a read-only transaction, finds
everyone behind it not queued yet; their rows are inserted with ON CONFLICT DO NOTHING in short
write transactions, so the one SQLite writer is never held for the seconds deciding takes. A row is
queued only once its moment has come (its hour on the participant's clock), so the query that
decides who is due runs at that moment, with the latest facts. Sweeping twice, after a restart, or
from two processes at once inserts nothing new: the key (participant, rule, occurrence) is unique.
"""

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, sessionmaker

from casefile.base import UPSERT_INSERTS, dialect_of, table_of
from casefile.database import reading
from casefile.goals import Goal, GoalStep
from casefile.outreach import Outreach, OutreachKind, OutreachState
from casefile.people import Participant
from casefile.timesheets import TimesheetEntry, period_of
from casefile.vocabulary import ConsentState, EntryState, GoalStatus, ReportingPeriod, StepStatus
from scheduler.rules import Anchor, Rule, Unit
from scheduler.timing import Calendar, add_months, local_moment

_P = table_of(Participant)
#: The participants table again, for subqueries that pick a day's few rows on an index of their own.
_ENROLLED = _P.alias("by_date")
_O = table_of(Outreach)
_STEPS = table_of(GoalStep)
_GOALS = table_of(Goal)
_ENTRIES = table_of(TimesheetEntry)
# The ids of the rows inserted are returned to count them: rows that conflicted are not returned.
_QUEUE = {
    name: upsert(_O).on_conflict_do_nothing(index_elements=["participant_id", "rule", "occurrence"])
    for name, upsert in UPSERT_INSERTS.items()
}


#: Rows queued per write transaction: SQLite has one writer, and every message waits for it
#: (at 100k participants 500 rows held it 70 ms, up to 270 ms: bench/jobs.py).
WRITE_BATCH = 100


def sweep(
    sessions: sessionmaker[Session],
    rules: tuple[Rule, ...],
    calendar: Calendar,
    now: datetime,
    stopping: Callable[[], bool] = lambda: False,
) -> Counter[str]:
    """Queue every outreach that is due at `now`; the number of rows queued, by rule. `stopping` is
    asked before each rule and zone: a service shutting down leaves the rest to its next sweep.

    Who is due is decided in a read-only transaction per rule and zone, which on SQLite holds no
    write lock (over a county, deciding takes seconds: bench/jobs.py); the rows are then inserted
    in short write transactions. A reply or an opt-out in between is what a sweep a moment earlier
    would have missed too: the dispatcher checks consent and conversation at send time."""
    with reading(sessions) as session:
        zones = session.scalars(select(_P.c.time_zone).distinct()).all()
    check_in_rules = [rule.name for rule in rules if rule.relative_to is Anchor.CHECK_IN_DAY]
    queued: Counter[str] = Counter()
    for rule in rules:
        for zone in zones:
            if stopping():
                return queued
            with reading(sessions) as session:
                if rule.relative_to is Anchor.QUIET_SINCE:
                    rows = _due_disengaged(session, rule, zone, now, check_in_rules)
                else:
                    rows = _due_dated(session, rule, zone, calendar, now)
            queued[rule.name] += _queue(sessions, rows)
    return queued


def _queue(sessions: sessionmaker[Session], rows: list[dict[str, Any]]) -> int:
    """Insert the rows under their unique key, a short transaction a batch; the number inserted."""
    inserted = 0
    for start in range(0, len(rows), WRITE_BATCH):
        with sessions.begin() as session:
            statement = _QUEUE[dialect_of(session)].returning(_O.c.id)
            inserted += len(session.execute(statement, rows[start : start + WRITE_BATCH]).all())
    return inserted


# --- Rules counted from a date ----------------------------------------------------------------


def _due_dated(session: Session, rule: Rule, zone_name: str, calendar: Calendar, now: datetime) -> list[dict[str, Any]]:
    """The rows a rule counted from a date owes this zone now, not queued yet."""
    zone = ZoneInfo(zone_name)
    today = now.astimezone(zone).date()
    due: list[dict[str, Any]] = []
    for offset in rule.offsets:
        for due_day in _days(today - timedelta(days=rule.late_days), today):
            if rule.unit is Unit.BUSINESS_DAYS and not calendar.is_business_day(due_day):
                continue
            due_at = local_moment(due_day, rule.hour, zone) if rule.hour is not None else _midnight(due_day, zone)
            if due_at > now:
                continue
            for anchor in anchors_due_on(rule, offset, due_day, calendar):
                values = _anchor_values(rule, anchor, zone, now)
                if values is None:
                    continue
                ending = tuple(values.pop("ending", ()))
                occurrence = f"{anchor.isoformat()}+{offset}"
                values |= {"zone": zone_name, "today": today, "occurrence": occurrence}
                row = {
                    "rule": rule.name,
                    "occurrence": occurrence,
                    "kind": OutreachKind.TEXT,
                    "template": rule.template_for(1),
                    "due_at": due_at,
                    "state": OutreachState.QUEUED,
                    "created_at": now,
                    "state_at": now,
                }
                owed = session.scalars(_dated_statement(rule, ending), values)
                due += [row | {"participant_id": participant_id} for participant_id in owed]
    return due


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


def _who(rule: Rule) -> Select[Any]:
    """Participants in the zone `:zone` the rule may write to at all on `:today`: status, consent, no pause."""
    return select(_P.c.id).where(
        _P.c.time_zone == bindparam("zone"),
        _P.c.status.in_([status.value for status in rule.statuses]),
        _P.c.consent_state != ConsentState.OPTED_OUT,
        or_(_P.c.outreach_paused_until.is_(None), _P.c.outreach_paused_until < bindparam("today", type_=Date)),
    )


@cache
def _dated_statement(rule: Rule, ending: tuple[ReportingPeriod, ...]) -> Select[Any]:
    """Who a dated rule owes a text for one anchor and has not queued it yet, built once per rule
    (and, for hours, per set of periods ending): a sweep runs hundreds of them, and building one
    cost several times what SQLite takes to run it (bench/sweep.py)."""
    queued = exists().where(
        _O.c.participant_id == _P.c.id,
        _O.c.rule == rule.name,
        _O.c.occurrence == bindparam("occurrence", type_=String),
    )
    return _who(rule).where(_anchored(rule, ending), ~queued)


def _anchor_values(rule: Rule, anchor: date, zone: ZoneInfo, now: datetime) -> dict[str, Any] | None:
    """The values `_anchored` binds for this anchor; None when nobody can be due on it."""
    day_starts = _midnight(anchor, zone)
    match rule.relative_to:
        case Anchor.ENROLLED:
            return {"day_starts": day_starts, "next_day_starts": _midnight(anchor + timedelta(days=1), zone)}
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
            enrolled_before = _midnight(anchor - timedelta(days=2), zone)
            return starts | {"ending": ending, "anchor": anchor, "enrolled_before": enrolled_before}
        case Anchor.MONTH_START:
            return {"day_starts": day_starts} if anchor.day == 1 else None
    raise ValueError(f"{rule.relative_to} is not counted from a date")


def _anchored(rule: Rule, ending: tuple[ReportingPeriod, ...]) -> ColumnElement[bool]:
    """Whose date of this rule's kind is the anchor (`_anchor_values` gives the values)."""
    match rule.relative_to:
        case Anchor.ENROLLED:
            # As a subquery on the enrolment index: the day's few enrolments, not the whole zone.
            enrolled = _ENROLLED.c
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
                _quiet_since() >= bindparam("heard_since", type_=_P.c.enrolled_at.type),
            )
        case Anchor.STEP_DUE:
            # Driven from the day's steps rather than probing every participant's goals.
            return _P.c.id.in_(
                select(_GOALS.c.participant_id)
                .join(_STEPS, _STEPS.c.goal_id == _GOALS.c.id)
                .where(
                    _GOALS.c.status == GoalStatus.ACTIVE,
                    _STEPS.c.status == StepStatus.PENDING,
                    _STEPS.c.due_date == bindparam("anchor", type_=Date),
                )
            )
        case Anchor.PERIOD_END:
            return _hours_missing(ending)
        case Anchor.MONTH_START:
            return _P.c.enrolled_at < bindparam("day_starts", type_=_P.c.enrolled_at.type)
        case Anchor.EXITED:
            return _P.c.id.in_(select(_ENROLLED.c.id).where(_ENROLLED.c.exited_on == bindparam("anchor", type_=Date)))
    raise ValueError(f"{rule.relative_to} is not counted from a date")


def _hours_missing(ending: tuple[ReportingPeriod, ...]) -> ColumnElement[bool]:
    """Participants whose reporting period (of a kind in `ending`) ends on `:anchor` with no hours
    confirmed for it, and who were enrolled before the report fell due (HoursPlan.report_due asks the same)."""
    return and_(
        _P.c.enrolled_at < bindparam("enrolled_before", type_=_P.c.enrolled_at.type),
        or_(
            *(
                and_(
                    _P.c.reporting_period == kind,
                    ~exists().where(
                        _ENTRIES.c.participant_id == _P.c.id,
                        _ENTRIES.c.state == EntryState.CONFIRMED,
                        _ENTRIES.c.day.between(
                            bindparam(f"start_{kind.value}", type_=Date), bindparam("anchor", type_=Date)
                        ),
                    ),
                )
                for kind in ending
            )
        ),
    )


# --- Disengaged: a sequence counted from the last two-way contact --------------------------------


def _quiet_since() -> ColumnElement[datetime]:
    return func.coalesce(_P.c.last_heard_at, _P.c.enrolled_at)


def _due_disengaged(
    session: Session, rule: Rule, zone_name: str, now: datetime, check_in_rules: list[str]
) -> list[dict[str, Any]]:
    """Attempt 1 as soon as a participant counts as disengaged, then one after each gap, until they
    write (which starts a new quiet spell, so a new key); a counselor task after `task_after`."""
    zone = ZoneInfo(zone_name)
    today = now.astimezone(zone).date()
    due_at = local_moment(today, rule.hour, zone) if rule.hour is not None else now
    quiet_since = _quiet_since()
    check_ins = _O.alias("check_ins")
    missed = (
        select(func.count())
        .where(
            check_ins.c.participant_id == _P.c.id,
            check_ins.c.rule.in_(check_in_rules),
            # "Not any other state" rather than "= dispatched": an equality here lets SQLite (without
            # statistics) pick the (state, due_at) index and scan every sent text per participant.
            check_ins.c.state.not_in([OutreachState.QUEUED, OutreachState.SKIPPED, OutreachState.CANCELLED]),
            check_ins.c.created_at > quiet_since,
            # A check-in sent today has not been missed yet.
            check_ins.c.created_at < now - timedelta(days=1),
        )
        .correlate(_P)
        .scalar_subquery()
    )
    this_episode = and_(_O.c.participant_id == _P.c.id, _O.c.rule == rule.name, _O.c.created_at > quiet_since)
    is_text = _O.c.kind == OutreachKind.TEXT
    pending = func.count(_O.c.id).filter(_O.c.state == OutreachState.QUEUED)
    texts = func.count(_O.c.id).filter(is_text)
    sent = func.count(_O.c.id).filter(is_text, _O.c.state == OutreachState.DISPATCHED)
    tasks = func.count(_O.c.id).filter(_O.c.kind == OutreachKind.TASK)
    last_at = func.max(case((is_text, _O.c.state_at)))
    candidates = (
        _who(rule)
        .with_only_columns(
            _P.c.id,
            quiet_since.label("quiet_since"),
            texts.label("texts"),
            sent.label("sent"),
            tasks.label("tasks"),
            last_at.label("last_at"),
        )
        .outerjoin(_O, this_episode)
        .where(
            # Two weekly check-ins cannot both be missed in under a week: that bound keeps the
            # correlated count to the few who have been quiet that long.
            quiet_since < now - timedelta(days=7),
            or_(quiet_since < now - timedelta(days=rule.quiet_days), missed >= rule.missed_check_ins),
        )
        .group_by(_P.c.id, quiet_since)
        .having(pending == 0, _next_step_may_be_due(rule, texts, sent, tasks, last_at, now))
    )
    return [
        row
        for candidate in session.execute(candidates, {"zone": zone_name, "today": today})
        for row in _next_in_sequence(rule, candidate, zone, now, due_at)
    ]


def _next_step_may_be_due(
    rule: Rule,
    texts: ColumnElement[int],
    sent: ColumnElement[int],
    tasks: ColumnElement[int],
    last_at: ColumnElement[datetime],
    now: datetime,
) -> ColumnElement[bool]:
    """A bound in SQL on whose next step can be due, so that only those few come back for the exact
    local-day arithmetic of `_next_in_sequence`, not everyone midway through a two-week gap. The next
    text is due on the local day `gap` days after the last one, so never sooner than `gap - 1` days
    after it."""

    def waited(days: int) -> ColumnElement[bool]:
        return last_at <= now - timedelta(days=days)

    steps = [texts == 0]
    steps += [and_(texts == attempt, waited(gap - 1)) for attempt, gap in enumerate(rule.gaps[:-1], start=1)]
    steps.append(and_(texts >= len(rule.gaps), waited(rule.gaps[-1] - 1)))
    if rule.task_after:
        steps.append(and_(sent >= rule.task_after, tasks == 0, waited(rule.task_delay_days)))
    return or_(*steps)


def _next_in_sequence(
    rule: Rule, candidate: Any, zone: ZoneInfo, now: datetime, due_at: datetime
) -> Iterator[dict[str, Any]]:
    episode = candidate.quiet_since.strftime("%Y%m%dT%H%M%S")
    row = {
        "participant_id": candidate.id,
        "rule": rule.name,
        "state": OutreachState.QUEUED,
        "created_at": now,
        "state_at": now,
    }
    if rule.task_after and candidate.sent >= rule.task_after and not candidate.tasks:
        if candidate.last_at + timedelta(days=rule.task_delay_days) <= now:
            yield row | {
                "occurrence": f"{episode}#task",
                "kind": OutreachKind.TASK,
                "template": "reengagement_task",
                "due_at": now,
            }
    attempt = candidate.texts + 1
    if candidate.texts:
        last_day = candidate.last_at.astimezone(zone).date()
        next_day = last_day + timedelta(days=rule.gap_after(candidate.texts))
        due_at = local_moment(next_day, rule.hour, zone) if rule.hour is not None else _midnight(next_day, zone)
    if due_at <= now:
        yield row | {
            "occurrence": f"{episode}#{attempt}",
            "kind": OutreachKind.TEXT,
            "template": rule.template_for(attempt),
            "due_at": due_at,
        }


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)
