"""Enrolling a participant from the console, and changing their plan or programme status.

The same rules as `waypoint enroll` (casefile.enrolment: the phone checked with `phonenumbers`,
one participant per number, consent recorded with how it was obtained). A form with a mistake
comes back with the counselor's entries and what to correct; the enrolment runs in a SAVEPOINT,
so a refusal leaves nothing behind. Every enrolment and every changed field is a fact with who did
it (`participant_enrolled`, `plan_changed`), on the participant's record.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casefile.enrolment import EnrolmentError, clean_case_number, enrol_participant, weekly_requirement
from casefile.facts import ParticipantEnrolled, PlanChanged, record_fact
from casefile.people import Counselor, Participant
from casefile.phones import InvalidPhoneNumber
from casefile.vocabulary import Activity, FamilyType, Language, ProgrammeStatus, ReportingPeriod
from console.participant import ParticipantNotFound, own_participant
from console.web import ConsoleConfig, Viewer, acting_dependency, database, posted_form, render, viewer_dependency

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ACTIVITY_LABELS = {
    Activity.EMPLOYMENT: "Employment",
    Activity.JOB_SEARCH: "Job search",
    Activity.VOCATIONAL_TRAINING: "Vocational training",
    Activity.WORK_EXPERIENCE: "Work experience",
    Activity.EDUCATION: "Education",
    Activity.COMMUNITY_SERVICE: "Community service",
    Activity.OTHER: "Other",
}
FAMILY_LABELS = {
    FamilyType.ONE_PARENT: "One parent (30 hours)",
    FamilyType.ONE_PARENT_CHILD_UNDER_6: "One parent, a child under 6 (20 hours)",
    FamilyType.TWO_PARENT: "Two parents (35 hours)",
    FamilyType.PLAN: "Hours from the plan",
}
#: How the participant agreed to texts: the consent ledger keeps it beside the counselor's words.
CONSENT_WAYS = ("Signed the WTW 2 form", "Agreed in person at the office", "Agreed on a phone call")


class FormProblem(ValueError):
    """Something in the form to correct, said for the counselor."""


@dataclass(frozen=True)
class PlanEntries:
    """The plan as the form gives it, checked."""

    hours: int | None
    activities: list[str]
    reporting_period: ReportingPeriod
    check_in_day: int
    case_number: str | None


def _plan_entries(form: dict[str, str], hours_required: bool) -> PlanEntries:
    raw_hours = form.get("hours", "").strip()
    if raw_hours and not raw_hours.isdigit():
        raise FormProblem("Give the weekly hours as a whole number from 0 to 80.")
    hours = int(raw_hours) if raw_hours else None
    if hours_required and hours is None:
        raise FormProblem("Give the weekly hours from the plan, or pick a family type.")
    try:
        period = ReportingPeriod(form.get("reporting_period", "weekly"))
        day = int(form.get("check_in_day", "0"))
        if not 0 <= day <= 6:
            raise ValueError(day)
        case_number = clean_case_number(form.get("case_number"))
        if hours is not None:
            weekly_requirement(FamilyType.PLAN, hours)
    except EnrolmentError as error:
        raise FormProblem(str(error).capitalize() + ".") from error
    except ValueError as error:
        raise FormProblem("Pick a reporting period and a check-in day from the lists.") from error
    activities = [activity.value for activity in Activity if form.get(f"activity_{activity.value}")]
    return PlanEntries(hours, activities, period, day, case_number)


def enrol_from_form(
    session: Session, counselor: Counselor, form: dict[str, str], time_zone: str, now: datetime
) -> Participant:
    """Enrol the participant the form describes on this counselor's caseload, or FormProblem."""
    first, last = form.get("first_name", "").strip(), form.get("last_name", "").strip()
    if not first or not last or len(first) > 80 or len(last) > 80:
        raise FormProblem("Give the participant's first and last name.")
    try:
        language = Language(form.get("language", ""))
        family = FamilyType(form.get("family_type", ""))
    except ValueError as error:
        raise FormProblem("Pick a language and a family type from the lists.") from error
    plan = _plan_entries(form, hours_required=family is FamilyType.PLAN)
    how = form.get("consent_how", "")
    if how not in CONSENT_WAYS:
        raise FormProblem("Say how the participant agreed to texts.")
    details = form.get("consent_details", "").strip()[:200]
    try:
        with session.begin_nested():
            participant = enrol_participant(
                session,
                first_name=first,
                last_name=last,
                phone=form.get("phone", ""),
                language=language,
                time_zone=time_zone,
                counselor=counselor,
                family_type=family,
                plan_hours=plan.hours if family is FamilyType.PLAN else None,
                consent_note=f"{how}: {details}" if details else how,
                at=now,
                activities=tuple(Activity(value) for value in plan.activities),
                reporting_period=plan.reporting_period,
                case_number=plan.case_number,
            )
            participant.check_in_day = plan.check_in_day
            record_fact(session, ParticipantEnrolled(counselor.id), participant.id, None, None, now)
    except InvalidPhoneNumber as error:
        raise FormProblem("That phone number is not one that can receive texts: check its digits.") from error
    except EnrolmentError as error:
        if "already enrolled" in str(error):
            raise FormProblem(
                "That phone number is already enrolled: find the participant by it in the caseload."
            ) from error
        raise FormProblem(str(error).capitalize() + ".") from error
    except IntegrityError as error:  # the same number enrolled a moment ago by someone else
        raise FormProblem(
            "That phone number is already enrolled: find the participant by it in the caseload."
        ) from error
    return participant


