"""Contacts: one exchange with a participant on one occasion, the unit a case note documents."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, Index, Row, String, and_, bindparam, case, exists, insert, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from casefile.base import Base, table_of
from casefile.messages import Message
from casefile.prepared import Prepared
from casefile.vocabulary import Channel, MessageStatus

#: A contact closes after this long without a message (DOMAIN.md, "Case notes").
DEFAULT_QUIET_SPELL = timedelta(hours=2)
#: A text SENDING for longer than this no longer holds its contact open: whatever became of it,
#: the contact's note must be drafted (scheduler/reconcile.py settles such texts much sooner).
STUCK_SENDING = timedelta(hours=6)


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_open", "participant_id", "closed_at"),
        # For the notes job: open contacts gone quiet, and closed ones not yet drafted.
        Index("ix_contacts_quiet", "closed_at", "last_message_at"),
        Index("ix_contacts_to_draft", "drafted_at", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    channel: Mapped[str] = mapped_column(String(16))
    #: "participant" when they wrote first, "outreach" when the service did.
    opened_by: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime]
    last_message_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    #: When its case notes were drafted (after it closed).
    drafted_at: Mapped[datetime | None]
    #: For a contact of unanswered outreach: when its attempts went into a monthly log (notes/attempts.py).
    attempts_logged_at: Mapped[datetime | None]


_CONTACTS = table_of(Contact)
_OPEN_CONTACTS = select(_CONTACTS.c.id, _CONTACTS.c.last_message_at).where(
    _CONTACTS.c.participant_id == bindparam("of_participant"), _CONTACTS.c.closed_at.is_(None)
)
_CLOSE = update(_CONTACTS).where(_CONTACTS.c.id == bindparam("contact_id")).values(closed_at=bindparam("at"))
_OPEN = insert(_CONTACTS).returning(_CONTACTS.c.id)
# A contact read open may have been closed since (on PostgreSQL the notes job closes quiet contacts
# without the participant's lock): it is extended only if it still is.
_TOUCH = (
    update(_CONTACTS)
    .where(_CONTACTS.c.id == bindparam("contact_id"), _CONTACTS.c.closed_at.is_(None))
    .values(
        last_message_at=case(
            (_CONTACTS.c.last_message_at < bindparam("at"), bindparam("at")), else_=_CONTACTS.c.last_message_at
        )
    )
    .returning(_CONTACTS.c.id)
)
# A message's contact is found on every message (casefile/prepared.py).
_PREPARED_OPEN_CONTACTS, _PREPARED_CLOSE, _PREPARED_OPEN, _PREPARED_TOUCH = (
    Prepared(statement) for statement in (_OPEN_CONTACTS, _CLOSE, _OPEN, _TOUCH)
)


def current_contact(
    session: Session,
    participant_id: int,
    channel: Channel,
    at: datetime,
    opened_by: str = "participant",
    quiet_spell: timedelta = DEFAULT_QUIET_SPELL,
) -> int:
    """The id of the open contact a message at `at` belongs to, opening a new one after a quiet spell."""
    open_contacts = _PREPARED_OPEN_CONTACTS.rows(session, {"of_participant": participant_id})
    return contact_of(session, participant_id, channel, at, open_contacts, opened_by, quiet_spell)


def contact_of(
    session: Session,
    participant_id: int,
    channel: Channel,
    at: datetime,
    open_contacts: Sequence[tuple[int, datetime]],
    opened_by: str = "participant",
    quiet_spell: timedelta = DEFAULT_QUIET_SPELL,
) -> int:
    """`current_contact` for a participant whose open contacts (id, last message) are known: the
    inbox reads them with the participant, under the lock on their row (casefile.arrivals)."""
    for contact_id, last_message_at in open_contacts:
        if last_message_at >= at - quiet_spell:
            # Written even for a text delivered late (its last message stays): a contact closed
            # since it was read takes no more messages, its note may be drafted already.
            if _PREPARED_TOUCH.first(session, {"contact_id": contact_id, "at": at}) is not None:
                return contact_id
            open_contacts = [contact for contact in open_contacts if contact[0] != contact_id]
            break
    return _open(session, participant_id, channel, at, open_contacts, opened_by, quiet_spell)


def _open(
    session: Session,
    participant_id: int,
    channel: Channel,
    at: datetime,
    stale: Sequence[tuple[int, datetime]],
    opened_by: str,
    quiet_spell: timedelta,
) -> int:
    """A new contact, the open ones (a quiet spell past their last message) closed first."""
    if stale:
        _PREPARED_CLOSE.run_many(
            session,
            [{"contact_id": contact_id, "at": last_message_at + quiet_spell} for contact_id, last_message_at in stale],
        )
    return int(
        _PREPARED_OPEN.rows(
            session,
            {
                "participant_id": participant_id,
                "channel": str(channel),
                "opened_by": opened_by,
                "opened_at": at,
                "last_message_at": at,
                "closed_at": None,
                "drafted_at": None,
            },
        )[0][0]
    )


_MESSAGES = table_of(Message)


def close_quiet_contacts(session: Session, now: datetime, quiet_spell: timedelta = DEFAULT_QUIET_SPELL) -> None:
    """Close every contact a quiet spell past its last message, but not while one of its texts is
    still on its way: the attempt it records belongs in that contact's note."""
    waiting = exists().where(
        _MESSAGES.c.contact_id == _CONTACTS.c.id,
        or_(
            _MESSAGES.c.status == MessageStatus.QUEUED,
            and_(_MESSAGES.c.status == MessageStatus.SENDING, _MESSAGES.c.status_at >= now - STUCK_SENDING),
        ),
    )
    quiet = session.execute(
        select(_CONTACTS.c.id, _CONTACTS.c.last_message_at).where(
            _CONTACTS.c.closed_at.is_(None), _CONTACTS.c.last_message_at < now - quiet_spell, ~waiting
        )
    ).all()
    _close(session, quiet, quiet_spell)


