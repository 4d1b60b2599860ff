"""A sweep's pass: everyone (a whole pass), or only whose situation changed or a moment crossed.

A whole pass decides every rule for everyone. It runs at start-up (the first pass of this process
on a database), when the last whole pass is a day old, when asked (`waypoint sweep --full`), and
in a zone whenever its local day has changed since the last pass (a pause ends, a day's rules
begin). Between whole passes, a pass decides for everyone only what has come due since the last
finished pass (a rule's hour on a day), and otherwise only for the participants in TEMP table
`sweep_dirty`: those whose rows the database logged as changed (casefile/sweeps.py: triggers on
every table the decisions read) and those a moment crossed since the last pass, found by ranges on
indexes (scheduler/passes.py `_crossed`). What neither changed nor was crossed was owed nothing
unqueued after the last pass, and still is not.

A pass that stops half-way (a kill, a shutdown) records nothing: the next starts from the last
finished pass and the same logged changes, which it deletes only once it has finished. The
outbox's unique key (rule, occurrence, participant) keeps a pass done twice from queuing twice.
"""

import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, Select, bindparam, delete, func, insert, select, union

from casefile.base import table_of
from casefile.database import READ_ONLY
from casefile.outreach import OutreachState
from casefile.sweeps import SweepChange, SweepPass
from scheduler.audience import DIRTY, OUTREACH, PARTICIPANTS, SEEN, TEMP_TABLES
from scheduler.rules import Anchor, Rule

_P, _O = PARTICIPANTS, OUTREACH
_CHANGES, _PASSES = table_of(SweepChange), table_of(SweepPass)

#: A whole pass at least this often, whatever the logged changes say.
WHOLE_EVERY = timedelta(days=1)
#: Logged changes deleted a transaction: SQLite has one writer, and every message waits for it.
DELETE_BATCH = 2000
#: Finished passes kept, for a look at the sweep's recent history.
PASSES_KEPT = timedelta(days=7)

#: The engines this process has swept whole: the first pass of a process is always whole.
_swept_whole: "weakref.WeakSet[Engine]" = weakref.WeakSet()


@dataclass(frozen=True)
class SweepPlan:
    """What this pass decides for whom."""

    now: datetime
    #: The moment the last finished pass decided for; None: everyone is decided again.
    since: datetime | None
    #: The lowest and highest id of the logged changes this pass saw (sweep_seen), or None.
    seen: tuple[int, int] | None = None

    def since_in(self, zone: ZoneInfo) -> datetime | None:
        """Up to when the zone's participants were decided whole; None when all are decided again (a
        whole pass, or a new local day since: rules count days, and a pause ends at midnight)."""
        if self.since is None or self.since.astimezone(zone).date() != self.now.astimezone(zone).date():
            return None
        return self.since

    def among_changed(self, zone: ZoneInfo, due_at: datetime) -> bool:
        """Whether what came due at `due_at` is decided only for sweep_dirty: it was decided for
        everyone by an earlier pass, in this zone's same day."""
        since = self.since_in(zone)
        return since is not None and due_at <= since


def plan_pass(connection: Connection, rules: tuple[Rule, ...], now: datetime, whole: bool | None) -> SweepPlan:
    """Read the last finished pass and the logged changes (in a read-only transaction) and say whom
    this pass decides for; the changes seen are kept in TEMP table sweep_seen for `finish_pass`.
    `whole`: True, everyone; None, everyone on this process's first pass of the database."""
    dialect = connection.dialect.name
    whole = whole or (whole is None and connection.engine not in _swept_whole)
    connection.execution_options(**{READ_ONLY: True})
    with connection.begin():
        for create in TEMP_TABLES[dialect]:
            connection.exec_driver_sql(create)
        connection.execute(delete(SEEN))
        connection.execute(delete(DIRTY))
        connection.execute(insert(SEEN).from_select(["id"], select(_CHANGES.c.id)))
        first_seen, last_seen = connection.execute(select(func.min(SEEN.c.id), func.max(SEEN.c.id))).one()
        seen = (first_seen, last_seen) if first_seen is not None else None
        last = connection.execute(select(_PASSES.c.swept_at).order_by(_PASSES.c.id.desc()).limit(1)).scalar()
        last_whole = connection.execute(select(func.max(_PASSES.c.swept_at)).where(_PASSES.c.full)).scalar()
        if whole or last is None or last_whole is None or last_whole <= now - WHOLE_EVERY:
            plan = SweepPlan(now, None, seen)
        else:
            plan = SweepPlan(now, last, seen)
            changed = select(_CHANGES.c.participant_id).where(_CHANGES.c.id.in_(select(SEEN.c.id)))
            crossed = _crossed(rules, last, now)
            connection.execute(insert(DIRTY).from_select(["participant_id"], union(changed, *crossed)))
    connection.execution_options(**{READ_ONLY: False})
    return plan


