"""Who a message comes from, read as processing it needs them: in one statement, under the lock on
their row.

Each message read its participant (with counselor and conversation), then their open contacts, then
their open handoff, then their active goal and its steps: four statements where one does, at about 15 us each of Python and driver beside
SQLite's own few (bench/webhook.py, issue 19). Read after the lock, the contacts and the handoff are
the ones the message before committed (casefile.people: on PostgreSQL the lock is a statement of
its own).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, literal, select
from sqlalchemy.orm import Session

from casefile.base import table_of
from casefile.contacts import Contact
from casefile.goals import Goal, GoalPlan, GoalStep, PlannedStep
from casefile.handoffs import Handoff, HandoffReason, OpenHandoff
from casefile.outreach import Outreach, OutreachKind, OutreachState
from casefile.people import (
    CORRESPONDENT,
    CORRESPONDENT_COLUMNS,
    Correspondent,
    Participant,
    correspondent_from,
    lock_participant,
)
from casefile.prepared import Prepared
from casefile.vocabulary import GoalStatus, StepStatus


@dataclass(frozen=True)
class Sender:
    participant: Correspondent
    #: Their open contacts (id, last message at), for casefile.contacts.contact_of.
    open_contacts: tuple[tuple[int, datetime], ...]
    handoff: OpenHandoff | None
    #: Their active goal and its steps in plan order (casefile.goals), None if they have none.
    goal: GoalPlan | None
    #: Whether an outreach text they were sent is still unanswered, and whether any outreach is
    #: queued for them: casefile.outreach.note_reply writes only what a reply changes.
    unanswered_outreach: bool
    queued_outreach: bool


_PARTICIPANTS = table_of(Participant)
_CONTACTS = table_of(Contact)
_HANDOFFS = table_of(Handoff)
_OUTREACH = table_of(Outreach)
_GOALS = table_of(Goal)
_STEPS = table_of(GoalStep)
# At most one handoff is open and one goal active per participant (unique indexes), so a
# participant's rows are one for each open contact (almost always one or none) and step of their
# goal (a few), in the steps' order.
_SENDER = (
    CORRESPONDENT.add_columns(
        _HANDOFFS.c.id,
        _HANDOFFS.c.reason,
        _HANDOFFS.c.contact_id,
        _HANDOFFS.c.resources_contact_id,
        # Two index lookups inside this statement, where an UPDATE each (one of them rarely
        # changing anything) cost a message two statements (issue 19). A LIMIT, not EXISTS:
        # PostgreSQL may hash an EXISTS, reading every participant's queued rows for this one.
        select(literal(True))
        .where(
            _OUTREACH.c.state == OutreachState.DISPATCHED,
            _OUTREACH.c.participant_id == _PARTICIPANTS.c.id,
            _OUTREACH.c.kind == OutreachKind.TEXT,
            _OUTREACH.c.answered_at.is_(None),
        )
        .limit(1)
        .scalar_subquery()
        .label("unanswered_outreach"),
        select(literal(True))
        .where(_OUTREACH.c.state == OutreachState.QUEUED, _OUTREACH.c.participant_id == _PARTICIPANTS.c.id)
        .limit(1)
        .scalar_subquery()
        .label("queued_outreach"),
        _GOALS.c.id,
        _GOALS.c.words,
        _GOALS.c.details,
        _GOALS.c.measure,
        _GOALS.c.target_date,
        # What differs from row to row comes last (Prepared's `same_leading`).
        _CONTACTS.c.id,
        _CONTACTS.c.last_message_at,
        _STEPS.c.id,
        _STEPS.c.text,
        _STEPS.c.due_date,
        _STEPS.c.status,
    )
    .outerjoin(_CONTACTS, and_(_CONTACTS.c.participant_id == _PARTICIPANTS.c.id, _CONTACTS.c.closed_at.is_(None)))
    .outerjoin(_HANDOFFS, and_(_HANDOFFS.c.participant_id == _PARTICIPANTS.c.id, _HANDOFFS.c.closed_at.is_(None)))
    .outerjoin(_GOALS, and_(_GOALS.c.participant_id == _PARTICIPANTS.c.id, _GOALS.c.status == GoalStatus.ACTIVE))
    .outerjoin(_STEPS, _STEPS.c.goal_id == _GOALS.c.id)
    .order_by(_STEPS.c.position)
)
#: Where the columns of the participant, their handoff, outreach and goal end, and those of a contact
#: and a step begin.
_HANDOFF, _GOAL, _CONTACT, _STEP = (CORRESPONDENT_COLUMNS + offset for offset in (0, 6, 11, 13))
_BY_PHONE = Prepared(_SENDER.where(_PARTICIPANTS.c.phone == bindparam("phone")), same_leading=_CONTACT)
_BY_ID = Prepared(_SENDER.where(_PARTICIPANTS.c.id == bindparam("participant_id")), same_leading=_CONTACT)


def sender_by_phone(session: Session, phone: str) -> Sender | None:
    """The participant with this phone, their row locked so that one person's messages queue."""
    locked = lock_participant(session, phone=phone)
    if locked is not None:
        return _sender(_BY_ID.rows(session, {"participant_id": locked}))
    return _sender(_BY_PHONE.rows(session, {"phone": phone}))


def sender_by_id(session: Session, participant_id: int) -> Sender | None:
    """The participant a linked address (a Telegram chat) belongs to, their row locked."""
    return _sender(_BY_ID.rows(session, {"participant_id": lock_participant(session, participant_id=participant_id)}))


def _sender(rows: list[tuple[Any, ...]]) -> Sender | None:
    if not rows:
        return None
    first = rows[0]
    handoff_id, reason, contact_id, resources_contact_id, unanswered, queued = first[_HANDOFF:_GOAL]
    goal_id, words, details, measure, target = first[_GOAL:_CONTACT]
    # Each contact is on a row for each step, and each step on a row for each contact.
    contacts = dict.fromkeys((row[_CONTACT], row[_CONTACT + 1]) for row in rows if row[_CONTACT] is not None)
    steps = dict.fromkeys(
        PlannedStep(step_id, text, due_date, status is StepStatus.DONE)
        for step_id, text, due_date, status in (row[_STEP:] for row in rows)
        if step_id is not None
    )
    return Sender(
        correspondent_from(first),
        tuple(contacts),
        OpenHandoff(handoff_id, HandoffReason(reason), contact_id, resources_contact_id)
        if handoff_id is not None
        else None,
        GoalPlan(goal_id, words, details, measure, target, tuple(steps)) if goal_id is not None else None,
        unanswered is not None,
        queued is not None,
    )
