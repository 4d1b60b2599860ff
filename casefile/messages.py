"""Every message in and out, on every channel, and the senders the service does not know."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    false,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from casefile.base import UPSERT_INSERTS, Base, dialect_of, string_enum, table_of
from casefile.facts import Fact, record_fact, register_fact
from casefile.prepared import Prepared
from casefile.vocabulary import DELIVERY_RANK, Channel, Direction, MessageStatus


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        # A provider that delivers the same message twice must not make two rows.
        UniqueConstraint("channel", "provider_id"),
        Index("ix_messages_participant_created", "participant_id", "created_at"),
        # The dispatcher's question: what is queued and due?
        Index("ix_messages_status_retry", "status", "retry_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    direction: Mapped[Direction] = mapped_column(string_enum(Direction, 16))
    channel: Mapped[Channel] = mapped_column(string_enum(Channel, 16))
    #: Where it came from or goes to on its channel: a phone number, a Telegram chat id.
    address: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    #: [{"url": ..., "content_type": ...}] as the provider gave it.
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    provider_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[MessageStatus] = mapped_column(string_enum(MessageStatus, 16))
    error_code: Mapped[str | None] = mapped_column(String(16))
    #: For a reply: the inbound message it answers.
    in_reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    #: For a text the scheduler sent on its own: the outreach it carries.
    outreach_id: Mapped[int | None] = mapped_column(ForeignKey("outreach.id"), index=True)
    #: Sending attempts that failed for a reason worth retrying, and when the next may be made.
    attempts: Mapped[int] = mapped_column(server_default="0")
    retry_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    status_at: Mapped[datetime]
    #: An inbound text held what looked like an SSN, masked before it was stored (casefile.identifiers).
    ssn_masked: Mapped[bool] = mapped_column(server_default=false())


class UnknownSender(Base):
    """An address that wrote in but belongs to no participant; listed for staff to follow up."""

    __tablename__ = "unknown_senders"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(string_enum(Channel, 16))
    address: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    message_count: Mapped[int] = mapped_column(default=0)
    #: When the one polite reply went out; none is sent again.
    answered_at: Mapped[datetime | None]
    #: When it texted a stop word: from then on it gets nothing, not even the polite reply.
    opted_out_at: Mapped[datetime | None]


def find_message(session: Session, channel: Channel, provider_id: str, lock: bool = False) -> Message | None:
    query = select(Message).where(Message.channel == channel, Message.provider_id == provider_id)
    if lock:
        # Re-read under a row lock: a concurrent delivery of the same message may be processing it.
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).one_or_none()


_MESSAGES = table_of(Message)
_STORE_INBOUND = Prepared(
    {
        name: upsert(_MESSAGES)
        .on_conflict_do_nothing(index_elements=["channel", "provider_id"])
        .returning(_MESSAGES.c.id)
        for name, upsert in UPSERT_INSERTS.items()
    }
)
_MARK_PROCESSED = Prepared(
    update(_MESSAGES)
    .where(_MESSAGES.c.id == bindparam("message_id"))
    .values(
        status=MessageStatus.PROCESSED,
        status_at=bindparam("at"),
        participant_id=bindparam("participant_id"),
        contact_id=bindparam("contact_id"),
    )
)
_ADD_OUTBOUND = Prepared(insert(_MESSAGES).returning(_MESSAGES.c.id))


def store_inbound(session: Session, **values: Any) -> int | None:
    """Insert an inbound message unless its (channel, provider id) is stored already; its id, or None.

    One INSERT … ON CONFLICT DO NOTHING: no exception to recover from, and on PostgreSQL a
    concurrent insert of the same id waits for the other transaction and then does nothing.
    """
    stored = _STORE_INBOUND.first(
        session,
        {
            "direction": Direction.INBOUND,
            "status": MessageStatus.RECEIVED,
            "error_code": None,
            "participant_id": None,
            "contact_id": None,
            "in_reply_to_id": None,
            **values,
        },
    )
    return int(stored[0]) if stored is not None else None


def mark_processed(
    session: Session, message_id: int, participant_id: int | None, contact_id: int | None, at: datetime
) -> None:
    _MARK_PROCESSED.rows(
        session,
        {"message_id": message_id, "at": at, "participant_id": participant_id, "contact_id": contact_id},
    )


#: Times a stored text is processed again after failures before a person is asked to read it.
PROCESSING_ATTEMPTS = 5


@register_fact
@dataclass(frozen=True)
class MessageNotProcessed(Fact):
    """A text the service could not process, pass after pass: its counselor reads it instead, and the
    participant's later texts are no longer held behind it."""

    kind = "message_not_processed"
    needs_counselor = True
    attempts: int


def failed_again(session: Session, message_id: int, participant_id: int | None, at: datetime) -> bool:
    """Count one more failed processing of a stored inbound text; at PROCESSING_ATTEMPTS it is given
    up (FAILED) and flagged for the participant's counselor. True when it was given up."""
    attempts = session.scalar(
        update(_MESSAGES)
        .where(_MESSAGES.c.id == message_id, _MESSAGES.c.status == MessageStatus.RECEIVED)
        .values(attempts=_MESSAGES.c.attempts + 1)
        .returning(_MESSAGES.c.attempts)
    )
    if attempts is None or attempts < PROCESSING_ATTEMPTS:
        return False
    session.execute(
        update(_MESSAGES)
        .where(_MESSAGES.c.id == message_id)
        .values(status=MessageStatus.FAILED, status_at=at, participant_id=participant_id)
    )
    if participant_id is not None:
        record_fact(session, MessageNotProcessed(attempts=attempts), participant_id, None, message_id, at)
    return True


