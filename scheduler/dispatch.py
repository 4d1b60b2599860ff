"""The dispatcher's first half: outreach rows that are due become outbound messages, or are deferred,
skipped or cancelled, each with its reason. The outbox (scheduler/outbox.py) then sends the messages.

The decision is a pure function (`decide`, scheduler/decisions.py) of the rule, what is known of the
participant and the clock. `plan_due` reads a batch of due rows, decides and makes their texts in a
read-only transaction, then writes them in short transactions (at a county's size, one long one held
SQLite's write lock for seconds and the webhook answered nobody meanwhile). Each write transaction
takes its rows again (FOR UPDATE SKIP LOCKED on PostgreSQL, SQLite's single writer elsewhere), so two
dispatchers never turn one row into two messages, and decides them again on what it reads, so a
STOP, a reply, a pause or a handoff that came in after the read counts.
"""

import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, exists, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from casefile.base import table_of
from casefile.contacts import current_contacts
from casefile.conversation import ConversationRecord, save_conversations
from casefile.database import reading
from casefile.facts import record_fact
from casefile.handoffs import Handoff
from casefile.messages import Message
from casefile.outreach import Outreach, OutreachKind, OutreachState, ReengagementTask, refuse_outreach
from casefile.people import Participant
from casefile.prepared import Prepared
from casefile.vocabulary import Direction, MessageStatus
from conversations.model import IDLE_FLOW, IDLE_STEP
from conversations.rendering import MessageRenderer
from scheduler.composing import Composed, addressees, compose
from scheduler.decisions import Action, Decision, Recipient, decide
from scheduler.rules import Rule
from scheduler.timing import Calendar
from scheduler.turns import locked_transaction

#: At most this many rows are written in one transaction: on SQLite every other writer (the
#: webhook) waits for the one write lock while it runs (issue 19: no job may hold it over ~50 ms).
#: Each transaction takes as many rows as the one before it would have fitted in WRITE_BUDGET.
WRITE_ROWS = 100
WRITE_BUDGET = 0.010
#: Fewer rows than this would not shorten a transaction: its few reads cost about as much.
WRITE_ROWS_LEAST = 10


class Plan(NamedTuple):
    """A due row as the read-only pass saw it: what it decided, and the text it made to send."""

    outreach_id: int
    action: Action
    #: The row's body and template as read: a counselor's edit since then means a new text.
    body: str | None
    template: str
    text: Composed | None


def plan_due(
    sessions: sessionmaker[Session],
    rules: Mapping[str, Rule],
    calendar: Calendar,
    renderer: MessageRenderer,
    now: datetime,
    batch: int = 500,
    rows_per_commit: int = WRITE_ROWS,
) -> Counter[str]:
    """Decide one batch of due outreach; how many rows went each way (send, defer, skip, ...).

    Deciding and making the texts only read, so they run without SQLite's write lock; the rows are
    then written in short transactions (`write_plans`) that decide each row again on what they
    read themselves, so that a STOP, a reply or a handoff that came in meanwhile counts."""
    with reading(sessions) as session:
        plans = read_plans(session, rules, calendar, renderer, now, batch)
    return write_plans(sessions, plans, rules, calendar, renderer, now, rows_per_commit)


def read_plans(
    session: Session,
    rules: Mapping[str, Rule],
    calendar: Calendar,
    renderer: MessageRenderer,
    now: datetime,
    batch: int = 500,
) -> list[Plan]:
    """The due rows, oldest first, each with its decision and, if it is to be sent, its text."""
    due: list[_Due] = list(session.execute(_DUE, {"now": now, "batch": batch}))
    decided = list(_decided(session, due, rules, calendar, now))
    participants = addressees(session, {row.participant_id for row, d in decided if d.action is Action.SEND})
    plans = []
    for row, decision in decided:
        text = None
        if decision.action is Action.SEND:
            text = compose(session, row, participants[row.participant_id], rules[row.rule], renderer, now)
        plans.append(Plan(row.id, decision.action, row.body, row.template, text))
    return plans


