"""Where each participant is in a conversation, kept between messages."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, Session, mapped_column

from casefile.base import UPSERT_INSERTS, Base, dialect_of, table_of
from casefile.prepared import Prepared


@dataclass(frozen=True)
class SavedConversation:
    """Where a participant was left: read with the participant (people.find_correspondent)."""

    flow: str
    step: str
    data: dict[str, Any]
    updated_at: datetime


class ConversationRecord(Base):
    __tablename__ = "conversation_states"

    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    flow: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]


_STATES = table_of(ConversationRecord)


def _replace_state(upsert: Callable[[Table], Any]) -> Any:
    statement = upsert(_STATES)
    return statement.on_conflict_do_update(
        index_elements=["participant_id"],
        set_={name: statement.excluded[name] for name in ("flow", "step", "data", "updated_at")},
    )


_SAVE = {name: _replace_state(upsert) for name, upsert in UPSERT_INSERTS.items()}
#: Run on every message (casefile/prepared.py).
_PREPARED_SAVE = Prepared(_SAVE)


def save_conversation(
    session: Session, participant_id: int, flow: str, step: str, data: dict[str, Any], at: datetime
) -> None:
    """Insert or replace the participant's state in one statement."""
    _PREPARED_SAVE.rows(
        session, {"participant_id": participant_id, "flow": flow, "step": step, "data": data, "updated_at": at}
    )


def save_conversations(session: Session, participant_ids: Sequence[int], flow: str, step: str, at: datetime) -> None:
    """Put these participants at one flow and step, with no data: one statement for them all (the
    dispatcher leaves everyone it texts in a batch idle)."""
    if participant_ids:
        rows = [
            {"participant_id": participant_id, "flow": flow, "step": step, "data": {}, "updated_at": at}
            for participant_id in participant_ids
        ]
        session.execute(_SAVE[dialect_of(session)], rows)