def add_outbound(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert outbound messages and return their ids in the order given.

    A statement per row: replies come one or two at a time, and a multi-row INSERT … RETURNING
    costs more in SQLAlchemy's batching than it saves.
    """
    defaults: dict[str, Any] = {"direction": Direction.OUTBOUND, "media": [], "provider_id": None, "error_code": None}
    return [int(_ADD_OUTBOUND.rows(session, {**defaults, **row})[0][0]) for row in rows]


def requeue(session: Session, message_ids: list[int]) -> None:
    """Outbound messages that were to go inline (in a webhook's answer) go through the outbox instead."""
    session.execute(
        update(_MESSAGES)
        .where(_MESSAGES.c.id.in_(message_ids), _MESSAGES.c.direction == Direction.OUTBOUND)
        .values(status=MessageStatus.QUEUED)
    )


# Status callbacks come two or three per text, so their statements are built once too.
_LINK_PROVIDER_ID = (
    update(_MESSAGES)
    .where(
        _MESSAGES.c.id == bindparam("message_id"),
        _MESSAGES.c.channel == bindparam("of_channel"),
        _MESSAGES.c.direction == Direction.OUTBOUND,
        _MESSAGES.c.provider_id.is_(None),
    )
    .values(provider_id=bindparam("new_provider_id"))
)
_ADVANCE_STATUS = (
    update(_MESSAGES)
    .where(
        _MESSAGES.c.channel == bindparam("of_channel"),
        _MESSAGES.c.provider_id == bindparam("of_provider_id"),
        _MESSAGES.c.direction == Direction.OUTBOUND,
        _MESSAGES.c.status.in_(bindparam("lower_statuses", expanding=True)),
    )
    .values(status=bindparam("new_status"), error_code=bindparam("new_error_code"), status_at=bindparam("at"))
)


def link_provider_id(session: Session, message_id: int, channel: Channel, provider_id: str) -> None:
    """Give an outbound message the provider's id once it is known (a TwiML reply's first callback)."""
    session.execute(
        _LINK_PROVIDER_ID, {"message_id": message_id, "of_channel": channel, "new_provider_id": provider_id}
    )


def apply_delivery_status(
    session: Session,
    channel: Channel,
    provider_id: str,
    status: MessageStatus,
    error_code: str | None,
    at: datetime,
) -> bool:
    """Record a provider's status report; return False if the message is unknown or already further on.

    One conditional UPDATE, so two reports arriving together cannot move a status backwards.
    """
    if status not in DELIVERY_RANK:
        raise ValueError(f"{status} is not a delivery status")
    lower_ranks = [s for s, rank in DELIVERY_RANK.items() if rank < DELIVERY_RANK[status]]
    result = session.execute(
        _ADVANCE_STATUS,
        {
            "of_channel": channel,
            "of_provider_id": provider_id,
            "lower_statuses": lower_ranks,
            "new_status": status,
            "new_error_code": error_code,
            "at": at,
        },
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _note_sender(upsert: Callable[[Table], Any]) -> Any:
    statement = upsert(_UNKNOWN_SENDERS)
    kept = _UNKNOWN_SENDERS.c
    return statement.on_conflict_do_update(
        index_elements=["channel", "address"],
        set_={
            "last_seen_at": statement.excluded.last_seen_at,
            "message_count": kept.message_count + 1,
            "opted_out_at": func.coalesce(kept.opted_out_at, statement.excluded.opted_out_at),
        },
    ).returning(kept.id, kept.answered_at, kept.opted_out_at)


_UNKNOWN_SENDERS = table_of(UnknownSender)
_NOTE_SENDER = {name: _note_sender(upsert) for name, upsert in UPSERT_INSERTS.items()}
_MARK_ANSWERED = (
    update(_UNKNOWN_SENDERS).where(_UNKNOWN_SENDERS.c.id == bindparam("sender_id")).values(answered_at=bindparam("at"))
)


def note_unknown_sender(session: Session, channel: Channel, address: str, at: datetime, opting_out: bool) -> bool:
    """Count a message from an address that is no participant's; True if it is owed the one
    polite reply now (never answered, never opted out), which is then marked as given."""
    sender = session.execute(
        _NOTE_SENDER[dialect_of(session)],
        {
            "channel": channel,
            "address": address,
            "first_seen_at": at,
            "last_seen_at": at,
            "message_count": 1,
            "answered_at": None,
            "opted_out_at": at if opting_out else None,
        },
    ).one()
    if sender.answered_at is not None or sender.opted_out_at is not None:
        return False
    session.execute(_MARK_ANSWERED, {"sender_id": sender.id, "at": at})
    return True


def unknown_senders(session: Session) -> list[UnknownSender]:
    return list(session.scalars(select(UnknownSender).order_by(UnknownSender.last_seen_at.desc())))