def write_plans(
    sessions: sessionmaker[Session],
    plans: Sequence[Plan],
    rules: Mapping[str, Rule],
    calendar: Calendar,
    renderer: MessageRenderer,
    now: datetime,
    rows_per_commit: int = WRITE_ROWS,
) -> Counter[str]:
    """Write the plans in short transactions; how many rows went each way.

    Each transaction takes its rows again if they are still queued and due (FOR UPDATE SKIP LOCKED
    on PostgreSQL, so two dispatchers never both take one; SQLite's single writer elsewhere) and
    decides them again. Each row's change and its message commit together, so a process killed
    between transactions leaves the rest queued, whole, for the next pass."""
    decided: Counter[str] = Counter()
    pending, size = list(plans), rows_per_commit
    least = min(WRITE_ROWS_LEAST, rows_per_commit)
    while pending:
        some, pending = pending[:size], pending[size:]
        started = time.thread_time()
        with locked_transaction(sessions) as session:
            _write_some(session, some, rules, calendar, renderer, now, decided)
        # A transaction's statements are a fixed few for all its rows, so its work grows with its
        # rows, a little less than in step: the next one takes the rows this one's pace fits in the
        # budget. (Halving and doubling instead left it at 50 rows for 5.0-5.5 ms, its fixed part a
        # quarter of its work, where 100 took 8.6-9.3 ms.) Its own CPU time is what it weighs: time
        # spent waiting for a core or the GIL (a loaded machine, a busy webhook) is not shortened
        # by taking fewer rows.
        work = time.thread_time() - started
        fits = int(len(some) * WRITE_BUDGET / work) if work > 0 else rows_per_commit
        size = max(least, min(rows_per_commit, fits))
    return decided


class _Due(Protocol):
    """An outreach row as a write transaction reads it (the columns it needs)."""

    id: int
    participant_id: int
    rule: str
    kind: OutreachKind
    template: str
    body: str | None
    occurrence: str
    created_at: datetime
    due_at: datetime


_OUTREACH = table_of(Outreach)
_DUE_COLUMNS = (
    _OUTREACH.c.id,
    _OUTREACH.c.participant_id,
    _OUTREACH.c.rule,
    _OUTREACH.c.kind,
    _OUTREACH.c.template,
    _OUTREACH.c.body,
    _OUTREACH.c.occurrence,
    _OUTREACH.c.created_at,
    _OUTREACH.c.due_at,
)
#: The read-only pass's batch: plain rows of the columns a decision and a text need (as ORM
#: objects they cost the pass a quarter of its time).
_DUE = (
    select(*_DUE_COLUMNS)
    .where(_OUTREACH.c.state == OutreachState.QUEUED, _OUTREACH.c.due_at <= bindparam("now"))
    .order_by(_OUTREACH.c.due_at, _OUTREACH.c.id)
    .limit(bindparam("batch"))
)
_STILL_DUE = (
    select(*_DUE_COLUMNS)
    .where(
        _OUTREACH.c.id.in_(bindparam("ids", expanding=True)),
        _OUTREACH.c.state == OutreachState.QUEUED,
        _OUTREACH.c.due_at <= bindparam("now"),
    )
    .with_for_update(skip_locked=True)
)
#: Run on the driver's cursor (casefile/prepared.py): an executemany through the session spent
#: more in SQLAlchemy's handling of each row's parameters than in SQLite.
_DECIDED = Prepared(
    update(_OUTREACH)
    .where(_OUTREACH.c.id == bindparam("outreach_id"))
    .values(
        state=bindparam("to_state"),
        reason=bindparam("to_reason"),
        state_at=bindparam("at"),
        due_at=bindparam("to_due_at"),
    )
)
_SETTLED = {
    Action.SEND: OutreachState.DISPATCHED,
    Action.TASK: OutreachState.DISPATCHED,
    Action.DEFER: OutreachState.QUEUED,
    Action.SKIP: OutreachState.SKIPPED,
    Action.CANCEL: OutreachState.CANCELLED,
}


