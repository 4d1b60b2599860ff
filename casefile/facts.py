"""The typed facts that conversation flows emit, and the table that keeps them.

Downstream readers (notes, scheduler, console) read these facts; nothing re-parses message text.
A fact type is a frozen dataclass with a unique `kind`; its fields are its JSON payload.
"""

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar, get_type_hints

from sqlalchemy import JSON, ForeignKey, Index, String, insert, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from casefile.base import Base, table_of
from casefile.prepared import Prepared
from casefile.vocabulary import Language


@dataclass(frozen=True)
class Fact:
    kind: ClassVar[str]
    #: Facts a counselor must look at (a question, a worry); the console lists them until seen.
    needs_counselor: ClassVar[bool] = False
    #: Facts that cannot wait for the counselor's next look at the queue (a safety disclosure).
    urgent: ClassVar[bool] = False


@dataclass(frozen=True)
class ConsentConfirmed(Fact):
    kind = "consent_confirmed"
    text: str


@dataclass(frozen=True)
class OptedOut(Fact):
    kind = "opted_out"
    keyword: str


@dataclass(frozen=True)
class OptedIn(Fact):
    kind = "opted_in"
    keyword: str


@dataclass(frozen=True)
class LanguageChanged(Fact):
    kind = "language_changed"
    language: Language


@dataclass(frozen=True)
class CounselorMessage(Fact):
    """Free text the participant asked to pass on to their counselor."""

    kind = "counselor_message"
    needs_counselor = True
    text: str


@dataclass(frozen=True)
class StopRequestFlagged(Fact):
    """A sentence that asks for fewer or no texts but is not a stop keyword: a person decides."""

    kind = "stop_request_flagged"
    needs_counselor = True
    text: str


@dataclass(frozen=True)
class LifeEventReported(Fact):
    """News the counselor must act on whatever flow it came in: a job started or lost, a move, an
    appointment to reschedule... (conversations/life_events.py names the kinds)."""

    kind = "life_event_reported"
    needs_counselor = True
    event: str


@dataclass(frozen=True)
class SafetyConcern(Fact):
    """Words that suggest danger, violence or self-harm. For the assigned counselor only."""

    kind = "safety_concern"
    needs_counselor = True
    urgent = True
    text: str


FACT_TYPES: dict[str, type[Fact]] = {
    cls.kind: cls
    for cls in (
        ConsentConfirmed,
        OptedOut,
        OptedIn,
        LanguageChanged,
        CounselorMessage,
        StopRequestFlagged,
        SafetyConcern,
        LifeEventReported,
    )
}


@dataclass(frozen=True)
class QueueItemHandled(Fact):
    """A counselor marked an item of their attention queue handled (the console): the audit of it."""

    kind = "queue_item_handled"
    event_id: int
    item_kind: str
    counselor_id: int


FACT_TYPES[QueueItemHandled.kind] = QueueItemHandled


F = TypeVar("F", bound=type[Fact])


def register_fact(cls: F) -> F:
    """Add a fact type defined by a later flow (check-ins, hours) to the registry."""
    if cls.kind in FACT_TYPES and FACT_TYPES[cls.kind] is not cls:
        raise ValueError(f"fact kind {cls.kind!r} is taken")
    FACT_TYPES[cls.kind] = cls
    return cls


@dataclass(frozen=True)
class FactSource:
    """Where a fact came from, for the tables that follow from it."""

    participant_id: int
    message_id: int | None
    at: datetime
    #: The contact the fact belongs to (a handoff remembers where it opened).
    contact_id: int | None = None


#: How a fact changes the tables that follow from it (goals, steps, timesheets), by kind.
Projection = Callable[[Session, Any, FactSource], None]
_PROJECTIONS: dict[str, Projection] = {}


def projects(cls: type[Fact]) -> Callable[[Projection], Projection]:
    """Declare the function that brings a table up to date when a fact of this kind is recorded.

    The facts are the truth and these tables are kept from them in the same transaction, so that
    the scheduler and the notes read current goals and hours without replaying every event."""

    def register(projection: Projection) -> Projection:
        if cls.kind in _PROJECTIONS:
            raise ValueError(f"fact kind {cls.kind!r} already has a projection")
        _PROJECTIONS[cls.kind] = projection
        return projection

    return register


