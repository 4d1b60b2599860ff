"""The consent ledger: every opt-in and opt-out, as it happened, never rewritten."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, event, insert, select
from sqlalchemy.orm import Mapped, Mapper, Session, mapped_column

from casefile.base import Base, string_enum, table_of
from casefile.people import set_participant
from casefile.vocabulary import Channel, ConsentAction, ConsentState


class ConsentEvent(Base):
    """One opt-in or opt-out. Append-only: the ORM refuses changes and the database has triggers too."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    action: Mapped[ConsentAction] = mapped_column(string_enum(ConsentAction, 16))
    #: What the participant wrote ("STOP", "si"), or how staff recorded it ("enrolment form").
    raw_text: Mapped[str] = mapped_column(Text)
    #: Where it came from: a channel's name, or "enrolment" for consent recorded by a counselor.
    channel: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime]


class AppendOnlyError(RuntimeError):
    """An attempt to change or delete a row of an append-only ledger."""


@event.listens_for(ConsentEvent, "before_update")
@event.listens_for(ConsentEvent, "before_delete")
def _refuse_rewrite(mapper: Mapper[ConsentEvent], connection: object, target: ConsentEvent) -> None:
    raise AppendOnlyError("the consent ledger is append-only")


ENROLMENT = "enrolment"


def record_consent(
    session: Session,
    participant_id: int,
    action: ConsentAction,
    raw_text: str,
    channel: Channel | str,
    provider_id: str | None,
    at: datetime,
    new_state: ConsentState,
) -> None:
    """Append to the ledger and set the participant's current consent in the same transaction."""
    session.execute(
        insert(table_of(ConsentEvent)).values(
            participant_id=participant_id,
            action=action,
            raw_text=raw_text,
            channel=str(channel),
            provider_id=provider_id,
            occurred_at=at,
        )
    )
    set_participant(session, participant_id, consent_state=new_state)


def consent_history(session: Session, participant_id: int) -> list[ConsentEvent]:
    return list(
        session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.participant_id == participant_id)
            .order_by(ConsentEvent.occurred_at, ConsentEvent.id)
        )
    )
