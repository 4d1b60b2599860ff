"""The supervisor's pages: the unit's figures per counselor with the two alerts, the list behind
each figure, and moving a participant to another counselor of the unit.

Only a supervisor with a unit reaches them; anyone else, and any counselor or participant outside
the unit, gets the same 404 as a page that does not exist. Supervisors read figures and lists and
transfer participants; they do not open transcripts or approve notes here.
"""

from typing import Annotated
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from console.attention import queue
from console.transfer import TransferRefused, transfer, unit_participant
from console.unit import (
    FIGURE_TITLES,
    Figure,
    NotInUnit,
    Period,
    UnitMembers,
    attempts_of,
    drafts_of,
    figure_rows,
    unit_figures,
    unit_of,
)
from console.unit_alerts import unit_alerts
from console.web import ConsoleConfig, Viewer, acting_dependency, database, posted_form, render, viewer_dependency
from scheduler.office_hours import OfficeHours, parse_office_hours

#: Office hours when the service was not given any (the settings' default).
DEFAULT_OFFICE_HOURS = "Mon-Fri 08:00-17:00"


def supervisor_router(config: ConsoleConfig) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    open_db = database(config)
    Reader = Annotated[Viewer, Depends(viewer_dependency(config))]  # noqa: N806 (a type alias, named as one)
    Actor = Annotated[Viewer, Depends(acting_dependency(config))]  # noqa: N806 (a type alias, named as one)
    Db = Annotated[Session, Depends(open_db, scope="function")]  # noqa: N806 (a type alias, named as one)
    Form = Annotated[dict[str, str], Depends(posted_form)]  # noqa: N806 (a type alias, named as one)
    zone = ZoneInfo(config.time_zone)
    office = config.office or OfficeHours(parse_office_hours(DEFAULT_OFFICE_HOURS), zone, config.calendar)

    def not_found(request: Request, session: Session, me: Viewer) -> Response:
        return render(request, config, session, me, "not_found.html", 404)

    @router.get("/unit")
    def unit_page(request: Request, me: Reader, session: Db) -> Response:
        try:
            unit = unit_of(session, me.counselor_id)
        except NotInUnit:
            return not_found(request, session, me)
        period = Period.at(config.clock(), zone)
        return render(
            request, config, session, me, "unit.html",
            unit=unit, period=period, figures=unit_figures(session, unit, period), titles=FIGURE_TITLES,
            alerts=unit_alerts(session, unit, office, config.calendar, period.now),
        )  # fmt: skip

    @router.get("/unit/counselors/{counselor_id}/{figure}")
    def figure_list(request: Request, counselor_id: int, figure: str, me: Reader, session: Db) -> Response:
        try:
            unit = unit_of(session, me.counselor_id)
            member = unit.member(counselor_id)
            shown = Figure(figure)
        except (NotInUnit, ValueError):
            return not_found(request, session, me)
        period = Period.at(config.clock(), zone)
        context: dict[str, object] = {"unit": unit, "member": member, "figure": shown, "title": FIGURE_TITLES[shown]}
        if shown is Figure.OPEN_ITEMS:
            context["items"] = queue(session, member.id)
        elif shown in (Figure.DRAFTS, Figure.DRAFTS_LATE):
            late_only = shown is Figure.DRAFTS_LATE
            context["drafts"] = session.execute(drafts_of(member.id, period.now, late_only)).all()
        elif shown is Figure.ATTEMPTS:
            context["attempts"] = session.execute(attempts_of(member.id, period.month_start)).all()
        else:
            context["rows"] = figure_rows(session, member.id, shown, period)
        return render(request, config, session, me, "unit_list.html", 200, period=period, **context)

    @router.get("/unit/participants/{participant_id}/transfer")
    def transfer_form(request: Request, participant_id: int, me: Reader, session: Db) -> Response:
        return show_transfer(request, session, me, participant_id)

    @router.post("/unit/participants/{participant_id}/transfers")
    def transfer_participant(request: Request, participant_id: int, me: Actor, session: Db, form: Form) -> Response:
        try:
            unit = unit_of(session, me.counselor_id)
            to = int(form.get("counselor", "0") or 0)
            participant = transfer(
                session, unit, me.counselor_id, participant_id, to, form.get("note", ""), config.clock()
            )
        except NotInUnit:
            return not_found(request, session, me)
        except (TransferRefused, ValueError) as refused:
            message = str(refused) if isinstance(refused, TransferRefused) else "Pick a counselor of your unit."
            return show_transfer(request, session, me, participant_id, message, form.get("note", ""), 422)
        done = f"{participant.first_name} {participant.last_name} is now on {unit.member(to).name}'s caseload."
        return RedirectResponse(f"/unit/counselors/{to}/caseload?notice=" + quote(done), 303)

    def show_transfer(
        request: Request, session: Session, me: Viewer, participant_id: int,
        problem: str | None = None, note: str = "", status: int = 200,
    ) -> Response:  # fmt: skip
        try:
            unit = unit_of(session, me.counselor_id)
            participant = unit_participant(session, unit, participant_id)
        except NotInUnit:
            return not_found(request, session, me)
        return render(
            request, config, session, me, "unit_transfer.html", status,
            unit=unit, p=participant, current=unit.member(participant.counselor_id),
            targets=_targets(unit, participant.counselor_id), problem=problem, note=note,
        )  # fmt: skip

    return router


def _targets(unit: UnitMembers, current: int) -> list[tuple[int, str]]:
    return [(m.id, m.name) for m in unit.members if m.id != current and not m.disabled]
