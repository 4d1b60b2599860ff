"""The pages a counselor reads: caseload, needs-me queue, participant, and their documents."""

from datetime import timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from casefile.handoffs import open_handoff_of
from console.attention import queue
from console.caseload import Filter, Sort, caseload
from console.handoffs import REASONS as HANDOFF_REASONS
from console.participant import ParticipantNotFound, mark_read, own_document, participant_page
from console.web import ConsoleConfig, Viewer, database, no_store, render, viewer_dependency

FILTER_LABELS = {
    Filter.ALL: "Everyone",
    Filter.NEEDS_ME: "Needs me",
    Filter.UNREAD: "Unread",
    Filter.DISENGAGED: "Disengaged",
    Filter.HOURS_SHORT: "Hours short",
    Filter.OPTED_OUT: "Opted out",
}
SORT_LABELS = {
    Sort.NAME: "Name",
    Sort.LAST_CONTACT: "Longest silence",
    Sort.OPEN_ITEMS: "Open items",
    Sort.HOURS: "Hours short first",
}


def pages_router(config: ConsoleConfig) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    viewer = viewer_dependency(config)
    open_db = database(config)
    Me = Annotated[Viewer, Depends(viewer)]  # noqa: N806 (a type alias, named as one)
    Db = Annotated[Session, Depends(open_db, scope="function")]  # noqa: N806 (a type alias, named as one)

    @router.get("/")
    def home() -> Response:
        return RedirectResponse("/caseload", status_code=303)

    @router.get("/caseload")
    def caseload_page(
        request: Request, me: Me, session: Db, q: str = "", show: str = "all", sort: str = "name"
    ) -> Response:
        shown = Filter(show) if show in Filter._value2member_map_ else Filter.ALL
        order = Sort(sort) if sort in Sort._value2member_map_ else Sort.NAME
        now = config.clock()
        today = now.astimezone(ZoneInfo(config.time_zone)).date()
        week_start = today - timedelta(days=today.weekday())
        rows = caseload(session, me.counselor_id, now, week_start, q[:80], shown, order)
        return render(
            request,
            config,
            session,
            me,
            "caseload.html",
            rows=rows,
            q=q[:80],
            show=shown,
            sort=order,
            filters=FILTER_LABELS,
            sorts=SORT_LABELS,
            week_start=week_start,
        )

    @router.get("/queue")
    def queue_page(request: Request, me: Me, session: Db) -> Response:
        return render(request, config, session, me, "queue.html", items=queue(session, me.counselor_id))

    @router.get("/participants/{participant_id}")
    def participant(
        request: Request, participant_id: int, me: Me, session: Db, all: bool = False, at: int | None = None
    ) -> Response:
        now = config.clock()
        try:
            page = participant_page(session, me.counselor_id, participant_id, now, all, at)
        except ParticipantNotFound:
            return not_found(request, session, me)
        mark_read(session, page.participant, now)
        return render(
            request,
            config,
            session,
            me,
            "participant.html",
            page=page,
            p=page.participant,
            anchor=at,
            zone=ZoneInfo(page.participant.time_zone),
            handoff=open_handoff_of(session, page.participant.id),
            handoff_reasons=HANDOFF_REASONS,
            telegram_bot=config.telegram_bot_username,
        )

    @router.get("/participants/{participant_id}/documents/{document_id}")
    def document(request: Request, participant_id: int, document_id: int, me: Me, session: Db) -> Response:
        try:
            found = own_document(session, me.counselor_id, participant_id, document_id)
        except ParticipantNotFound:
            return not_found(request, session, me)
        assert found.path is not None
        root = config.documents_dir.resolve()
        path = (root / found.path).resolve()
        if root not in path.parents or not path.is_file():
            return not_found(request, session, me)
        # Served inline, as received, with its own type; never from a public, guessable URL.
        response = FileResponse(
            path,
            media_type=found.content_type,
            filename=f"document-{found.id}{path.suffix}",
            content_disposition_type="inline",
        )
        no_store(response)
        response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
        return response

    def not_found(request: Request, session: Session, me: Viewer) -> Response:
        return render(request, config, session, me, "not_found.html", 404)

    return router
