"""Counselors and the participants on their caseloads."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Select, String, bindparam, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from casefile.base import Base, string_enum, table_of
from casefile.conversation import ConversationRecord, SavedConversation
from casefile.prepared import Prepared, dialect_name
from casefile.vocabulary import (
    Activity,
    Channel,
    ConsentState,
    FamilyType,
    Language,
    ProgrammeStatus,
    ReportingPeriod,
    Role,
)


class Counselor(Base):
    __tablename__ = "counselors"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: The office line participants may call; shown in HELP replies.
    phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime]
    role: Mapped[Role] = mapped_column(string_enum(Role, 16), server_default=Role.COUNSELOR.value)
    #: The unit (team) a supervisor oversees and a counselor belongs to.
    unit: Mapped[str | None] = mapped_column(String(80))
    #: argon2id; None until a password is set, and then nobody can sign in with one.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    #: Set by `waypoint counselor disable`: no sign-in, and every session and token is dead.
    disabled_at: Mapped[datetime | None]
    #: The counselor's own work phone (E.164), for urgent items outside the console; not shown to participants.
    work_phone: Mapped[str | None] = mapped_column(String(20))

    participants: Mapped[list["Participant"]] = relationship(back_populates="counselor")

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (
        CheckConstraint("weekly_required_hours BETWEEN 0 AND 80", name="weekly_hours_range"),
        CheckConstraint("check_in_day BETWEEN 0 AND 6", name="check_in_weekday"),
        # The sweep asks per time zone and status (scheduler/sweep.py), and for who left on a day.
        Index("ix_participants_zone_status", "time_zone", "status"),
        Index("ix_participants_exited_on", "exited_on"),
        Index("ix_participants_enrolled_at", "enrolled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    #: E.164; one participant per number so that an inbound text finds exactly one case.
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    language: Mapped[Language] = mapped_column(string_enum(Language, 32))
    time_zone: Mapped[str] = mapped_column(String(64))
    weekly_required_hours: Mapped[int]
    family_type: Mapped[FamilyType] = mapped_column(string_enum(FamilyType, 32))
    #: How often the hours report is due.
    reporting_period: Mapped[ReportingPeriod] = mapped_column(
        string_enum(ReportingPeriod, 16), server_default=ReportingPeriod.WEEKLY.value
    )
    #: The activities on the plan that hours are reported for (Activity values); empty: any.
    activities: Mapped[list[str]] = mapped_column(JSON, server_default="[]")
    #: Where outreach goes (casefile.addresses.outreach_address); replies go where the participant wrote.
    preferred_channel: Mapped[Channel] = mapped_column(string_enum(Channel, 16), server_default=Channel.SMS.value)
    counselor_id: Mapped[int] = mapped_column(ForeignKey("counselors.id"), index=True)
    status: Mapped[ProgrammeStatus] = mapped_column(string_enum(ProgrammeStatus, 32))
    #: The current consent; the ledger (consent.ConsentEvent) holds how it came to be.
    consent_state: Mapped[ConsentState] = mapped_column(string_enum(ConsentState, 32))
    enrolled_at: Mapped[datetime]
    #: When the participant last wrote (a two-way contact): what disengagement is measured from.
    last_heard_at: Mapped[datetime | None]
    #: The weekday of the weekly check-in text, Monday 0 … Sunday 6.
    check_in_day: Mapped[int] = mapped_column(server_default="0")
    #: The day they left the programme (status EXITED): follow-ups count from it.
    exited_on: Mapped[date | None]
    #: A counselor paused outreach up to and including this day.
    outreach_paused_until: Mapped[date | None]
    #: When their counselor last opened the transcript: inbound messages after it are unread.
    transcript_read_at: Mapped[datetime | None]
    #: The county's case reference (CalSAWS), for counselors' queues and exports only: never in a
    #: text to the participant, never in a note's text (notes/check.py refuses case numbers there).
    case_number: Mapped[str | None] = mapped_column(String(32))

    counselor: Mapped[Counselor] = relationship(back_populates="participants")

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def find_participant_by_phone(session: Session, phone: str) -> Participant | None:
    return session.scalars(select(Participant).where(Participant.phone == phone)).one_or_none()


def find_counselor_by_email(session: Session, email: str) -> Counselor | None:
    return session.scalars(select(Counselor).where(Counselor.email == email.strip().lower())).one_or_none()


@dataclass(frozen=True)
class Correspondent:
    """A participant as a conversation needs them: read in one query with their counselor and
    where their conversation was left (None before the first message)."""

    id: int
    first_name: str
    language: Language
    time_zone: str
    consent_state: ConsentState
    counselor_name: str
    counselor_phone: str | None
    conversation: SavedConversation | None
    weekly_required_hours: int
    reporting_period: ReportingPeriod
    activities: tuple[Activity, ...]
    enrolled_at: datetime


_PARTICIPANTS = table_of(Participant)
_COUNSELORS = table_of(Counselor)
_STATES = table_of(ConversationRecord)
#: A participant with their counselor and saved conversation (`correspondent_from` reads a row).
CORRESPONDENT = (
    select(
        _PARTICIPANTS.c.id,
        _PARTICIPANTS.c.first_name,
        _PARTICIPANTS.c.language,
        _PARTICIPANTS.c.time_zone,
        _PARTICIPANTS.c.consent_state,
        _PARTICIPANTS.c.weekly_required_hours,
        _PARTICIPANTS.c.reporting_period,
        _PARTICIPANTS.c.activities,
        _PARTICIPANTS.c.enrolled_at,
        _COUNSELORS.c.first_name.label("counselor_first"),
        _COUNSELORS.c.last_name.label("counselor_last"),
        _COUNSELORS.c.phone.label("counselor_phone"),
        _STATES.c.flow,
        _STATES.c.step,
        _STATES.c.data,
        _STATES.c.updated_at,
    )
    .join(_COUNSELORS, _PARTICIPANTS.c.counselor_id == _COUNSELORS.c.id)
    .outerjoin(_STATES, _STATES.c.participant_id == _PARTICIPANTS.c.id)
)
_BY_PHONE = CORRESPONDENT.where(_PARTICIPANTS.c.phone == bindparam("phone"))
_BY_ID = CORRESPONDENT.where(_PARTICIPANTS.c.id == bindparam("participant_id"))
# Locking the participant's row makes one person's messages take turns, whatever channel they come
# on. On SQLite the transaction's write lock (BEGIN IMMEDIATE) already does, and the read sees every
# commit before it. On PostgreSQL a statement that waited for a row lock still returns the other
# tables' rows as they were when it began: read with the lock, the conversation would be the one
# from before the message that held the lock. So there the lock is its own statement, and the read
# comes after it.
_PREPARED = {statement: Prepared(statement) for statement in (_BY_PHONE, _BY_ID)}
_LOCK_BY_PHONE = Prepared(
    select(_PARTICIPANTS.c.id).where(_PARTICIPANTS.c.phone == bindparam("phone")).with_for_update()
)
_LOCK_BY_ID = Prepared(
    select(_PARTICIPANTS.c.id).where(_PARTICIPANTS.c.id == bindparam("participant_id")).with_for_update()
)


def find_correspondent(session: Session, phone: str, lock: bool) -> Correspondent | None:
    """The participant with this phone; `lock` takes their row so one person's messages queue."""
    return _correspondent(session, _BY_PHONE, {"phone": phone}, lock)


