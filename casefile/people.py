"""Counselors and the participants on their caseloads."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from casefile.base import Base
from casefile.vocabulary import ConsentState, FamilyType, Language, ProgrammeStatus


def _enum(enum_class: type[Language] | type[ConsentState] | type[FamilyType] | type[ProgrammeStatus]) -> Enum:
    # Stored as plain strings with a CHECK, so PostgreSQL needs no ENUM types to migrate.
    return Enum(enum_class, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class Counselor(Base):
    __tablename__ = "counselors"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: The office line participants may call; shown in HELP replies.
    phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime]

    participants: Mapped[list["Participant"]] = relationship(back_populates="counselor")

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (
        CheckConstraint("weekly_required_hours BETWEEN 0 AND 80", name="weekly_hours_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    #: E.164; one participant per number so that an inbound text finds exactly one case.
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    language: Mapped[Language] = mapped_column(_enum(Language))
    time_zone: Mapped[str] = mapped_column(String(64))
    weekly_required_hours: Mapped[int]
    family_type: Mapped[FamilyType] = mapped_column(_enum(FamilyType))
    counselor_id: Mapped[int] = mapped_column(ForeignKey("counselors.id"), index=True)
    status: Mapped[ProgrammeStatus] = mapped_column(_enum(ProgrammeStatus))
    #: The current consent; the ledger (consent.ConsentEvent) holds how it came to be.
    consent_state: Mapped[ConsentState] = mapped_column(_enum(ConsentState))
    enrolled_at: Mapped[datetime]

    counselor: Mapped[Counselor] = relationship(back_populates="participants")

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def find_participant_by_phone(session: Session, phone: str) -> Participant | None:
    return session.scalars(select(Participant).where(Participant.phone == phone)).one_or_none()


def find_counselor_by_email(session: Session, email: str) -> Counselor | None:
    return session.scalars(
        select(Counselor).where(Counselor.email == email.strip().lower())
    ).one_or_none()