def _write_some(
    session: Session,
    plans: Sequence[Plan],
    rules: Mapping[str, Rule],
    calendar: Calendar,
    renderer: MessageRenderer,
    now: datetime,
    decided: Counter[str],
) -> None:
    """Write these plans in the session's transaction, in a few statements for them all: the rows
    taken again and decided again (five reads), then their new states, their texts, contacts and
    conversations (one statement each, a few more for a quiet participant's new contact)."""
    still_due = {
        row.id: row for row in session.execute(_STILL_DUE, {"ids": [plan.outreach_id for plan in plans], "now": now})
    }
    # Rows another dispatcher took, or that changed state since the read (a reply cancelled them),
    # are left as they are.
    mine = [plan for plan in plans if plan.outreach_id in still_due]
    rows: list[_Due] = [still_due[plan.outreach_id] for plan in mine]
    settled: list[dict[str, object]] = []
    texts: list[tuple[_Due, Composed]] = []
    for plan, (row, decision) in zip(mine, _decided(session, rows, rules, calendar, now), strict=True):
        decided[decision.action] += 1
        if decision.action is Action.SEND:
            text = plan.text if _unchanged(plan, row, decision) else None
            # Decided otherwise, or edited, since the read: made here (rarely).
            text = text or compose(
                session,
                row,
                addressees(session, [row.participant_id])[row.participant_id],
                rules[row.rule],
                renderer,
                now,
            )
            if text.problems:
                refuse_outreach(session, session.get_one(Outreach, row.id), list(text.problems), now)
                continue
            texts.append((row, text))
        elif decision.action is Action.TASK:
            _counselor_task(session, row, rules[row.rule], now)
        settled.append(
            {
                "outreach_id": row.id,
                "to_state": _SETTLED[decision.action],
                "to_reason": decision.reason,
                "at": now,
                "to_due_at": decision.until if decision.action is Action.DEFER else row.due_at,
            }
        )
    if settled:
        _DECIDED.run_many(session, settled)
    _insert_texts(session, texts, now)


def _unchanged(plan: Plan, row: _Due, decision: Decision) -> bool:
    """Whether the text the read-only pass made is still the one to send."""
    return decision.action is plan.action and (row.body, row.template) == (plan.body, plan.template)


_PARTICIPANTS = table_of(Participant)
_CONVERSATIONS = table_of(ConversationRecord)
_HANDOFFS = table_of(Handoff)
_MESSAGES = table_of(Message)
#: What a decision needs of each participant of a batch, in one statement: their row, when their
#: conversation last moved if they are in one, whether a handoff is open, and their last outreach
#: text since `since`.
_RECIPIENTS = select(
    _PARTICIPANTS.c.id,
    _PARTICIPANTS.c.consent_state,
    _PARTICIPANTS.c.status,
    _PARTICIPANTS.c.time_zone,
    _PARTICIPANTS.c.outreach_paused_until,
    _PARTICIPANTS.c.last_heard_at,
    select(_CONVERSATIONS.c.updated_at)
    .where(_CONVERSATIONS.c.participant_id == _PARTICIPANTS.c.id, _CONVERSATIONS.c.flow != IDLE_FLOW)
    .scalar_subquery()
    .label("conversation_at"),
    exists()
    .where(_HANDOFFS.c.participant_id == _PARTICIPANTS.c.id, _HANDOFFS.c.closed_at.is_(None))
    .label("handed_off"),
    select(func.max(_MESSAGES.c.created_at))
    .where(
        _MESSAGES.c.participant_id == _PARTICIPANTS.c.id,
        _MESSAGES.c.outreach_id.is_not(None),
        _MESSAGES.c.created_at >= bindparam("since"),
    )
    .scalar_subquery()
    .label("texted_at"),
).where(_PARTICIPANTS.c.id.in_(bindparam("participants", expanding=True)))


