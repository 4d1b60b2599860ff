"""Moving a participant to another counselor of the unit, by their supervisor, with a note.

The participant's row changes counselor in one conditional UPDATE (still on the caseload the
supervisor saw, still in the unit), so two supervisors' clicks cannot both move them. From then
on every query that names a caseload follows: the new counselor sees the whole history, open items
and drafts; the old one gets a 404. A `participant_transferred` fact records who, from whom, to
whom and the note: it is the audit, the marker in the transcript, and an item in the new
counselor's queue so they read the note.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casefile.facts import EventRecord, ParticipantTransferred, record_fact
from casefile.people import Counselor, Participant
from console.unit import NotInUnit, UnitMembers

#: A note is a few sentences for the next counselor, not a case file.
NOTE_LIMIT = 1000


class TransferRefused(ValueError):
    """The transfer cannot be made as asked: says why, for the supervisor."""


def unit_participant(session: Session, unit: UnitMembers, participant_id: int) -> Participant:
    """A participant of a caseload in the unit, or NotInUnit."""
    participant = session.scalars(
        select(Participant).where(
            Participant.id == participant_id, Participant.counselor_id.in_([m.id for m in unit.members])
        )
    ).one_or_none()
    if participant is None:
        raise NotInUnit(participant_id)
    return participant


def transfer(
    session: Session,
    unit: UnitMembers,
    supervisor_id: int,
    participant_id: int,
    to_counselor_id: int,
    note: str,
    now: datetime,
) -> Participant:
    """Move the participant to `to_counselor_id` with the supervisor's note."""
    participant = unit_participant(session, unit, participant_id)
    words = note.strip()
    if not words:
        raise TransferRefused("Write a note for the new counselor: why, and what is open.")
    if len(words) > NOTE_LIMIT:
        raise TransferRefused(f"Keep the note under {NOTE_LIMIT} characters.")
    target = next((m for m in unit.members if m.id == to_counselor_id), None)
    if target is None or target.disabled:
        raise TransferRefused("Pick a counselor of your unit whose account is active.")
    before = participant.counselor_id
    if before == to_counselor_id:
        raise TransferRefused(f"{participant.first_name} is already on {target.name}'s caseload.")
    moved = session.execute(
        update(Participant)
        .where(Participant.id == participant.id, Participant.counselor_id == before)
        .values(counselor_id=to_counselor_id)
        .returning(Participant.id)
    ).one_or_none()
    if moved is None:
        raise TransferRefused("Someone moved this participant a moment ago: look again before moving them.")
    fact = ParticipantTransferred(before, to_counselor_id, supervisor_id, words)
    record_fact(session, fact, participant.id, None, None, now)
    session.refresh(participant)
    return participant


@dataclass(frozen=True)
class TransferMarker:
    """A line in the transcript: the participant changed counselor here."""

    id: int
    at: datetime
    from_name: str
    to_name: str
    note: str


def transfer_markers(session: Session, participant_id: int) -> list[TransferMarker]:
    """Every transfer of the participant, oldest first, with the counselors' names."""
    events = session.scalars(
        select(EventRecord)
        .where(EventRecord.participant_id == participant_id, EventRecord.kind == ParticipantTransferred.kind)
        .order_by(EventRecord.occurred_at, EventRecord.id)
    ).all()
    ids = {event.payload[key] for event in events for key in ("from_counselor_id", "to_counselor_id")}
    names = {
        row.id: f"{row.first_name} {row.last_name}"
        for row in session.execute(
            select(Counselor.id, Counselor.first_name, Counselor.last_name).where(Counselor.id.in_(ids))
        )
    }
    return [
        TransferMarker(
            event.id,
            event.occurred_at,
            names.get(event.payload["from_counselor_id"], "another counselor"),
            names.get(event.payload["to_counselor_id"], "another counselor"),
            str(event.payload["text"]),
        )
        for event in events
    ]
