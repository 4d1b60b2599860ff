"""Helpers for the case-note tests: conversations replayed and drafted, notes written as text."""

from sqlalchemy import select

from bot.app import Service
from casefile.case_notes import CaseNote
from tests.channels import ConsoleAdapter
from tests.support import FixedClock
from tests.transcripts import TRANSCRIPTS, load, replay


def drafted_after(name: str, service: Service, clock: FixedClock) -> list[CaseNote]:
    """Replay a recorded conversation, let its last contact go quiet, run the notes job."""
    replay(load(TRANSCRIPTS / f"{name}.txt"), ConsoleAdapter(service, clock), clock)
    clock.advance(hours=3)
    service.draft_notes()
    with service.sessions.begin() as session:
        return list(session.scalars(select(CaseNote).order_by(CaseNote.id)))


def as_text(notes: list[CaseNote]) -> str:
    """The notes as the golden files hold them: subject, then the title and body as drafted."""
    return "\n\n".join(f"## {note.subject}\nTitle: {note.title}\n{note.draft_body}" for note in notes) + "\n"