class EventRecord(Base):
    """A fact as stored: who, when, in which contact, from which message."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_participant_occurred", "participant_id", "occurred_at"),
        Index("ix_events_needs_counselor", "needs_counselor", "seen_at"),
        # The console's caseload counts each participant's open items (migration 0011).
        Index(
            "ix_events_open_items",
            "participant_id",
            sqlite_where=text("needs_counselor AND seen_at IS NULL"),
            postgresql_where=text("needs_counselor AND seen_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    needs_counselor: Mapped[bool]
    urgent: Mapped[bool]
    seen_at: Mapped[datetime | None]
    #: The counselor who marked it handled in the console (with seen_at: who and when).
    seen_by: Mapped[int | None] = mapped_column(ForeignKey("counselors.id"))
    occurred_at: Mapped[datetime]

    def fact(self) -> Fact:
        return fact_from_payload(self.kind, self.payload)


def fact_payload(fact: Fact) -> dict[str, Any]:
    return {field.name: _to_json(getattr(fact, field.name)) for field in dataclasses.fields(fact)}


def fact_from_payload(kind: str, payload: dict[str, Any]) -> Fact:
    cls = FACT_TYPES[kind]
    dated = _date_fields(cls)
    values = {field.name: _from_json(payload[field.name], field.name in dated) for field in dataclasses.fields(cls)}
    return cls(**values)


def _to_json(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _from_json(value: Any, is_date: bool) -> Any:
    if isinstance(value, list):
        return tuple(value)
    if is_date and value is not None:
        return date.fromisoformat(value)
    return value


_DATE_FIELDS: dict[str, frozenset[str]] = {}


def _date_fields(cls: type[Fact]) -> frozenset[str]:
    """The fields typed `date` (or `date | None`): JSON keeps them as ISO strings."""
    if cls.kind not in _DATE_FIELDS:
        _DATE_FIELDS[cls.kind] = frozenset(
            name for name, hint in get_type_hints(cls).items() if hint is date or date in getattr(hint, "__args__", ())
        )
    return _DATE_FIELDS[cls.kind]


# Every message records its facts (casefile/prepared.py).
_RECORD_FACT = Prepared(insert(table_of(EventRecord)))


def record_fact(
    session: Session,
    fact: Fact,
    participant_id: int,
    contact_id: int | None,
    message_id: int | None,
    at: datetime,
) -> None:
    """Store the fact, and bring the tables that follow from it (goals, hours) up to date."""
    record_facts(session, [(fact, FactSource(participant_id, message_id, at, contact_id))])


def record_facts(session: Session, facts: Sequence[tuple[Fact, FactSource]]) -> None:
    """Store many facts in one statement (a message's three or four, the outbox's attempts of a
    batch: one INSERT each was a sixth of a message's statements), then project each, in
    order. No projection reads the facts table, so storing them first changes nothing."""
    if not facts:
        return
    _RECORD_FACT.run_many(
        session,
        [
            {
                "participant_id": source.participant_id,
                "contact_id": source.contact_id,
                "message_id": source.message_id,
                "kind": fact.kind,
                "payload": fact_payload(fact),
                "needs_counselor": fact.needs_counselor,
                "urgent": fact.urgent,
                "seen_at": None,
                "occurred_at": source.at,
            }
            for fact, source in facts
        ],
    )
    for fact, source in facts:
        if (projection := _PROJECTIONS.get(fact.kind)) is not None:
            projection(session, fact, source)


def facts_for(session: Session, participant_id: int) -> list[EventRecord]:
    return list(
        session.scalars(
            select(EventRecord)
            .where(EventRecord.participant_id == participant_id)
            .order_by(EventRecord.occurred_at, EventRecord.id)
        )
    )


@register_fact
@dataclass(frozen=True)
class ParticipantTransferred(Fact):
    """A supervisor moved the participant to another counselor of their unit, with a note: the
    marker in the transcript, the audit of it, and an item in the new counselor's queue."""

    kind = "participant_transferred"
    needs_counselor = True
    from_counselor_id: int
    to_counselor_id: int
    by_counselor_id: int
    #: The supervisor's note to the new counselor (the queue shows it as the item's words).
    text: str


@register_fact
@dataclass(frozen=True)
class ParticipantEnrolled(Fact):
    """A participant was enrolled from the console: who did it (the consent ledger says how they agreed)."""

    kind = "participant_enrolled"
    counselor_id: int


@register_fact
@dataclass(frozen=True)
class PlanChanged(Fact):
    """One field of a participant's plan or programme status changed in the console: who, before, after."""

    kind = "plan_changed"
    counselor_id: int
    field: str
    before: str | None
    after: str | None