def finish_pass(connection: Connection, plan: SweepPlan) -> None:
    """Record the pass as finished, then delete the changes it saw, a short write at a time."""
    connection.execution_options(**{READ_ONLY: False})
    with connection.begin():
        connection.execute(insert(_PASSES).values(swept_at=plan.now, full=plan.since is None))
        connection.execute(delete(_PASSES).where(_PASSES.c.swept_at < plan.now - PASSES_KEPT))
    if plan.since is None:
        _swept_whole.add(connection.engine)
    first, last = plan.seen or (0, -1)
    for start in range(first, last + 1, DELETE_BATCH):
        seen = select(SEEN.c.id).where(SEEN.c.id.between(start, start + DELETE_BATCH - 1))
        with connection.begin():
            connection.execute(delete(_CHANGES).where(_CHANGES.c.id.in_(seen)))


def _crossed(rules: tuple[Rule, ...], since: datetime, now: datetime) -> list[Select[tuple[int]]]:
    """Who a moment between `since` and `now` may have made owed a text with nothing of theirs
    changed: each a range on an index, as wide as the time between the passes (both ends in, to
    be sure). Only re-engagement counts from moments other than a day's (which the zones' days and
    the rules' hours cover, `SweepPlan`): quiet for 7 or `quiet_days` days; a check-in sent a day
    ago (a missed one); the last text of a sequence sent a gap (less a day) ago, or a task's delay.
    The next text of a sequence itself is due at the rule's hour, a pass that crosses it decides for
    the whole zone."""
    check_in_rules = [rule.name for rule in rules if rule.relative_to is Anchor.CHECK_IN_DAY]
    crossed: list[Select[tuple[int]]] = []
    for rule in rules:
        if rule.relative_to is not Anchor.QUIET_SINCE:
            continue
        ago = {timedelta(days=7), timedelta(days=rule.quiet_days)}
        for days in sorted(ago):
            crossed += _went_quiet(since - days, now - days)
        crossed.append(_settled_between(check_in_rules, since - timedelta(days=1), now - timedelta(days=1)))
        settled = {timedelta(days=gap - 1) for gap in rule.gaps}
        if rule.task_after:
            settled.add(timedelta(days=rule.task_delay_days))
        crossed += [_settled_between([rule.name], since - days, now - days) for days in sorted(settled)]
    return crossed


def _went_quiet(low: datetime, high: datetime) -> list[Select[tuple[int]]]:
    """Whose last contact (or enrolment, if they never wrote) is between low and high."""
    moment = _P.c.last_heard_at.type
    low_bound, high_bound = bindparam(None, low, type_=moment), bindparam(None, high, type_=moment)
    return [
        select(_P.c.id).where(_P.c.last_heard_at.between(low_bound, high_bound)),
        select(_P.c.id).where(_P.c.enrolled_at.between(low_bound, high_bound), _P.c.last_heard_at.is_(None)),
    ]


def _settled_between(rule_names: list[str], low: datetime, high: datetime) -> Select[tuple[int]]:
    """Whose outreach of these rules was sent or settled between low and high."""
    moment = _O.c.state_at.type
    return select(_O.c.participant_id).where(
        _O.c.rule.in_(rule_names),
        _O.c.state_at.between(bindparam(None, low, type_=moment), bindparam(None, high, type_=moment)),
        # As the index says (casefile/sweeps.py): what is still queued has not been sent.
        _O.c.state != OutreachState.QUEUED,
    )
