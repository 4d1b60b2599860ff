"""Outreach: the texts and counselor tasks the scheduler decided a participant is due, one row each.

A row is written by the sweep under a unique key (rule, occurrence, participant), so a repeated
sweep, a restart or a second process cannot queue the same outreach twice. The dispatcher turns a
due row into an outbound message (`Message.outreach_id`) or a counselor task, or settles it
without sending (skipped, cancelled) with the reason. Rows are never deleted: they are the record
of what was planned, and the facts below are the record of what happened.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, bindparam, literal, or_, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from casefile.base import Base, string_enum, table_of
from casefile.facts import Fact, record_fact, register_fact
from casefile.identifiers import outbound_problems
from casefile.people import Participant
from casefile.prepared import Prepared


class OutreachState(StrEnum):
    #: Waiting for its time (due_at), or deferred to the next allowed one.
    QUEUED = "queued"
    #: Handed on: an outbound message (messages.outreach_id) or a counselor task was made.
    DISPATCHED = "dispatched"
    #: Not sent, and not owed any more: automation paused, participant busy, no longer applies.
    SKIPPED = "skipped"
    #: Stopped: by a counselor, by an opt-out, or by the participant's reply.
    CANCELLED = "cancelled"


class OutreachKind(StrEnum):
    TEXT = "text"
    #: A prompt for the counselor (call, letter, home visit) when texts went unanswered.
    TASK = "task"


class Outreach(Base):
    __tablename__ = "outreach"
    __table_args__ = (
        # Led by what the sweep queues together (a rule's occurrence, in participant order), so that
        # its rows land side by side, not each on a random page (migration 0015).
        UniqueConstraint("rule", "occurrence", "participant_id"),
        Index("ix_outreach_due", "state", "due_at"),
        # A reply answers or cancels one participant's outreach (note_reply): a participant's rows
        # in a state. By state first, so the sweep's new (queued) rows land together too; a reader
        # of a participant's rows in any state names them all (scheduler/disengaged.py), and the
        # rule third keeps SQLite (no statistics) from reading a rule's whole run of the key instead.
        Index("ix_outreach_state_participant_rule", "state", "participant_id", "rule"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    rule: Mapped[str] = mapped_column(String(40))
    #: Which time of the rule this is: a date, a month, "1m" after exit, "<quiet since>#2".
    occurrence: Mapped[str] = mapped_column(String(40))
    kind: Mapped[OutreachKind] = mapped_column(string_enum(OutreachKind, 8))
    template: Mapped[str] = mapped_column(String(40))
    #: The earliest moment it may go; the dispatcher moves it on past quiet hours and holidays.
    due_at: Mapped[datetime]
    state: Mapped[OutreachState] = mapped_column(string_enum(OutreachState, 16))
    #: Why it was deferred, skipped or cancelled (quiet_hours, paused, opted_out, answered, ...).
    reason: Mapped[str | None] = mapped_column(String(40))
    #: A counselor's own wording, sent instead of the template.
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    state_at: Mapped[datetime]
    #: When the participant wrote back after it was sent.
    answered_at: Mapped[datetime | None]


class SchedulerLock(Base):
    """Who runs the scheduler's jobs: one holder per name, for as long as it keeps renewing."""

    __tablename__ = "scheduler_locks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime]


# --- The facts: every attempt, answered or not, for the case notes ---------------------------------


@register_fact
@dataclass(frozen=True)
class OutreachAttempt(Fact):
    """A text the service sent on its own (not a reply), or tried to: the documentation of contact
    attempts that seeds 001 and 004 require."""

    kind = "outreach_attempt"
    outreach_id: int
    rule: str
    template: str
    channel: str
    #: "sent" (the provider took it) or "failed" (with the provider's code).
    outcome: str
    code: str | None


@register_fact
@dataclass(frozen=True)
class OutreachAnswered(Fact):
    """The participant wrote back after an outreach text: a two-way contact again."""

    kind = "outreach_answered"
    outreach_id: int
    rule: str


