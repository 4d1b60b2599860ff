"""Handoffs: a participant handed from the bot to a person, until their counselor closes it.

A handoff opens when a participant discloses danger (safety), asks for a person, or is not
understood three times running. While one is open the bot stays out of the way: the participant's
texts go to the counselor, scheduled check-ins and re-engagement wait, only STOP, HELP and safety
act. At most one is open per participant (a unique index on the open ones); a disclosure during a
handoff for another reason makes it a safety one. Every opening, closing, alert and escalation is a
fact, so it lands in the case note of the contact it belongs to.

The rows are kept from facts (`@projects`), in the transaction that records them: the engine says
what happened, and this module keeps the table that the inbox, the scheduler and the console read.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, bindparam, insert, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from casefile.base import Base, string_enum, table_of
from casefile.contacts import Contact
from casefile.conversation import ConversationRecord
from casefile.facts import Fact, FactSource, SafetyConcern, projects, record_fact, register_fact
from casefile.people import Counselor, Participant
from casefile.prepared import Prepared
from casefile.vocabulary import ConsentState, Role


class HandoffReason(StrEnum):
    SAFETY = "safety"
    PERSON_REQUESTED = "person_requested"
    NOT_UNDERSTOOD = "not_understood"


class Handoff(Base):
    __tablename__ = "handoffs"
    __table_args__ = (
        # One open handoff per participant, whoever opens it first (two messages at once, two processes).
        Index(
            "uq_handoffs_open_participant",
            "participant_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index("ix_handoffs_closed_at", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    reason: Mapped[HandoffReason] = mapped_column(string_enum(HandoffReason, 20))
    opened_at: Mapped[datetime]
    #: The message that opened it.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    #: The contact it opened in: its case note tells the handoff's story.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    #: The contact in which crisis resources were last sent: once per contact, not on every message.
    resources_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    closed_at: Mapped[datetime | None]
    #: The counselor who closed it (audit: who, and `closed_at`, when).
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("counselors.id"))


@dataclass(frozen=True)
class OpenHandoff:
    """An open handoff as the inbox hands it to the engine."""

    id: int
    reason: HandoffReason
    contact_id: int | None
    resources_contact_id: int | None


# --- The facts ------------------------------------------------------------------------------------


@register_fact
@dataclass(frozen=True)
class HandoffRequested(Fact):
    """The participant asked for a person, or the bot could not understand them: a person answers."""

    kind = "handoff_requested"
    needs_counselor = True
    reason: str
    text: str


@register_fact
@dataclass(frozen=True)
class HandoffMessage(Fact):
    """A text written while a handoff is open: for the counselor, not the bot."""

    kind = "handoff_message"
    needs_counselor = True
    text: str
    #: The handoff's reason: after a disclosure the words stay out of the case note (transcript only).
    reason: str


@register_fact
@dataclass(frozen=True)
class HandoffClosed(Fact):
    kind = "handoff_closed"
    handoff_id: int
    counselor_id: int
    reason: str


@register_fact
@dataclass(frozen=True)
class CounselorAlerted(Fact):
    """An urgent item was sent to a counselor outside the console: `level` counselor or supervisor
    (an escalation), `channel` sms or email; `outcome` queued, sent or failed."""

    kind = "counselor_alerted"
    handoff_id: int
    level: str
    channel: str
    counselor_id: int
    outcome: str


# --- The table, kept from the facts ------------------------------------------------------------------

_HANDOFFS = table_of(Handoff)
# Read on every message (casefile/prepared.py).
_OPEN = Prepared(
    select(_HANDOFFS.c.id, _HANDOFFS.c.reason, _HANDOFFS.c.contact_id, _HANDOFFS.c.resources_contact_id).where(
        _HANDOFFS.c.participant_id == bindparam("of_participant"), _HANDOFFS.c.closed_at.is_(None)
    )
)
_INSERT = insert(_HANDOFFS)


def open_handoff_of(session: Session, participant_id: int) -> OpenHandoff | None:
    """The participant's open handoff, if any (one indexed read per inbound message)."""
    row = _OPEN.first(session, {"of_participant": participant_id})
    if row is None:
        return None
    handoff_id, reason, contact_id, resources_contact_id = row
    return OpenHandoff(handoff_id, HandoffReason(reason), contact_id, resources_contact_id)


def open_handoff(session: Session, reason: HandoffReason, source: FactSource) -> int:
    """Open a handoff, or return the one already open; a safety reason wins over the others."""
    current = open_handoff_of(session, source.participant_id)
    if current is not None:
        if reason is HandoffReason.SAFETY and current.reason is not HandoffReason.SAFETY:
            session.execute(update(_HANDOFFS).where(_HANDOFFS.c.id == current.id).values(reason=reason))
        return current.id
    return int(
        session.execute(
            _INSERT.returning(_HANDOFFS.c.id),
            {
                "participant_id": source.participant_id,
                "reason": reason,
                "opened_at": source.at,
                "message_id": source.message_id,
                "contact_id": source.contact_id,
                "resources_contact_id": None,
                "closed_at": None,
                "closed_by": None,
            },
        ).scalar_one()
    )


