"""Re-engagement: a sequence of texts counted from each participant's last two-way contact.

Attempt 1 goes as soon as a participant counts as disengaged, then one after each gap, until they
write; a counselor task after the rule's `task_after` attempts. The next attempt falls on the local
day `gap` days after the last one, which only the participant's zone can tell (daylight saving
moves the hour): SQL bounds who may be due, and the exact day of those few is worked out here.
Attempt 1, the bulk (everyone who has just gone quiet), is due today at the rule's hour: that
SQL decides and queues alone (`owed_first_attempt`).
"""

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, Select, String, and_, bindparam, case, exists, func, or_, select

from casefile.outreach import OutreachKind, OutreachState
from scheduler.audience import OUTREACH, PARTICIPANTS, midnight, quiet_since, who
from scheduler.queueing import Owed
from scheduler.rules import Rule
from scheduler.timing import local_moment

_P, _O = PARTICIPANTS, OUTREACH


def first_attempt_due_at(rule: Rule, zone: ZoneInfo, now: datetime) -> datetime:
    """When attempt 1 is due today in this zone: the rule's hour on the local clock, or now."""
    return local_moment(now.astimezone(zone).date(), rule.hour, zone) if rule.hour is not None else now


def owed_first_attempt(rule: Rule, now: datetime, check_in_rules: tuple[str, ...], among_changed: bool = False) -> Owed:
    """Who in `:zone` counts as disengaged and has had nothing of this rule since they went quiet,
    with the occurrence of their attempt 1: decided in SQL and queued whole (scheduler/queueing.py).
    `among_changed`: only for the pass's sweep_dirty (scheduler/passes.py)."""

    def owed(dialect: str) -> Select[Any]:
        occurrence = _EPISODE[dialect](quiet_since()).concat("#1")
        never_reached = ~exists().where(_this_episode(rule))
        owed = who(rule, among_changed).where(_disengaged(rule, now, check_in_rules), never_reached)
        return owed.add_columns(occurrence, bindparam("due_at", type_=_O.c.due_at.type))

    return owed


#: The quiet spell's key, as Python writes it for later attempts (`_next_in_sequence`): the UTC
#: moment of the last contact, to the second.
_EPISODE: dict[str, Callable[[ColumnElement[datetime]], ColumnElement[str]]] = {
    "sqlite": lambda moment: func.strftime("%Y%m%dT%H%M%S", moment, type_=String),
    "postgresql": lambda moment: func.to_char(moment, 'YYYYMMDD"T"HH24MISS', type_=String),
}


def due_disengaged(
    connection: Connection, rule: Rule, zone_name: str, now: datetime, among_changed: bool = False
) -> list[dict[str, Any]]:
    """The later attempts and the counselor's task owed in this zone, as rows: one after each gap
    from the last attempt, until they write (which starts a new quiet spell, so a new key); a task
    after `task_after`. Only those already in a sequence: few a day, whose due day is worked out here.
    `among_changed`: only for the pass's sweep_dirty (scheduler/passes.py)."""
    zone = ZoneInfo(zone_name)
    today = now.astimezone(zone).date()
    quiet = quiet_since()
    is_text = _O.c.kind == OutreachKind.TEXT
    pending = func.count(_O.c.id).filter(_O.c.state == OutreachState.QUEUED)
    texts = func.count(_O.c.id).filter(is_text)
    sent = func.count(_O.c.id).filter(is_text, _O.c.state == OutreachState.DISPATCHED)
    tasks = func.count(_O.c.id).filter(_O.c.kind == OutreachKind.TASK)
    last_at = func.max(case((is_text, _O.c.state_at)))
    candidates = (
        who(rule, among_changed)
        .with_only_columns(
            _P.c.id,
            quiet.label("quiet_since"),
            texts.label("texts"),
            sent.label("sent"),
            tasks.label("tasks"),
            last_at.label("last_at"),
        )
        # Only who has had something of this rule (the HAVING below): who has had nothing yet is
        # owed attempt 1 (owed_first_attempt). Written as an outer join so that SQLite keeps the
        # participants outside and finds each one's rows by index, rather than reading every row
        # of the rule in the county through the outbox's key (rule, occurrence, participant_id).
        .outerjoin(_O, _this_episode(rule))
        # Who has had an attempt since they went quiet counted as disengaged then, and still does
        # (both tests only grow with the quiet spell): what remains is a bound the zone's index
        # answers, not the missed check-ins counted again for each of them.
        .where(quiet < now - timedelta(days=7))
        .group_by(_P.c.id, quiet)
        .having(func.count(_O.c.id) > 0, pending == 0, _next_step_may_be_due(rule, texts, sent, tasks, last_at, now))
    )
    due_at = first_attempt_due_at(rule, zone, now)
    return [
        row
        for candidate in connection.execute(candidates, {"zone": zone_name, "today": today})
        for row in _next_in_sequence(rule, candidate, zone, now, due_at)
    ]


def _this_episode(rule: Rule) -> ColumnElement[bool]:
    """The participant's outreach of this rule since their quiet spell began."""
    return and_(
        # Every state, named: a participant's rows are found by the index (state, participant_id).
        _O.c.state.in_(list(OutreachState)),
        _O.c.participant_id == _P.c.id,
        _O.c.rule == rule.name,
        _O.c.created_at > quiet_since(),
    )


def _disengaged(rule: Rule, now: datetime, check_in_rules: tuple[str, ...]) -> ColumnElement[bool]:
    """Quiet for `quiet_days`, or `missed_check_ins` check-ins in a row left unanswered."""
    quiet = quiet_since()
    check_ins = _O.alias("check_ins")
    missed = (
        select(func.count())
        .where(
            check_ins.c.participant_id == _P.c.id,
            check_ins.c.rule.in_(check_in_rules),
            # The participant's sent ones, by the index (state, participant_id).
            check_ins.c.state == OutreachState.DISPATCHED,
            check_ins.c.created_at > quiet,
            # A check-in sent in the last day has not been missed yet (when it was sent: a range on
            # an index finds those a day old since the last pass, scheduler/passes.py).
            check_ins.c.state_at < now - timedelta(days=1),
        )
        .correlate(_P)
        .scalar_subquery()
    )
    return and_(
        # Two weekly check-ins cannot both be missed in under a week: that bound keeps the
        # correlated count to the few who have been quiet that long.
        quiet < now - timedelta(days=7),
        or_(quiet < now - timedelta(days=rule.quiet_days), missed >= rule.missed_check_ins),
    )


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
        due_at = local_moment(next_day, rule.hour, zone) if rule.hour is not None else midnight(next_day, zone)
    if due_at <= now:
        yield row | {
            "occurrence": f"{episode}#{attempt}",
            "kind": OutreachKind.TEXT,
            "template": rule.template_for(attempt),
            "due_at": due_at,
        }
