"""Documents received: photos and files participants send (a signed timesheet, a pay stub).

A document row is written in the same transaction as the message that brought it, holding the
provider's URL, so nothing is lost if fetching fails. The file itself is fetched afterwards (bot/
documents.py) and kept in the service's own storage; each failure is retried later with a backoff.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, Text, bindparam, insert, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from casefile.base import Base, string_enum, table_of
from casefile.facts import Fact, register_fact
from casefile.vocabulary import Channel, DocumentStatus


@register_fact
@dataclass(frozen=True)
class DocumentReceived(Fact):
    """A participant sent one or more photos or files (the count and their types, never their content)."""

    kind = "document_received"
    content_types: tuple[str, ...]


@register_fact
@dataclass(frozen=True)
class DocumentNotFetched(Fact):
    """A document could not be fetched from the provider after every retry: a person must look."""

    kind = "document_not_fetched"
    needs_counselor = True
    document_id: int


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    channel: Mapped[Channel] = mapped_column(string_enum(Channel, 16))
    #: Where the provider holds it (a Twilio media URL, a Telegram file id).
    source: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(100))
    status: Mapped[DocumentStatus] = mapped_column(string_enum(DocumentStatus, 16))
    attempts: Mapped[int]
    next_attempt_at: Mapped[datetime | None]
    #: Why the last attempt failed (an HTTP status, a timeout), never the document's content.
    last_error: Mapped[str | None] = mapped_column(String(200))
    #: Where it is stored, relative to the storage root.
    path: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime]
    stored_at: Mapped[datetime | None]


_DOCUMENTS = table_of(Document)
_ADD = insert(_DOCUMENTS)


def add_documents(
    session: Session,
    participant_id: int,
    message_id: int,
    channel: Channel,
    media: list[tuple[str, str]],
    at: datetime,
) -> None:
    """Record the media of an inbound message, (source, content type) each, to be fetched at once."""
    session.execute(
        _ADD,
        [
            {
                "participant_id": participant_id,
                "message_id": message_id,
                "channel": channel,
                "source": source,
                "content_type": content_type[:100],
                "status": DocumentStatus.WAITING,
                "attempts": 0,
                "next_attempt_at": at,
                "last_error": None,
                "path": None,
                "size": None,
                "sha256": None,
                "received_at": at,
                "stored_at": None,
            }
            for source, content_type in media
        ],
    )


#: A claimed document is left alone this long by other fetchers (a fetch takes seconds).
CLAIM_LEASE = timedelta(minutes=5)

_CLAIM = (
    update(_DOCUMENTS)
    .where(
        _DOCUMENTS.c.id == bindparam("document_id"),
        _DOCUMENTS.c.status == DocumentStatus.WAITING,
        _DOCUMENTS.c.attempts == bindparam("seen_attempts"),
    )
    .values(attempts=_DOCUMENTS.c.attempts + 1, next_attempt_at=bindparam("lease_until"))
)


def due_documents(session: Session, now: datetime, limit: int) -> list[Document]:
    return list(
        session.scalars(
            select(Document)
            .where(
                Document.status == DocumentStatus.WAITING,
                or_(Document.next_attempt_at.is_(None), Document.next_attempt_at <= now),
            )
            .order_by(Document.next_attempt_at, Document.id)
            .limit(limit)
        )
    )


def claim_document(session: Session, document_id: int, seen_attempts: int, now: datetime) -> Document | None:
    """Take a document for one fetch attempt; None if another fetcher took it first (the attempts
    moved on). Counting the attempt in the claim means a fetcher that dies mid-way used one up, and
    the lease lets the next pass try again once it runs out."""
    result = session.execute(
        _CLAIM, {"document_id": document_id, "seen_attempts": seen_attempts, "lease_until": now + CLAIM_LEASE}
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    return session.get_one(Document, document_id, populate_existing=True)


def mark_stored(session: Session, document_id: int, path: str, size: int, sha256: str, at: datetime) -> None:
    session.execute(
        update(_DOCUMENTS)
        .where(_DOCUMENTS.c.id == document_id)
        .values(
            status=DocumentStatus.STORED,
            path=path,
            size=size,
            sha256=sha256,
            stored_at=at,
            next_attempt_at=None,
            last_error=None,
        )
    )


def mark_attempt_failed(session: Session, document_id: int, error: str, retry_at: datetime | None) -> None:
    """A failed fetch: tried again at `retry_at`, or given up on (None) and left for a person."""
    session.execute(
        update(_DOCUMENTS)
        .where(_DOCUMENTS.c.id == document_id)
        .values(
            status=DocumentStatus.WAITING if retry_at else DocumentStatus.FAILED,
            next_attempt_at=retry_at,
            last_error=error[:200],
        )
    )


def documents_received(
    session: Session, participant_ids: Sequence[int], start: datetime, end: datetime
) -> list[Document]:
    """The documents these participants sent between `start` and `end`, by participant then time."""
    return list(
        session.scalars(
            select(Document)
            .where(
                Document.participant_id.in_(participant_ids), Document.received_at >= start, Document.received_at < end
            )
            .order_by(Document.participant_id, Document.received_at, Document.id)
        )
    )