@register_fact
@dataclass(frozen=True)
class ReengagementTask(Fact):
    """Texts went unanswered: the counselor should call, send a letter or plan a home visit."""

    kind = "reengagement_task"
    needs_counselor = True
    outreach_id: int
    attempts: int
    quiet_since: date


#: What a counselor does when texts go unanswered, as the attempts log says it.
TASK_ACTIONS = {"call": "called the participant", "letter": "sent a letter", "home_visit": "made a home visit"}


@register_fact
@dataclass(frozen=True)
class OutreachTaskDone(Fact):
    """The counselor's call, letter or home visit after unanswered texts, and what came of it: the
    attempts log of that month records it beside the texts."""

    kind = "outreach_task_done"
    action: str
    result: str
    counselor_id: int


@register_fact
@dataclass(frozen=True)
class OutreachChanged(Fact):
    """A counselor edited or cancelled a queued text, or paused automation: who, and what."""

    kind = "outreach_changed"
    counselor_id: int
    action: str
    outreach_id: int | None
    before: str | None
    after: str | None


@register_fact
@dataclass(frozen=True)
class OutreachRefused(Fact):
    """A queued text was not sent because it held an identifier (casefile.identifiers): the
    counselor sees why, and can write the text again."""

    kind = "outreach_refused"
    needs_counselor = True
    outreach_id: int
    #: outbound_problems' reasons, joined with "; ".
    reasons: str


def refuse_outreach(session: Session, row: Outreach, problems: list[str], at: datetime) -> None:
    """Settle a text the identifier guard stopped: skipped, and the counselor told why."""
    row.state, row.reason, row.state_at = OutreachState.SKIPPED, "identifier", at
    record_fact(session, OutreachRefused(row.id, "; ".join(problems)), row.participant_id, None, None, at)


_OUTREACH = table_of(Outreach)
# note_reply's statements run on every message (casefile/prepared.py).
_ANSWER = Prepared(
    update(_OUTREACH)
    .where(
        _OUTREACH.c.participant_id == bindparam("of_participant"),
        _OUTREACH.c.state == OutreachState.DISPATCHED,
        _OUTREACH.c.kind == OutreachKind.TEXT,
        _OUTREACH.c.answered_at.is_(None),
    )
    .values(answered_at=bindparam("at"))
    .returning(_OUTREACH.c.id, _OUTREACH.c.rule)
)
_PARTICIPANTS = table_of(Participant)
_HEARD = Prepared(
    update(_PARTICIPANTS)
    .where(
        _PARTICIPANTS.c.id == bindparam("of_participant"),
        # A message delivered late must not move the clock back.
        or_(_PARTICIPANTS.c.last_heard_at.is_(None), _PARTICIPANTS.c.last_heard_at < bindparam("at")),
    )
    .values(last_heard_at=bindparam("at"))
)


def note_reply(
    session: Session,
    participant_id: int,
    contact_id: int,
    message_id: int,
    at: datetime,
    stops_on_reply: frozenset[str],
    unanswered: bool,
    queued: bool,
) -> list[Fact]:
    """The participant wrote: a two-way contact. It is when they were last heard from, the outreach
    they had not answered is answered now, and what is still queued of the rules that stop on a
    reply (re-engagement) is cancelled at once. The facts of the answered outreach are returned for
    the caller to record with the message's own facts, in one INSERT (casefile.facts.record_facts).
    `unanswered` and `queued` say whether they have outreach in those states (read with them under
    the lock on their row, casefile.arrivals): an UPDATE that would find no row is not run."""
    _HEARD.rows(session, {"of_participant": participant_id, "at": at})
    answered: list[Fact] = (
        [
            OutreachAnswered(outreach_id, rule)
            for outreach_id, rule in _ANSWER.rows(session, {"of_participant": participant_id, "at": at})
        ]
        if unanswered
        else []
    )
    if stops_on_reply and queued:
        _stop_on_reply(stops_on_reply).rows(session, {"of_participant": participant_id, "at": at})
    return answered


