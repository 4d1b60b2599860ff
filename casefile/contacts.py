"""Contacts: one exchange with a participant on one occasion, the unit a case note documents."""

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from casefile.base import Base
from casefile.vocabulary import Channel

#: A contact closes after this long without a message (DOMAIN.md, "Case notes").
DEFAULT_QUIET_SPELL = timedelta(hours=2)


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_open", "participant_id", "closed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    channel: Mapped[str] = mapped_column(String(16))
    #: "participant" when they wrote first, "outreach" when the service did.
    opened_by: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime]
    last_message_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


def current_contact(
    session: Session,
    participant_id: int,
    channel: Channel,
    at: datetime,
    opened_by: str = "participant",
    quiet_spell: timedelta = DEFAULT_QUIET_SPELL,
) -> Contact:
    """The open contact a message at `at` belongs to, opening a new one after a quiet spell."""
    open_contact = session.scalars(
        select(Contact)
        .where(Contact.participant_id == participant_id, Contact.closed_at.is_(None))
        .order_by(Contact.id.desc())
        .limit(1)
    ).one_or_none()
    if open_contact is not None and at - open_contact.last_message_at <= quiet_spell:
        open_contact.last_message_at = max(open_contact.last_message_at, at)
        return open_contact
    if open_contact is not None:
        open_contact.closed_at = open_contact.last_message_at + quiet_spell
    contact = Contact(
        participant_id=participant_id,
        channel=str(channel),
        opened_by=opened_by,
        opened_at=at,
        last_message_at=at,
        closed_at=None,
    )
    session.add(contact)
    session.flush()
    return contact
