"""Note review in the browser: the queue of drafts, a draft beside the messages it came from, and
approve / edit-then-approve / reject / addendum / export — the same review (notes/review.py) and
the same audit as the CLI and the API, for the counselors who work in the console all day."""

from datetime import date, timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from casefile.people import Counselor, Participant
from casefile.vocabulary import NoteState
from console.web import (
    ConsoleConfig,
    Viewer,
    acting_dependency,
    database,
    no_store,
    posted_form,
    render,
    viewer_dependency,
)
from notes import review
from notes.export import FORMATS, approved_note, export_range, journal_text
from notes.journal import names_of

#: Why a counselor sends a draft back, the reasons they pick most; "Other" takes their own words.
REJECT_REASONS = (
    "Facts are wrong or incomplete",
    "Belongs to another participant",
    "Not a contact that needs a note",
    "Duplicate of another note",
    "Other",
)
EXPORT_TYPES = {"journal": "text/plain; charset=utf-8", "csv": "text/csv; charset=utf-8", "json": "application/json"}


def review_router(config: ConsoleConfig) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    open_db = database(config)
    Reader = Annotated[Viewer, Depends(viewer_dependency(config))]  # noqa: N806 (a type alias, named as one)
    Actor = Annotated[Viewer, Depends(acting_dependency(config))]  # noqa: N806 (a type alias, named as one)
    Db = Annotated[Session, Depends(open_db, scope="function")]  # noqa: N806 (a type alias, named as one)
    Form = Annotated[dict[str, str], Depends(posted_form)]  # noqa: N806 (a type alias, named as one)

    def counselor(session: Session, me: Viewer) -> Counselor:
        found = session.get(Counselor, me.counselor_id)
        assert found is not None  # the session was just checked against this account
        return found

    @router.get("/notes")
    def queue_page(request: Request, me: Reader, session: Db) -> Response:
        now = config.clock()
        drafts = review.queue(session, counselor(session, me), now)
        names = names_of(session, {note.participant_id for note, _ in drafts})
        today = now.date()
        return render(
            request, config, session, me, "notes.html",
            drafts=drafts, names=names, formats=FORMATS,
            first=today.replace(day=1).isoformat(), last=today.isoformat(),
        )

    @router.get("/notes/export")
    def export(me: Reader, session: Db, first: date, last: date, form: str = "journal") -> Response:
        if form not in EXPORT_TYPES or last < first or last - first > timedelta(days=366):
            return RedirectResponse("/notes?error=" + quote("Pick a format and a range of a year at most."), 303)
        text = export_range(session, counselor(session, me), first, last, form, config.clock())
        response = Response(text, media_type=EXPORT_TYPES[form])
        suffix = {"journal": "txt"}.get(form, form)
        response.headers["Content-Disposition"] = f'attachment; filename="notes-{first}-{last}.{suffix}"'
        no_store(response)
        return response

    @router.get("/notes/{note_id}")
    def note_page(request: Request, note_id: int, me: Reader, session: Db) -> Response:
        return show(request, session, me, note_id)

    @router.post("/notes/{note_id}/approve")
    def approve(request: Request, note_id: int, me: Actor, session: Db, form: Form) -> Response:
        edited = form.get("body") or None
        try:
            review.approve(session, counselor(session, me), note_id, config.clock(), edited)
        except review.NoteNotFound:
            return render(request, config, session, me, "not_found.html", 404)
        except review.ReviewRefused as refused:
            # The page again with the check's problems and the counselor's words in the editor.
            return show(request, session, me, note_id, str(refused), edited, 422)
        return after_decision(session, me, note_id, "Approved.")

    @router.post("/notes/{note_id}/reject")
    def reject(request: Request, note_id: int, me: Actor, session: Db, form: Form) -> Response:
        reason, words = form.get("reason", ""), form.get("details", "").strip()
        if reason not in REJECT_REASONS or (reason == "Other" and not words):
            return show(request, session, me, note_id, "Pick a reason (and say it in your words for Other).", None, 422)
        text = words if reason == "Other" else f"{reason}. {words}".strip()
        try:
            review.reject(session, counselor(session, me), note_id, text, config.clock())
        except review.NoteNotFound:
            return render(request, config, session, me, "not_found.html", 404)
        except review.ReviewRefused as refused:
            return show(request, session, me, note_id, str(refused), None, 422)
        return after_decision(session, me, note_id, "Rejected.")

    @router.post("/notes/{note_id}/addenda")
    def addendum(request: Request, note_id: int, me: Actor, session: Db, form: Form) -> Response:
        try:
            review.add_addendum(session, counselor(session, me), note_id, form.get("text", ""), config.clock())
        except review.NoteNotFound:
            return render(request, config, session, me, "not_found.html", 404)
        except review.ReviewRefused as refused:
            return show(request, session, me, note_id, str(refused), None, 422)
        return RedirectResponse(f"/notes/{note_id}?notice=" + quote("Addendum added."), 303)

    def show(
        request: Request, session: Session, me: Viewer, note_id: int,
        problem: str | None = None, edited: str | None = None, status: int = 200,
    ) -> Response:
        now = config.clock()
        reviewer = counselor(session, me)
        try:
            seen = review.view(session, reviewer, note_id, now)
        except review.NoteNotFound:
            return render(request, config, session, me, "not_found.html", 404)
        ids = [note.id for note, _ in review.queue(session, reviewer, now)]
        at = ids.index(note_id) if note_id in ids else None
        approved = approved_note(session, reviewer, note_id)
        participant = session.get(Participant, seen.note.participant_id)
        return render(
            request, config, session, me, "note.html", status,
            seen=seen, note=seen.note, who=names_of(session, [seen.note.participant_id])[seen.note.participant_id],
            may_decide=seen.note.state is NoteState.DRAFT and participant is not None
            and participant.counselor_id == reviewer.id,
            previous_id=ids[at - 1] if at else None,
            next_id=ids[at + 1] if at is not None and at + 1 < len(ids) else None,
            reasons=REJECT_REASONS, problem=problem, edited=edited,
            journal=journal_text(approved) if approved is not None else None,
        )

    def after_decision(session: Session, me: Viewer, note_id: int, done: str) -> Response:
        """On to the next draft in the queue, so that a counselor can clear it without the mouse."""
        waiting = review.queue(session, counselor(session, me), config.clock())
        following = next((note.id for note, _ in waiting if note.id != note_id), None)
        target = f"/notes/{following}" if following is not None else "/notes"
        return RedirectResponse(f"{target}?notice=" + quote(done), 303)

    return router