def _decided(
    session: Session,
    rows: Sequence[_Due],
    rules: Mapping[str, Rule],
    calendar: Calendar,
    now: datetime,
) -> Iterator[tuple[_Due, Decision]]:
    """Each row with its decision, on what the session reads now (a few queries for all the rows,
    of the few columns a decision needs). A text decided counts for the participant's later rows:
    one a day."""
    known = {
        recipient.id: recipient
        for recipient in session.execute(
            _RECIPIENTS,
            # A local day starts at most 25 hours before now: older texts cannot be today's.
            {"participants": list({row.participant_id for row in rows}), "since": now - timedelta(days=2)},
        )
    }
    last_texted = {id_: recipient.texted_at for id_, recipient in known.items() if recipient.texted_at is not None}
    # A county's participants live in a time zone or two: each one's day start is worked out once.
    day_starts: dict[str, datetime] = {}
    for row in rows:
        read = known[row.participant_id]
        day_start = day_starts.get(read.time_zone)
        if day_start is None:
            day_start = day_starts[read.time_zone] = _day_start(now, read.time_zone)
        texted = last_texted.get(row.participant_id)
        recipient = Recipient(
            consent=read.consent_state,
            status=read.status,
            time_zone=read.time_zone,
            paused_until=read.outreach_paused_until,
            last_heard_at=read.last_heard_at,
            conversation_at=read.conversation_at,
            texted_today=texted is not None and texted >= day_start,
            handed_off=read.handed_off,
        )
        decision = decide(rules.get(row.rule), row.kind, row.created_at, recipient, calendar, now)
        if decision.action is Action.SEND:
            last_texted[row.participant_id] = now
        yield row, decision


def _day_start(now: datetime, time_zone: str) -> datetime:
    """Midnight of `now`'s day where the participant lives."""
    return now.astimezone(ZoneInfo(time_zone)).replace(hour=0, minute=0, second=0, microsecond=0)


#: Every column but the keys and the server's defaults, as casefile/prepared.py asks.
_ADD_TEXTS = Prepared(insert(_MESSAGES))


def _insert_texts(session: Session, texts: Sequence[tuple[_Due, Composed]], now: datetime) -> None:
    """The batch's texts, each in its recipient's contact (one statement for all the messages,
    a few for all the contacts); and their recipients' conversations left idle: the reply will be
    about this text, and a flow left hours ago (not busy, or it would wait) would read "1" or "yes"
    as an answer to its own old question."""
    if not texts:
        return
    channels = {row.participant_id: text.channel for row, text in texts}
    contacts = current_contacts(session, channels, now, opened_by="outreach")
    _ADD_TEXTS.run_many(
        session,
        [
            {
                "participant_id": row.participant_id,
                "contact_id": contacts[row.participant_id],
                "direction": Direction.OUTBOUND,
                "channel": text.channel,
                "address": text.address,
                "body": text.body,
                "media": [],
                "status": MessageStatus.QUEUED,
                "outreach_id": row.id,
                "created_at": now,
                "status_at": now,
            }
            for row, text in texts
        ],
    )
    save_conversations(session, list(channels), IDLE_FLOW, IDLE_STEP, now)


def _counselor_task(session: Session, row: _Due, rule: Rule, now: datetime) -> None:
    episode = datetime.strptime(row.occurrence.split("#")[0], "%Y%m%dT%H%M%S")
    attempts = session.scalar(
        select(func.count(Outreach.id)).where(
            Outreach.participant_id == row.participant_id,
            Outreach.rule == row.rule,
            Outreach.kind == OutreachKind.TEXT,
            Outreach.state == OutreachState.DISPATCHED,
            Outreach.occurrence.startswith(row.occurrence.split("#")[0]),
        )
    )
    task = ReengagementTask(outreach_id=row.id, attempts=int(attempts or 0), quiet_since=episode.date())
    record_fact(session, task, row.participant_id, None, None, now)
