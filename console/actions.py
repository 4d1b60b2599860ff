"""What a counselor changes from the console: each a POST with a CSRF token, answered by a redirect
back to the page (303), each recorded with who and when."""

from datetime import date
from typing import Annotated
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from casefile.addresses import create_link_code
from casefile.outreach import OutreachChangeRefused, cancel_by_counselor, edit_queued, pause_outreach
from casefile.vocabulary import Channel
from console.attention import ItemNotFound, TaskResultRefused, mark_handled, record_task_result
from console.compose import TextRefused, queue_counselor_text
from console.participant import ParticipantNotFound, own_participant, participant_page
from console.web import ConsoleConfig, Viewer, acting_dependency, database, posted_form, render, safe_next


def actions_router(config: ConsoleConfig) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    acting = acting_dependency(config)
    open_db = database(config)
    Me = Annotated[Viewer, Depends(acting)]  # noqa: N806 (a type alias, named as one)
    Db = Annotated[Session, Depends(open_db, scope="function")]  # noqa: N806 (a type alias, named as one)
    Form = Annotated[dict[str, str], Depends(posted_form)]  # noqa: N806 (a type alias, named as one)

    def back(path: str, notice: str | None = None, error: str | None = None) -> Response:
        query = f"notice={quote(notice)}" if notice else f"error={quote(error)}" if error else ""
        separator = "&" if "?" in path else "?"
        target = f"{path}{separator}{query}" if query else path
        return RedirectResponse(target, status_code=303)

    def missing(request: Request, session: Session, me: Viewer) -> Response:
        return render(request, config, session, me, "not_found.html", 404)

    @router.post("/queue/{event_id}/handled")
    def handled(request: Request, event_id: int, me: Me, session: Db, form: Form) -> Response:
        try:
            mark_handled(session, me.counselor_id, event_id, config.clock())
        except ItemNotFound:
            return missing(request, session, me)
        return back(safe_next(form.get("next"), "/queue").split("#")[0], notice="Marked handled.")

    @router.post("/queue/{event_id}/task-result")
    def task_result(request: Request, event_id: int, me: Me, session: Db, form: Form) -> Response:
        try:
            record_task_result(
                session, me.counselor_id, event_id, form.get("action", ""), form.get("result", ""), config.clock()
            )
        except ItemNotFound:
            return missing(request, session, me)
        except TaskResultRefused as refused:
            return back("/queue", error=str(refused))
        return back("/queue", notice="Follow-up recorded; it goes in the month's attempts log.")

    @router.post("/participants/{participant_id}/texts")
    def send_text(
        request: Request, participant_id: int, me: Me, session: Db, form: Form, background: BackgroundTasks
    ) -> Response:
        try:
            participant = own_participant(session, me.counselor_id, participant_id)
        except ParticipantNotFound:
            return missing(request, session, me)
        page, text, now = f"/participants/{participant.id}", form.get("body", ""), config.clock()
        try:
            queued = queue_counselor_text(session, participant, me.counselor_id, text, config.calendar, now)
        except TextRefused as refused:
            return render(
                request,
                config,
                session,
                me,
                "participant.html",
                422,
                page=participant_page(session, me.counselor_id, participant.id, now, False, None),
                p=participant,
                zone=ZoneInfo(participant.time_zone),
                telegram_bot=config.telegram_bot_username,
                compose_error=str(refused),
                draft=text,
            )
        if queued.waits_until is not None:
            when = f"{queued.waits_until:%-I:%M %p} on {queued.waits_until:%A, %B %-d}"
            return back(
                page, notice=f"Outside texting hours for {participant.first_name}: it will send at {when}, their time."
            )
        # The request's transaction commits when this function returns (scope "function"), before
        # the response goes out and so before this pass of the dispatcher looks for the text.
        background.add_task(config.send_pending)
        channel = "text message" if queued.channel is Channel.SMS else "Telegram"
        return back(page, notice=f"Sending now by {channel}.")

    @router.post("/participants/{participant_id}/pause")
    def pause(request: Request, participant_id: int, me: Me, session: Db, form: Form) -> Response:
        try:
            participant = own_participant(session, me.counselor_id, participant_id)
        except ParticipantNotFound:
            return missing(request, session, me)
        page = f"/participants/{participant.id}"
        raw = form.get("until", "").strip()
        try:
            until = date.fromisoformat(raw) if raw and form.get("action") != "resume" else None
        except ValueError:
            return back(page, error="Give the date as YYYY-MM-DD.")
        today = config.clock().astimezone(ZoneInfo(participant.time_zone)).date()
        if until is not None and until < today:
            return back(page, error="That date has passed: pick today or a later day.")
        pause_outreach(session, participant, me.counselor_id, until, config.clock())
        notice = f"Automatic texts paused through {until:%B %-d, %Y}." if until else "Automatic texts resumed."
        return back(page, notice=notice)

    @router.post("/participants/{participant_id}/outreach/{outreach_id}/{change}")
    def change_outreach(
        request: Request, participant_id: int, outreach_id: int, change: str, me: Me, session: Db, form: Form
    ) -> Response:
        try:
            participant = own_participant(session, me.counselor_id, participant_id)
        except ParticipantNotFound:
            return missing(request, session, me)
        page = f"/participants/{participant.id}"
        try:
            if change == "edit":
                edit_queued(session, outreach_id, me.counselor_id, form.get("body", ""), config.clock())
                return back(page, notice="Queued text changed.")
            if change == "cancel":
                cancel_by_counselor(session, outreach_id, me.counselor_id, config.clock())
                return back(page, notice="Queued text cancelled.")
        except OutreachChangeRefused as refused:
            if "caseload" in str(refused):
                return missing(request, session, me)
            return back(page, error=str(refused).capitalize() + ".")
        return missing(request, session, me)

    @router.post("/participants/{participant_id}/telegram-link")
    def telegram_link(request: Request, participant_id: int, me: Me, session: Db) -> Response:
        try:
            participant = own_participant(session, me.counselor_id, participant_id)
        except ParticipantNotFound:
            return missing(request, session, me)
        now = config.clock()
        code = create_link_code(session, participant.id, Channel.TELEGRAM, now)
        # Shown once, in this answer only: the database keeps its hash.
        return render(
            request,
            config,
            session,
            me,
            "participant.html",
            page=participant_page(session, me.counselor_id, participant.id, now, False, None),
            p=participant,
            zone=ZoneInfo(participant.time_zone),
            telegram_bot=config.telegram_bot_username,
            link_code=code,
        )

    return router
