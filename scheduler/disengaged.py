"""Re-engagement: a sequence of texts counted from each participant's last two-way contact.

Attempt 1 goes as soon as a participant counts as disengaged, then one after each gap, until they
write; a counselor task after the rule's `task_after` attempts. The next attempt falls on the local
day `gap` days after the last one, which only the participant's zone can tell (daylight saving
moves the hour): SQL bounds who may be due, and the exact day of those few is worked out here.
Attempt 1, the bulk (everyone who has just gone quiet), is due today at the rule's hour: that
SQL decides and queues alone (`first_attempts`). Both come from one read of the zone's quiet
participants and their outreach of the rule (`decide_episodes`): each quiet participant's history
is walked once a pass, not once for attempt 1 and again for the later ones.
"""

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    bindparam,
    case,
    delete,
    false,
    func,
    insert,
    or_,
    select,
)

from casefile.outreach import OutreachKind, OutreachState
from scheduler.audience import OUTREACH, PARTICIPANTS, midnight, quiet_since, who
from scheduler.rules import Rule
from scheduler.timing import local_moment

_P, _O = PARTICIPANTS, OUTREACH

#: The zone's quiet participants one read found owed something of the rule (`decide_episodes`):
#: attempt 1 (nothing of the rule yet this quiet spell, `reached` 0) or maybe a later step. A TEMP
#: table, each connection its own, so deciding holds no write lock (scheduler/queueing.py).
EPISODES = Table(
    "sweep_episodes",
    MetaData(),
    Column("participant_id", Integer, primary_key=True),
    Column("quiet_since", _P.c.enrolled_at.type, nullable=False),
    Column("reached", Integer, nullable=False),
    Column("texts", Integer, nullable=False),
    Column("sent", Integer, nullable=False),
    Column("tasks", Integer, nullable=False),
    Column("last_at", _O.c.state_at.type),
)
_CREATE_EPISODES = {
    dialect: f"CREATE TEMP TABLE IF NOT EXISTS sweep_episodes (participant_id {key} PRIMARY KEY, "
    f"quiet_since {moment} NOT NULL, reached INTEGER NOT NULL, texts INTEGER NOT NULL, sent INTEGER NOT NULL, "
    f"tasks INTEGER NOT NULL, last_at {moment})"
    for dialect, key, moment in (
        ("sqlite", "INTEGER", "DATETIME"),
        ("postgresql", "BIGINT", "TIMESTAMP WITHOUT TIME ZONE"),
    )
}


def first_attempt_due_at(rule: Rule, zone: ZoneInfo, now: datetime) -> datetime:
    """When attempt 1 is due today in this zone: the rule's hour on the local clock, or now."""
    return local_moment(now.astimezone(zone).date(), rule.hour, zone) if rule.hour is not None else now


def decide_episodes(
    connection: Connection,
    rule: Rule,
    zone_name: str,
    now: datetime,
    check_in_rules: tuple[str, ...],
    first_due: bool,
    among_changed: bool = False,
) -> list[dict[str, Any]]:
    """In one read of the zone's quiet participants and their outreach of this rule since they went
    quiet: who is owed attempt 1 (when `first_due`: its hour has come), kept in EPISODES for
    `first_attempts` to queue in SQL; and the later attempts and the counselor's task owed, as rows:
    one after each gap from the last attempt, until they write (which starts a new quiet spell, so a
    new key); a task after `task_after`. Those are few a day, whose due day is worked out here. Run
    in the caller's read-only transaction. `among_changed`: only for the pass's sweep_dirty
    (scheduler/passes.py)."""
    zone = ZoneInfo(zone_name)
    today = now.astimezone(zone).date()
    connection.exec_driver_sql(_CREATE_EPISODES[connection.dialect.name])
    connection.execute(delete(EPISODES))
    owed = _episodes(rule, now, check_in_rules, first_due, among_changed)
    connection.execute(
        insert(EPISODES).from_select([column.name for column in EPISODES.c], owed), {"zone": zone_name, "today": today}
    )
    due_at = first_attempt_due_at(rule, zone, now)
    return [
        row
        for candidate in connection.execute(select(EPISODES).where(EPISODES.c.reached > 0))
        for row in _next_in_sequence(rule, candidate, zone, now, due_at)
    ]


def first_attempts(dialect: str) -> Select[Any]:
    """Who `decide_episodes` found owed attempt 1, with its occurrence and the bound `:due_at`."""
    occurrence = _EPISODE[dialect](EPISODES.c.quiet_since).concat("#1")
    return select(EPISODES.c.participant_id, occurrence, bindparam("due_at", type_=_O.c.due_at.type)).where(
        EPISODES.c.reached == 0
    )


#: The quiet spell's key, as Python writes it for later attempts (`_next_in_sequence`): the UTC
#: moment of the last contact, to the second.
_EPISODE: dict[str, Callable[[ColumnElement[datetime]], ColumnElement[str]]] = {
    "sqlite": lambda moment: func.strftime("%Y%m%dT%H%M%S", moment, type_=String),
    "postgresql": lambda moment: func.to_char(moment, 'YYYYMMDD"T"HH24MISS', type_=String),
}


def _episodes(
    rule: Rule, now: datetime, check_in_rules: tuple[str, ...], first_due: bool, among_changed: bool
) -> Select[Any]:
    """The zone's (`:zone`) quiet participants with their outreach of this rule since they went
    quiet, counted; kept: who counts as disengaged and has had nothing of it yet (attempt 1, when
    `first_due`), and who has had some, nothing still queued, and whose next step may be due."""
    quiet = quiet_since()
    reached = func.count(_O.c.id)
    is_text = _O.c.kind == OutreachKind.TEXT
    pending = func.count(_O.c.id).filter(_O.c.state == OutreachState.QUEUED)
    texts = func.count(_O.c.id).filter(is_text)
    sent = func.count(_O.c.id).filter(is_text, _O.c.state == OutreachState.DISPATCHED)
    tasks = func.count(_O.c.id).filter(_O.c.kind == OutreachKind.TASK)
    last_at = func.max(case((is_text, _O.c.state_at)))
    # AND evaluates its right side only when its left holds: the missed check-ins are counted for
    # those with nothing of the rule yet, not for everyone in a sequence.
    first = and_(reached == 0, _disengaged(rule, now, check_in_rules)) if first_due else false()
    later = and_(reached > 0, pending == 0, _next_step_may_be_due(rule, texts, sent, tasks, last_at, now))
    return (
        who(rule, among_changed)
        .with_only_columns(_P.c.id, quiet, reached, texts, sent, tasks, last_at)
        # Written as an outer join so that SQLite keeps the participants outside and finds each
        # one's rows by index, rather than reading every row of the rule in the county through the
        # outbox's key (rule, occurrence, participant_id); who has none is counted 0.
        .outerjoin(_O, _this_episode(rule))
        # Anyone owed anything has been quiet a week: attempt 1 needs that (`_disengaged`), and a
        # later step an attempt since they went quiet that counted them disengaged then, and still
        # does (both tests only grow with the quiet spell). A bound the zone's index answers.
        .where(quiet < now - timedelta(days=7))
        .group_by(_P.c.id, quiet)
        .having(or_(first, later))
    )


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
        "participant_id": candidate.participant_id,
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