def change_plan(
    session: Session, participant: Participant, counselor_id: int, form: dict[str, str], today: date, now: datetime
) -> list[str]:
    """Apply the plan form to the participant; the names of the fields that changed."""
    plan = _plan_entries(form, hours_required=False)
    try:
        status = ProgrammeStatus(form.get("status", participant.status.value))
        raw_exit = form.get("exited_on", "").strip()
        exited_on = date.fromisoformat(raw_exit) if raw_exit else today
    except ValueError as error:
        raise FormProblem("Pick a status from the list, and give the exit date as YYYY-MM-DD.") from error
    if status is ProgrammeStatus.EXITED and exited_on > today:
        raise FormProblem("The exit date cannot be in the future.")
    wanted: dict[str, object] = {
        "weekly_required_hours": plan.hours if plan.hours is not None else participant.weekly_required_hours,
        "activities": plan.activities,
        "reporting_period": plan.reporting_period,
        "check_in_day": plan.check_in_day,
        "case_number": plan.case_number,
        "status": status,
        "exited_on": exited_on if status is ProgrammeStatus.EXITED else None,
    }
    changed = []
    for field, after in wanted.items():
        before = getattr(participant, field)
        # The plan's activities are a set, whatever order they were first given in.
        if before == after or (isinstance(before, list) and isinstance(after, list) and set(before) == set(after)):
            continue
        setattr(participant, field, after)
        changed.append(field)
        record_fact(
            session, PlanChanged(counselor_id, field, _text(before), _text(after)), participant.id, None, None, now
        )
    if "weekly_required_hours" in changed:
        participant.family_type = FamilyType.PLAN
    return changed


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(getattr(value, "value", value))


def enrolment_router(config: ConsoleConfig) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    open_db = database(config)
    Reader = Annotated[Viewer, Depends(viewer_dependency(config))]  # noqa: N806 (a type alias, named as one)
    Actor = Annotated[Viewer, Depends(acting_dependency(config))]  # noqa: N806 (a type alias, named as one)
    Db = Annotated[Session, Depends(open_db, scope="function")]  # noqa: N806 (a type alias, named as one)
    Form = Annotated[dict[str, str], Depends(posted_form)]  # noqa: N806 (a type alias, named as one)
    choices = {
        "activities": ACTIVITY_LABELS, "families": FAMILY_LABELS, "weekdays": WEEKDAYS,
        "periods": list(ReportingPeriod), "consent_ways": CONSENT_WAYS, "statuses": list(ProgrammeStatus),
    }  # fmt: skip

    @router.get("/participants/new")
    def enrol_form(request: Request, me: Reader, session: Db) -> Response:
        return render(request, config, session, me, "enrol.html", 200, entries={}, **choices)

    @router.post("/participants")
    def enrol(request: Request, me: Actor, session: Db, form: Form) -> Response:
        counselor = session.get(Counselor, me.counselor_id)
        assert counselor is not None  # the session was just checked against this account
        try:
            participant = enrol_from_form(session, counselor, form, config.time_zone, config.clock())
        except FormProblem as problem:
            return render(
                request, config, session, me, "enrol.html", 422, entries=form, problem=str(problem), **choices
            )
        done = f"{participant.first_name} {participant.last_name} is enrolled. Their first text asks them to reply YES."
        return RedirectResponse(f"/participants/{participant.id}?notice=" + quote(done), 303)

    @router.get("/participants/{participant_id}/plan")
    def plan_form(request: Request, participant_id: int, me: Reader, session: Db) -> Response:
        try:
            participant = own_participant(session, me.counselor_id, participant_id)
        except ParticipantNotFound:
            return render(request, config, session, me, "not_found.html", 404)
        return render(
            request,
            config,
            session,
            me,
            "enrol_plan.html",
            200,
            p=participant,
            entries=_entries(participant),
            **choices,
        )

    @router.post("/participants/{participant_id}/plan-changes")
    def plan_change(request: Request, participant_id: int, me: Actor, session: Db, form: Form) -> Response:
        try:
            participant = own_participant(session, me.counselor_id, participant_id)
        except ParticipantNotFound:
            return render(request, config, session, me, "not_found.html", 404)
        now = config.clock()
        today = now.astimezone(ZoneInfo(config.time_zone)).date()
        try:
            with session.begin_nested():
                changed = change_plan(session, participant, me.counselor_id, form, today, now)
        except FormProblem as problem:
            session.refresh(participant)
            return render(
                request,
                config,
                session,
                me,
                "enrol_plan.html",
                422,
                p=participant,
                entries=form,
                problem=str(problem),
                **choices,
            )
        notice = "Plan saved." if changed else "Nothing changed."
        return RedirectResponse(f"/participants/{participant.id}?notice=" + quote(notice), 303)

    return router


def _entries(participant: Participant) -> dict[str, str]:
    """The participant's plan as the form's fields."""
    entries = {
        "hours": str(participant.weekly_required_hours),
        "reporting_period": participant.reporting_period.value,
        "check_in_day": str(participant.check_in_day),
        "case_number": participant.case_number or "",
        "status": participant.status.value,
        "exited_on": participant.exited_on.isoformat() if participant.exited_on else "",
    }
    return entries | {f"activity_{value}": "on" for value in participant.activities}
