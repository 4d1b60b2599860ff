"""Handoffs in the console: a participant handed from the bot to their counselor shows as such on
their page, and the counselor closes the handoff there when they have answered, so that the bot
resumes where the participant was (casefile/handoffs.py keeps the rows and the facts)."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from casefile.handoffs import close_handoff
from console.participant import ParticipantNotFound, own_participant
from console.web import ConsoleConfig, Viewer, acting_dependency, database, posted_form, render

#: How the page says why the bot stepped aside.
REASONS = {
    "safety": "a safety concern",
    "person_requested": "they asked for a person",
    "not_understood": "the bot could not understand them",
}


def handoffs_router(config: ConsoleConfig) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    Me = Annotated[Viewer, Depends(acting_dependency(config))]  # noqa: N806 (a type alias, named as one)
    Db = Annotated[Session, Depends(database(config), scope="function")]  # noqa: N806 (a type alias, named as one)
    Form = Annotated[dict[str, str], Depends(posted_form)]  # noqa: N806 (a type alias, named as one)

    @router.post("/participants/{participant_id}/handoff/close")
    def close(request: Request, participant_id: int, me: Me, session: Db, form: Form) -> Response:
        try:
            participant = own_participant(session, me.counselor_id, participant_id)
        except ParticipantNotFound:
            return render(request, config, session, me, "not_found.html", 404)
        closed = close_handoff(session, participant.id, me.counselor_id, config.clock())
        notice = "Handoff closed: the bot picks up where they were." if closed else "There was no open handoff."
        return RedirectResponse(f"/participants/{participant.id}?notice={quote(notice)}", status_code=303)

    return router