def find_correspondent_by_id(session: Session, participant_id: int, lock: bool) -> Correspondent | None:
    """The participant an address on another channel (a Telegram chat) was linked to."""
    return _correspondent(session, _BY_ID, {"participant_id": participant_id}, lock)


def lock_participant(session: Session, phone: str | None = None, participant_id: int | None = None) -> int | None:
    """Where row locks need a statement of their own (PostgreSQL, above): lock the participant with
    this phone or id, and return their id (None if there is none). Elsewhere nothing to do: the id
    given, or None to read by phone."""
    if dialect_name(session) != "postgresql":
        return participant_id
    if participant_id is not None:
        row = _LOCK_BY_ID.first(session, {"participant_id": participant_id})
    else:
        row = _LOCK_BY_PHONE.first(session, {"phone": phone})
    return int(row[0]) if row is not None else None


def _correspondent(
    session: Session, statement: Select[Any], params: dict[str, Any], lock: bool
) -> Correspondent | None:
    if lock and dialect_name(session) == "postgresql":
        locked = lock_participant(session, params.get("phone"), params.get("participant_id"))
        if locked is None:
            return None
        statement, params = _BY_ID, {"participant_id": locked}
    row = _PREPARED[statement].first(session, params)
    return correspondent_from(row) if row is not None else None


#: The columns `correspondent_from` reads, for statements that read more beside them.
CORRESPONDENT_COLUMNS = len(CORRESPONDENT.selected_columns)


def correspondent_from(row: Sequence[Any]) -> Correspondent:
    """A participant from the first CORRESPONDENT_COLUMNS columns of a row of `CORRESPONDENT`."""
    (
        participant_id,
        first_name,
        language,
        time_zone,
        consent_state,
        weekly_required_hours,
        reporting_period,
        activities,
        enrolled_at,
        counselor_first,
        counselor_last,
        counselor_phone,
        flow,
        step,
        data,
        updated_at,
    ) = row[:CORRESPONDENT_COLUMNS]
    saved = SavedConversation(flow, step, data, updated_at) if flow is not None else None
    return Correspondent(
        participant_id,
        first_name,
        language,
        time_zone,
        consent_state,
        f"{counselor_first} {counselor_last}",
        counselor_phone,
        saved,
        weekly_required_hours,
        reporting_period,
        tuple(Activity(name) for name in activities),
        enrolled_at,
    )


def set_participant(session: Session, participant_id: int, **values: Any) -> None:
    """Change a participant's current language or consent without loading them."""
    session.execute(update(_PARTICIPANTS).where(_PARTICIPANTS.c.id == participant_id).values(**values))
