"""Case notes as stored: drafts, the counselor's decision, addenda and the audit trail.

The database itself keeps the record whole: triggers (migration 0006) refuse any change to a note
once it is approved or rejected, and any change or deletion of an addendum or an audit record, from
this code or from anyone's SQL prompt. A correction is an addendum.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casefile.base import Base, string_enum
from casefile.vocabulary import NoteState


class CaseNote(Base):
    __tablename__ = "case_notes"
    __table_args__ = (
        # One draft per subject of a contact (or per month, for the hours verification): drafting
        # twice, or from two processes, makes no second note.
        UniqueConstraint("participant_id", "subject", "occurrence"),
        Index("ix_case_notes_queue", "state", "drafted_at"),
        Index("ix_case_notes_participant", "participant_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    #: None for notes that document records rather than one contact (the monthly hours verification).
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    subject: Mapped[str] = mapped_column(String(24))
    occurrence: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    contact_date: Mapped[date]
    #: The note as drafted, kept as it was whatever the counselor does with it.
    draft_body: Mapped[str] = mapped_column(Text)
    #: Every sentence of the draft with the ids of the messages it came from.
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: What the check found wrong with the draft; empty when it passed.
    problems: Mapped[list[str]] = mapped_column(JSON)
    state: Mapped[NoteState] = mapped_column(string_enum(NoteState, 16))
    drafted_at: Mapped[datetime]
    #: After this moment an unreviewed draft is late (1 business day; the 20th for hours verification).
    due_at: Mapped[datetime]
    #: The text that entered the record: the draft, or the counselor's edit of it.
    final_body: Mapped[str | None] = mapped_column(Text)
    edited: Mapped[bool] = mapped_column(default=False)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("counselors.id"))
    reviewed_at: Mapped[datetime | None]
    reject_reason: Mapped[str | None] = mapped_column(Text)


class NoteAddendum(Base):
    """A later correction or addition to an approved note; the note itself never changes."""

    __tablename__ = "note_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("case_notes.id"), index=True)
    counselor_id: Mapped[int] = mapped_column(ForeignKey("counselors.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class NoteAudit(Base):
    """Who did what to a note, when, with the text before and after."""

    __tablename__ = "note_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None for an action over many notes (an export); `detail` says which.
    note_id: Mapped[int | None] = mapped_column(ForeignKey("case_notes.id"), index=True)
    #: None when the service itself acted (drafting).
    counselor_id: Mapped[int | None] = mapped_column(ForeignKey("counselors.id"))
    action: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime]
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