@projects(SafetyConcern)
def _open_for_safety(session: Session, fact: SafetyConcern, source: FactSource) -> None:
    handoff_id = open_handoff(session, HandoffReason.SAFETY, source)
    # The engine sends crisis resources once per contact unless the participant has opted out:
    # remember the contact they went in, so that the next disclosure in it gets a short answer.
    participants = table_of(Participant)
    consent = session.execute(
        select(participants.c.consent_state).where(participants.c.id == source.participant_id)
    ).scalar_one()
    if consent is not ConsentState.OPTED_OUT:
        session.execute(
            update(_HANDOFFS).where(_HANDOFFS.c.id == handoff_id).values(resources_contact_id=source.contact_id)
        )


@projects(HandoffRequested)
def _open_on_request(session: Session, fact: HandoffRequested, source: FactSource) -> None:
    open_handoff(session, HandoffReason(fact.reason), source)


def close_handoff(session: Session, participant_id: int, counselor_id: int, now: datetime) -> bool:
    """The counselor has answered: close the participant's open handoff, and the bot resumes where
    the participant was. Only the participant's own counselor (or a supervisor of their unit) may;
    False when there is nothing open that this counselor may close. Recorded as a fact."""
    if not _may_close(session, participant_id, counselor_id):
        return False
    current = open_handoff_of(session, participant_id)
    if current is None:
        return False
    closed = session.execute(
        update(_HANDOFFS)
        .where(_HANDOFFS.c.id == current.id, _HANDOFFS.c.closed_at.is_(None))
        .values(closed_at=now, closed_by=counselor_id)
    )
    if not closed.rowcount:  # type: ignore[attr-defined]
        return False  # closed by someone else just now
    # The flow the participant was in is kept, and stamped now, so that it is not dropped as stale.
    session.execute(
        update(table_of(ConversationRecord))
        .where(table_of(ConversationRecord).c.participant_id == participant_id)
        .values(updated_at=now)
    )
    fact = HandoffClosed(current.id, counselor_id, current.reason.value)
    record_fact(session, fact, participant_id, handoff_contact(session, current.contact_id, participant_id), None, now)
    return True


def _may_close(session: Session, participant_id: int, counselor_id: int) -> bool:
    participant = session.get(Participant, participant_id)
    counselor = session.get(Counselor, counselor_id)
    if participant is None or counselor is None:
        return False
    if participant.counselor_id == counselor.id:
        return True
    own = session.get_one(Counselor, participant.counselor_id)
    return counselor.role is Role.SUPERVISOR and counselor.unit is not None and counselor.unit == own.unit


def handoff_contact(session: Session, contact_id: int | None, participant_id: int) -> int | None:
    """Where a later fact of a handoff (an alert, an escalation, its closing) is filed: the contact it
    opened in while that contact's note is not drafted yet, else the participant's open contact."""
    contacts = table_of(Contact)
    if contact_id is not None:
        drafted = session.execute(select(contacts.c.drafted_at).where(contacts.c.id == contact_id)).scalar_one()
        if drafted is None:
            return contact_id
    return session.execute(
        select(contacts.c.id)
        .where(contacts.c.participant_id == participant_id, contacts.c.closed_at.is_(None))
        .order_by(contacts.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()


@dataclass(frozen=True)
class HandoffListing:
    participant_id: int
    first_name: str
    last_name: str
    phone: str
    reason: HandoffReason
    opened_at: datetime


def open_handoffs_for(session: Session, counselor_id: int) -> list[HandoffListing]:
    """The open handoffs of a counselor's caseload (a supervisor: their unit's), oldest first; the
    caseload is limited in the query itself."""
    counselor = session.get_one(Counselor, counselor_id)
    participants = table_of(Participant)
    counselors = table_of(Counselor)
    query = (
        select(
            participants.c.id,
            participants.c.first_name,
            participants.c.last_name,
            participants.c.phone,
            _HANDOFFS.c.reason,
            _HANDOFFS.c.opened_at,
        )
        .join(participants, participants.c.id == _HANDOFFS.c.participant_id)
        .join(counselors, counselors.c.id == participants.c.counselor_id)
        .where(_HANDOFFS.c.closed_at.is_(None))
        .order_by(_HANDOFFS.c.opened_at, _HANDOFFS.c.id)
    )
    if counselor.role is Role.SUPERVISOR and counselor.unit is not None:
        query = query.where((counselors.c.unit == counselor.unit) | (counselors.c.id == counselor.id))
    else:
        query = query.where(counselors.c.id == counselor.id)
    return [
        HandoffListing(row[0], row[1], row[2], row[3], HandoffReason(row[4]), row[5]) for row in session.execute(query)
    ]
