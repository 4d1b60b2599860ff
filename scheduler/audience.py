"""Who outreach may reach at all, the tables the sweep reads, and the day arithmetic both kinds of
rule share (scheduler/sweep.py for rules counted from a date, scheduler/disengaged.py for quiet spells)."""

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Column, ColumnElement, Date, Integer, MetaData, Select, Table, bindparam, func, or_, select

from casefile.base import table_of
from casefile.goals import Goal, GoalStep
from casefile.outreach import Outreach
from casefile.people import Participant
from casefile.timesheets import TimesheetEntry
from casefile.vocabulary import ConsentState
from scheduler.rules import Rule

PARTICIPANTS = table_of(Participant)
#: The participants table again, for subqueries that pick a day's few rows on an index of their own.
ENROLLED = PARTICIPANTS.alias("by_date")
OUTREACH = table_of(Outreach)
STEPS = table_of(GoalStep)
GOALS = table_of(Goal)
ENTRIES = table_of(TimesheetEntry)

#: A pass's TEMP tables (scheduler/passes.py), each connection its own: the participants it decides
#: for when it does not decide for everyone, and the logged changes it saw.
DIRTY = Table("sweep_dirty", MetaData(), Column("participant_id", Integer, primary_key=True))
SEEN = Table("sweep_seen", MetaData(), Column("id", Integer, primary_key=True))
TEMP_TABLES = {
    dialect: [
        f"CREATE TEMP TABLE IF NOT EXISTS sweep_dirty (participant_id {key} PRIMARY KEY)",
        f"CREATE TEMP TABLE IF NOT EXISTS sweep_seen (id {key} PRIMARY KEY)",
    ]
    for dialect, key in (("sqlite", "INTEGER"), ("postgresql", "BIGINT"))
}


def who(rule: Rule, among_changed: bool = False) -> Select[Any]:
    """Participants in the zone `:zone` the rule may write to at all on `:today`: status, consent, no
    pause; `among_changed`: only those in the pass's sweep_dirty (scheduler/passes.py)."""
    p = PARTICIPANTS.c
    allowed = select(p.id).where(
        p.time_zone == bindparam("zone"),
        p.status.in_([status.value for status in rule.statuses]),
        p.consent_state != ConsentState.OPTED_OUT,
        or_(p.outreach_paused_until.is_(None), p.outreach_paused_until < bindparam("today", type_=Date)),
    )
    return allowed.where(p.id.in_(select(DIRTY.c.participant_id))) if among_changed else allowed


def quiet_since() -> ColumnElement[datetime]:
    """The participant's last two-way contact, or their enrolment if they never wrote."""
    return func.coalesce(PARTICIPANTS.c.last_heard_at, PARTICIPANTS.c.enrolled_at)


def midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)
