"""Approved notes out of Waypoint: copy-ready text for a CalSAWS Journal entry, and CSV or JSON
of a date range for a county's own import. Every export names the participant and their case number
and is grouped by participant, so that no note is pasted into the wrong case."""

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.case_notes import CaseNote, NoteAddendum
from casefile.people import Counselor
from casefile.vocabulary import NoteState
from notes.journal import JournalTypes, ParticipantName, load_journal_types, names_of
from notes.render import us_date
from notes.review import record_export, visible

#: A journal entry's short description holds this many characters; the title is cut to fit.
SHORT_DESCRIPTION = 100
FORMATS = ("journal", "csv", "json")
CSV_FIELDS = [
    "note_id",
    "participant_id",
    "participant_name",
    "case_number",
    "journal_type",
    "contact_date",
    "title",
    "text",
    "edited",
    "approved_by",
    "approved_at",
    "addenda",
]


@dataclass(frozen=True)
class ApprovedNote:
    note: CaseNote
    approver: str
    addenda: list[tuple[NoteAddendum, str]]
    participant: ParticipantName
    journal_type: str


def export_range(
    session: Session,
    counselor: Counselor,
    first: date,
    last: date,
    form: str,
    at: datetime,
    journal_types: JournalTypes | None = None,
) -> str:
    """The approved notes of [first, last] in this form (`FORMATS`); the export itself is audited."""
    entries = approved_between(session, counselor, first, last, journal_types)
    record_export(session, counselor, [entry.note for entry in entries], f"{form} {first}..{last}", at)
    return export(entries, form)


def approved_between(
    session: Session, counselor: Counselor, first: date, last: date, journal_types: JournalTypes | None = None
) -> list[ApprovedNote]:
    """The approved notes this counselor may see whose contact date lies in [first, last], grouped
    by participant (by name), each participant's in date order."""
    notes = session.scalars(
        visible(counselor)
        .where(CaseNote.state == NoteState.APPROVED, CaseNote.contact_date.between(first, last))
        .order_by(CaseNote.contact_date, CaseNote.id)
    ).all()
    entries = _with_addenda(session, list(notes), journal_types)
    return sorted(entries, key=lambda entry: (entry.participant.sort_key, entry.note.contact_date, entry.note.id))


def approved_note(
    session: Session, counselor: Counselor, note_id: int, journal_types: JournalTypes | None = None
) -> ApprovedNote | None:
    """One approved note this counselor may see, ready to export; None if it is not approved."""
    note = session.scalars(
        visible(counselor).where(CaseNote.id == note_id, CaseNote.state == NoteState.APPROVED)
    ).one_or_none()
    return _with_addenda(session, [note], journal_types)[0] if note is not None else None


def _with_addenda(session: Session, notes: list[CaseNote], journal_types: JournalTypes | None) -> list[ApprovedNote]:
    """The notes with their addenda and the names of who approved and who added, in two queries."""
    if not notes:
        return []
    addenda: dict[int, list[NoteAddendum]] = {note.id: [] for note in notes}
    for addendum in session.scalars(
        select(NoteAddendum).where(NoteAddendum.note_id.in_(list(addenda))).order_by(NoteAddendum.id)
    ):
        addenda[addendum.note_id].append(addendum)
    people = {note.reviewed_by for note in notes} | {a.counselor_id for each in addenda.values() for a in each}
    names = {c.id: c.display_name for c in session.scalars(select(Counselor).where(Counselor.id.in_(people)))}
    participants = names_of(session, {note.participant_id for note in notes})
    types = journal_types or load_journal_types()
    return [
        ApprovedNote(
            note,
            names[note.reviewed_by or 0],
            [(a, names[a.counselor_id]) for a in addenda[note.id]],
            participants[note.participant_id],
            types.of(note.subject),
        )
        for note in notes
    ]


def journal_text(entry: ApprovedNote) -> str:
    """One note laid out as a CalSAWS Journal entry: short description, then the long description."""
    note = entry.note
    lines = [
        f"Participant: {entry.participant.label}",
        f"Journal Type: {entry.journal_type}",
        f"Short Description: {note.title[:SHORT_DESCRIPTION]}",
        f"Contact Date: {us_date(note.contact_date)}",
        "Long Description:",
        note.final_body or "",
        f"Approved by {entry.approver} on {us_date(note.reviewed_at.date()) if note.reviewed_at else ''}.",
    ]
    for addendum, author in entry.addenda:
        lines.append(f"Addendum {us_date(addendum.created_at.date())} ({author}): {addendum.body}")
    return "\n".join(lines)


def export(entries: list[ApprovedNote], form: str) -> str:
    if form == "journal":
        return "".join(_journal_group(group) for group in _by_participant(entries))
    rows = [_row(entry) for entry in entries]
    if form == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if form == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, CSV_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    raise ValueError(f"unknown export format {form!r}: one of {', '.join(FORMATS)}")


def _by_participant(entries: list[ApprovedNote]) -> list[list[ApprovedNote]]:
    groups: dict[int, list[ApprovedNote]] = {}
    for entry in entries:
        groups.setdefault(entry.participant.id, []).append(entry)
    return list(groups.values())


def _journal_group(entries: list[ApprovedNote]) -> str:
    """One participant's entries under a banner naming them, so each group goes into one case."""
    who = entries[0].participant
    banner = (
        f"==================== {who.label}: {len(entries)} note{'s' if len(entries) != 1 else ''} ===================="
    )
    return banner + "\n\n" + "\n\n----------\n\n".join(journal_text(entry) for entry in entries) + "\n\n"


def _row(entry: ApprovedNote) -> dict[str, Any]:
    note = entry.note
    return {
        "note_id": note.id,
        "participant_id": note.participant_id,
        "participant_name": entry.participant.full_name,
        "case_number": entry.participant.case_number,
        "journal_type": entry.journal_type,
        "contact_date": note.contact_date.isoformat(),
        "title": note.title,
        "text": note.final_body,
        "edited": note.edited,
        "approved_by": entry.approver,
        "approved_at": note.reviewed_at.isoformat() if note.reviewed_at else None,
        "addenda": " | ".join(
            f"{addendum.created_at.date().isoformat()} {author}: {addendum.body}" for addendum, author in entry.addenda
        ),
    }
