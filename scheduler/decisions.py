"""What the dispatcher does with one due outreach row: send it now, or why not (defer, skip, cancel),
or hand it to the counselor as a task. A pure function of the rule, what is known of the
participant and the clock; scheduler/dispatch.py reads what it needs and writes what it decides.
"""

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo

from casefile.contacts import DEFAULT_QUIET_SPELL
from casefile.outreach import OutreachKind
from casefile.vocabulary import ConsentState, ProgrammeStatus
from scheduler.rules import Anchor, Busy, Rule, Unit
from scheduler.timing import Calendar

#: How long to wait before trying again when the participant is mid-conversation.
BUSY_RETRY = timedelta(minutes=30)


class Action(StrEnum):
    SEND = "send"
    TASK = "task"
    DEFER = "defer"
    SKIP = "skip"
    CANCEL = "cancel"


class Decision(NamedTuple):
    action: Action
    reason: str | None = None
    #: For DEFER: the new due time.
    until: datetime | None = None


class Recipient(NamedTuple):
    """What the decision needs to know of the participant at sending time."""

    consent: ConsentState
    status: ProgrammeStatus
    time_zone: str
    paused_until: date | None
    last_heard_at: datetime | None
    #: When their conversation last moved, if they are in one (None when idle).
    conversation_at: datetime | None
    #: Whether an outreach text already went to them today (their local day).
    texted_today: bool
    #: A person is answering them (an open handoff): scheduled texts wait, as mid-conversation.
    handed_off: bool = False


def decide(
    rule: Rule | None, kind: OutreachKind, created_at: datetime, recipient: Recipient, calendar: Calendar, now: datetime
) -> Decision:
    """Send now, or why not. Hard limits first (consent, status, pause), then timing."""
    if rule is None:
        return Decision(Action.SKIP, "rule_removed")
    if recipient.consent is ConsentState.OPTED_OUT:
        return Decision(Action.CANCEL, "opted_out")
    if recipient.status not in rule.statuses:
        return Decision(Action.SKIP, "status_changed")
    zone = ZoneInfo(recipient.time_zone)
    if recipient.paused_until is not None and recipient.paused_until >= now.astimezone(zone).date():
        return Decision(Action.SKIP, "paused")
    if rule.stop_on_reply and recipient.last_heard_at is not None and recipient.last_heard_at > created_at:
        return Decision(Action.CANCEL, "answered")
    if rule.relative_to is Anchor.ENROLLED and recipient.last_heard_at is not None:
        return Decision(Action.SKIP, "in_touch")  # they wrote first: the welcome has happened
    if kind is OutreachKind.TASK:
        return Decision(Action.TASK)
    business_days = rule.unit is Unit.BUSINESS_DAYS
    if not calendar.is_allowed(now, zone, business_days):
        return Decision(Action.DEFER, "quiet_hours", calendar.next_allowed(now, zone, business_days))
    if recipient.handed_off:
        if rule.busy is Busy.SKIP:
            return Decision(Action.SKIP, "handoff")
        return Decision(Action.DEFER, "handoff", now + BUSY_RETRY)
    if recipient.conversation_at is not None and now - recipient.conversation_at < DEFAULT_QUIET_SPELL:
        if rule.busy is Busy.SKIP:
            return Decision(Action.SKIP, "busy")
        return Decision(Action.DEFER, "busy", now + BUSY_RETRY)
    if recipient.texted_today:
        # One outreach text a day at most: the rest wait for tomorrow's allowed hours.
        tomorrow = now.astimezone(zone).replace(hour=23, minute=59) + timedelta(minutes=1)
        return Decision(Action.DEFER, "one_a_day", calendar.next_allowed(tomorrow, zone, business_days))
    return Decision(Action.SEND)
