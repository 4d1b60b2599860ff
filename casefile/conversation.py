"""Where each participant is in a conversation, kept between messages."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from casefile.base import Base


class ConversationRecord(Base):
    __tablename__ = "conversation_states"

    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    flow: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]


def load_conversation(session: Session, participant_id: int) -> ConversationRecord | None:
    """The stored state; callers lock the participant's row first so one person's messages queue."""
    return session.get(ConversationRecord, participant_id)


def save_conversation(
    session: Session,
    record: ConversationRecord | None,
    participant_id: int,
    flow: str,
    step: str,
    data: dict[str, Any],
    at: datetime,
) -> ConversationRecord:
    if record is None:
        record = ConversationRecord(participant_id=participant_id)
        session.add(record)
    record.flow, record.step, record.data, record.updated_at = flow, step, data, at
    return record
