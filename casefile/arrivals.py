"""Who a message comes from, read as processing it needs them: in one statement, under the lock on
their row.

Each message read its participant (with counselor and conversation), then their open contacts, then
their open handoff: three statements where one does, at about 15 us each of Python and driver beside
SQLite's own few (bench/webhook.py, issue 19). Read after the lock, the contacts and the handoff are
the ones the message before committed (casefile.people: on PostgreSQL the lock is a statement of
its own).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, exists
from sqlalchemy.orm import Session

from casefile.base import table_of
from casefile.contacts import Contact
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


@dataclass(frozen=True)
class Sender:
    participant: Correspondent
    #: Their open contacts (id, last message at), for casefile.contacts.contact_of.
    open_contacts: tuple[tuple[int, datetime], ...]
    handoff: OpenHandoff | None
    #: Whether an outreach text they were sent is still unanswered, and whether any outreach is
    #: queued for them: casefile.outreach.note_reply writes only what a reply changes.
    unanswered_outreach: bool
    queued_outreach: bool


_PARTICIPANTS = table_of(Participant)
_CONTACTS = table_of(Contact)
_HANDOFFS = table_of(Handoff)
_OUTREACH = table_of(Outreach)
# At most one handoff is open per participant (a unique index), so a participant's rows are one for
# each open contact (almost always one or none).
_SENDER = (
    CORRESPONDENT.add_columns(
        _CONTACTS.c.id,
        _CONTACTS.c.last_message_at,
        _HANDOFFS.c.id,
        _HANDOFFS.c.reason,
        _HANDOFFS.c.contact_id,
        _HANDOFFS.c.resources_contact_id,
        # Two index lookups inside this statement, where an UPDATE each (one of them rarely
        # changing anything) cost a message two statements (issue 19).
        exists()
        .where(
            _OUTREACH.c.state == OutreachState.DISPATCHED,
            _OUTREACH.c.participant_id == _PARTICIPANTS.c.id,
            _OUTREACH.c.kind == OutreachKind.TEXT,
            _OUTREACH.c.answered_at.is_(None),
        )
        .label("unanswered_outreach"),
        exists()
        .where(_OUTREACH.c.state == OutreachState.QUEUED, _OUTREACH.c.participant_id == _PARTICIPANTS.c.id)
        .label("queued_outreach"),
    )
    .outerjoin(_CONTACTS, and_(_CONTACTS.c.participant_id == _PARTICIPANTS.c.id, _CONTACTS.c.closed_at.is_(None)))
    .outerjoin(_HANDOFFS, and_(_HANDOFFS.c.participant_id == _PARTICIPANTS.c.id, _HANDOFFS.c.closed_at.is_(None)))
)
_BY_PHONE = Prepared(_SENDER.where(_PARTICIPANTS.c.phone == bindparam("phone")))
_BY_ID = Prepared(_SENDER.where(_PARTICIPANTS.c.id == bindparam("participant_id")))


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
    handoff_id, reason, contact_id, resources_contact_id, unanswered, queued = first[CORRESPONDENT_COLUMNS + 2 :]
    return Sender(
        correspondent_from(first),
        tuple(
            (row[CORRESPONDENT_COLUMNS], row[CORRESPONDENT_COLUMNS + 1])
            for row in rows
            if row[CORRESPONDENT_COLUMNS] is not None
        ),
        OpenHandoff(handoff_id, HandoffReason(reason), contact_id, resources_contact_id)
        if handoff_id is not None
        else None,
        bool(unanswered),
        bool(queued),
    )