def _close(session: Session, contacts: Sequence[Row[Any, Any]], quiet_spell: timedelta) -> None:
    """A contact closes when its quiet spell ended, whenever that is noticed."""
    if contacts:
        session.execute(_CLOSE, [{"contact_id": c.id, "at": c.last_message_at + quiet_spell} for c in contacts])


_EXTEND_MANY = (
    update(_CONTACTS)
    .where(
        _CONTACTS.c.id.in_(
            select(_CONTACTS.c.id)
            .where(
                _CONTACTS.c.participant_id.in_(bindparam("participants", expanding=True)),
                _CONTACTS.c.closed_at.is_(None),
            )
            .scalar_subquery()
        ),
        _CONTACTS.c.last_message_at >= bindparam("since"),
    )
    .values(
        last_message_at=case(
            (_CONTACTS.c.last_message_at < bindparam("at"), bindparam("at")), else_=_CONTACTS.c.last_message_at
        )
    )
    .returning(_CONTACTS.c.participant_id, _CONTACTS.c.id)
)
_OPEN_OF_MANY = select(_CONTACTS.c.id, _CONTACTS.c.last_message_at).where(
    _CONTACTS.c.participant_id.in_(bindparam("participants", expanding=True)), _CONTACTS.c.closed_at.is_(None)
)
_OPEN_MANY = insert(_CONTACTS).returning(_CONTACTS.c.participant_id, _CONTACTS.c.id)


def current_contacts(
    session: Session,
    channels: dict[int, Channel],
    at: datetime,
    opened_by: str = "participant",
    quiet_spell: timedelta = DEFAULT_QUIET_SPELL,
) -> dict[int, int]:
    """`current_contact` for many participants at once (the dispatcher's batch of texts), each by
    its channel: participant id → contact id, in at most four statements for them all where one
    at a time took up to three each (a tenth of a text's cost at a county's size)."""
    if not channels:
        return {}
    contacts: dict[int, int] = {
        participant_id: contact_id
        for participant_id, contact_id in session.execute(
            _EXTEND_MANY, {"participants": list(channels), "since": at - quiet_spell, "at": at}
        )
    }
    quiet = [participant_id for participant_id in channels if participant_id not in contacts]
    if quiet:
        _close(session, session.execute(_OPEN_OF_MANY, {"participants": quiet}).all(), quiet_spell)
        opened = session.execute(
            _OPEN_MANY,
            [
                {
                    "participant_id": participant_id,
                    "channel": str(channels[participant_id]),
                    "opened_by": opened_by,
                    "opened_at": at,
                    "last_message_at": at,
                    "closed_at": None,
                    "drafted_at": None,
                }
                for participant_id in quiet
            ],
        )
        contacts.update({participant_id: contact_id for participant_id, contact_id in opened})
    return contacts