@cache
def _stop_on_reply(rules: frozenset[str]) -> Prepared:
    """The cancelling UPDATE for this set of rules, which the service's configuration fixes."""
    return Prepared(
        update(_OUTREACH)
        .where(
            _OUTREACH.c.participant_id == bindparam("of_participant"),
            _OUTREACH.c.state == OutreachState.QUEUED,
            # Each rule its own bind: an IN list SQLAlchemy expands per call could not be compiled once.
            _OUTREACH.c.rule.in_([literal(rule) for rule in sorted(rules)]),
        )
        .values(state=OutreachState.CANCELLED, reason="answered", state_at=bindparam("at"))
    )


def cancel_queued(session: Session, participant_id: int, reason: str, at: datetime) -> int:
    """Cancel everything queued for a participant (an opt-out); the number of rows cancelled."""
    result = session.execute(
        update(Outreach)
        .where(Outreach.participant_id == participant_id, Outreach.state == OutreachState.QUEUED)
        .values(state=OutreachState.CANCELLED, reason=reason, state_at=at)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


class OutreachChangeRefused(ValueError):
    """A counselor's change that cannot be made; the message says why."""


def _own_queued(session: Session, outreach_id: int, counselor_id: int) -> Outreach:
    row = session.get(Outreach, outreach_id, with_for_update=True)
    if row is None or session.get_one(Participant, row.participant_id).counselor_id != counselor_id:
        # The same answer for "no such row" and "not on your caseload": ids do not reveal other caseloads.
        raise OutreachChangeRefused(f"no outreach {outreach_id} on your caseload")
    if row.state is not OutreachState.QUEUED or row.kind is not OutreachKind.TEXT:
        raise OutreachChangeRefused(f"outreach {outreach_id} is {row.state.value}: only a queued text can change")
    return row


def edit_queued(session: Session, outreach_id: int, counselor_id: int, text: str, at: datetime) -> Outreach:
    """Send the counselor's wording instead of the template; the change is recorded as a fact."""
    text = " ".join(text.split())
    if not text:
        raise OutreachChangeRefused("the new text is empty")
    if len(text) > 480:
        raise OutreachChangeRefused("keep it to 480 characters (three text messages)")
    row = _own_queued(session, outreach_id, counselor_id)
    # The participant was loaded by _own_queued: this is a look in the session, not a query.
    problems = outbound_problems(text, session.get_one(Participant, row.participant_id), at.date())
    if problems:
        # Said before it is saved, in words the counselor can fix it by (issue 16, item 12).
        raise OutreachChangeRefused("the text was not saved: " + "; ".join(problems))
    before, row.body, row.state_at = row.body or f"template {row.template}", text, at
    change = OutreachChanged(counselor_id, "edit", row.id, before, text)
    record_fact(session, change, row.participant_id, None, None, at)
    return row


def cancel_by_counselor(session: Session, outreach_id: int, counselor_id: int, at: datetime) -> Outreach:
    row = _own_queued(session, outreach_id, counselor_id)
    row.state, row.reason, row.state_at = OutreachState.CANCELLED, "counselor", at
    record_fact(
        session, OutreachChanged(counselor_id, "cancel", row.id, None, None), row.participant_id, None, None, at
    )
    return row


def pause_outreach(
    session: Session, participant: Participant, counselor_id: int, until: date | None, at: datetime
) -> None:
    """Pause automation for one participant up to and including `until` (None resumes it)."""
    if participant.counselor_id != counselor_id:
        raise OutreachChangeRefused("that participant is not on your caseload")
    before = participant.outreach_paused_until
    participant.outreach_paused_until = until
    change = OutreachChanged(
        counselor_id,
        "pause" if until else "resume",
        None,
        before.isoformat() if before else None,
        until.isoformat() if until else None,
    )
    record_fact(session, change, participant.id, None, None, at)
