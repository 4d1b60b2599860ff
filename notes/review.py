"""The counselor's review: see the queue, approve (as drafted or edited), reject, add addenda.

Who sees what: a counselor their own caseload's notes, a supervisor their unit's. Only the
participant's own counselor decides on a draft; the counselor or their supervisor may add an
addendum to an approved note. Every action leaves an audit record, with the text before and after.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from casefile.case_notes import CaseNote, NoteAddendum, NoteAudit
from casefile.messages import Message
from casefile.people import Counselor, Participant
from casefile.vocabulary import NoteState, Role
from notes.check import check_note, check_text


class NoteNotFound(Exception):
    """No such note, or not one this counselor may see: the same answer for both."""


class ReviewRefused(Exception):
    """The action is not allowed on this note, or its text does not pass the check: says why."""


@dataclass(frozen=True)
class NoteView:
    note: CaseNote
    late: bool
    addenda: list[NoteAddendum]
    audit: list[NoteAudit]
    messages: list[Message]


def visible(counselor: Counselor) -> Select[CaseNote]:
    """The notes this counselor may see, as a query to narrow further."""
    query = select(CaseNote).join(Participant, Participant.id == CaseNote.participant_id)
    if counselor.role is Role.SUPERVISOR and counselor.unit:
        unit = select(Counselor.id).where(Counselor.unit == counselor.unit)
        return query.where(Participant.counselor_id.in_(unit))
    return query.where(Participant.counselor_id == counselor.id)


def queue(
    session: Session,
    counselor: Counselor,
    now: datetime,
    state: NoteState | None = NoteState.DRAFT,
    participant_id: int | None = None,
) -> list[tuple[CaseNote, bool]]:
    """Notes oldest first, each with whether it is late (an unreviewed draft past its due time)."""
    query = visible(counselor).order_by(CaseNote.drafted_at, CaseNote.id)
    if state is not None:
        query = query.where(CaseNote.state == state)
    if participant_id is not None:
        query = query.where(CaseNote.participant_id == participant_id)
    return [(note, is_late(note, now)) for note in session.scalars(query)]


def is_late(note: CaseNote, now: datetime) -> bool:
    return note.state is NoteState.DRAFT and now >= note.due_at


def get(session: Session, counselor: Counselor, note_id: int) -> CaseNote:
    note = session.scalars(visible(counselor).where(CaseNote.id == note_id)).one_or_none()
    if note is None:
        raise NoteNotFound(note_id)
    return note


def view(session: Session, counselor: Counselor, note_id: int, now: datetime) -> NoteView:
    """A note with what a reviewer needs: its addenda, its audit trail and the messages it cites."""
    note = get(session, counselor, note_id)
    cited = sorted(
        {i for sentence in note.sources for i in (*sentence["message_ids"], *sentence.get("confirmed_by", ()))}
    )
    return NoteView(
        note,
        is_late(note, now),
        list(session.scalars(select(NoteAddendum).where(NoteAddendum.note_id == note.id).order_by(NoteAddendum.id))),
        list(session.scalars(select(NoteAudit).where(NoteAudit.note_id == note.id).order_by(NoteAudit.id))),
        list(session.scalars(select(Message).where(Message.id.in_(cited)).order_by(Message.id))) if cited else [],
    )


def approve(session: Session, counselor: Counselor, note_id: int, now: datetime, edited: str | None = None) -> CaseNote:
    """Approve the draft as it stands, or with the counselor's edit (the draft is kept beside it).
    The text that enters the record must pass the check."""
    note = _decidable(session, counselor, note_id)
    body = note.draft_body if edited is None or edited.strip() == note.draft_body else edited.strip()
    problems = check_note(note.title, body, note.contact_date)
    if problems:
        raise ReviewRefused("the note cannot be approved: " + "; ".join(problems))
    note.final_body, note.edited = body, body != note.draft_body
    note.state, note.reviewed_by, note.reviewed_at = NoteState.APPROVED, counselor.id, now
    _audit(
        session, note.id, counselor, "edited_and_approved" if note.edited else "approved", now, note.draft_body, body
    )
    return note


def reject(session: Session, counselor: Counselor, note_id: int, reason: str, now: datetime) -> CaseNote:
    if not reason.strip():
        raise ReviewRefused("say why the draft is rejected")
    note = _decidable(session, counselor, note_id)
    note.state, note.reviewed_by, note.reviewed_at, note.reject_reason = (
        NoteState.REJECTED,
        counselor.id,
        now,
        reason.strip(),
    )
    _audit(session, note.id, counselor, "rejected", now, note.draft_body, None, detail=reason.strip())
    return note


def add_addendum(session: Session, counselor: Counselor, note_id: int, text: str, now: datetime) -> NoteAddendum:
    """A correction or addition to an approved note, which itself stays as it was approved."""
    note = get(session, counselor, note_id)
    if note.state is not NoteState.APPROVED:
        raise ReviewRefused("only an approved note takes an addendum; a draft can still be edited")
    problems = check_text(text, now.date()) if text.strip() else ["the addendum is empty"]
    if problems:
        raise ReviewRefused("the addendum cannot be added: " + "; ".join(problems))
    addendum = NoteAddendum(note_id=note.id, counselor_id=counselor.id, body=text.strip(), created_at=now)
    session.add(addendum)
    _audit(session, note.id, counselor, "addendum", now, None, addendum.body)
    return addendum


def _decidable(session: Session, counselor: Counselor, note_id: int) -> CaseNote:
    note = get(session, counselor, note_id)
    owner = session.scalar(select(Participant.counselor_id).where(Participant.id == note.participant_id))
    if owner != counselor.id:
        raise ReviewRefused("only the participant's own counselor approves or rejects their notes")
    if note.state is not NoteState.DRAFT:
        raise ReviewRefused(f"the note is {note.state.value} already; add an addendum to correct it")
    return note


def _audit(
    session: Session,
    note_id: int | None,
    counselor: Counselor,
    action: str,
    at: datetime,
    before: str | None,
    after: str | None,
    detail: str | None = None,
) -> None:
    session.add(
        NoteAudit(
            note_id=note_id, counselor_id=counselor.id, action=action, at=at, before=before, after=after, detail=detail
        )
    )
    session.flush()


def record_export(session: Session, counselor: Counselor, notes: list[CaseNote], what: str, at: datetime) -> None:
    """An export is an action on the record too: who took which notes out, when, in which form."""
    _audit(
        session,
        None,
        counselor,
        "exported",
        at,
        None,
        None,
        detail=f"{what}: notes {', '.join(str(note.id) for note in notes) or 'none'}",
    )
