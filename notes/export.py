"""Approved notes out of Waypoint: copy-ready text for a CalSAWS Journal entry, and CSV or JSON
of a date range for a county's own import."""

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.case_notes import CaseNote, NoteAddendum
from casefile.people import Counselor
from casefile.vocabulary import NoteState
from notes.render import us_date
from notes.review import visible

#: A journal entry's short description holds this many characters; the title is cut to fit.
SHORT_DESCRIPTION = 100
FORMATS = ("journal", "csv", "json")
CSV_FIELDS = [
    "note_id",
    "participant_id",
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


def approved_between(session: Session, counselor: Counselor, first: date, last: date) -> list[ApprovedNote]:
    """The approved notes this counselor may see whose contact date lies in [first, last]."""
    notes = session.scalars(
        visible(counselor)
        .where(CaseNote.state == NoteState.APPROVED, CaseNote.contact_date.between(first, last))
        .order_by(CaseNote.contact_date, CaseNote.id)
    ).all()
    names = {c.id: c.display_name for c in session.scalars(select(Counselor))}
    addenda: dict[int, list[tuple[NoteAddendum, str]]] = {note.id: [] for note in notes}
    if notes:
        for addendum in session.scalars(
            select(NoteAddendum).where(NoteAddendum.note_id.in_(list(addenda))).order_by(NoteAddendum.id)
        ):
            addenda[addendum.note_id].append((addendum, names[addendum.counselor_id]))
    return [ApprovedNote(note, names[note.reviewed_by or 0], addenda[note.id]) for note in notes]


def journal_text(entry: ApprovedNote) -> str:
    """One note laid out as a CalSAWS Journal entry: short description, then the long description."""
    note = entry.note
    lines = [
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
        return "\n\n----------\n\n".join(journal_text(entry) for entry in entries) + ("\n" if entries else "")
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


def _row(entry: ApprovedNote) -> dict[str, Any]:
    note = entry.note
    return {
        "note_id": note.id,
        "participant_id": note.participant_id,
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
