"""`waypoint enroll`, `plan`, `hours` and `counselor add`: a caseload as a county's staff sets it up
and verifies it from a terminal."""

import argparse
from datetime import date
from typing import Any

from bot.app import Service
from bot.handoff_cli import work_phone
from bot.inbox import utc_now
from bot.terminal import ServiceFactory, UserError, counselor_by_email, participant_by_phone
from casefile.enrolment import add_counselor, clean_case_number, enrol_participant, weekly_requirement
from casefile.people import find_counselor_by_email
from casefile.verification import MonthTotals, month_totals
from casefile.vocabulary import Activity, FamilyType, Language, ProgrammeStatus, ReportingPeriod, Role

#: Weekday names as the CLI takes them, Monday first (Participant.check_in_day counts from 0).
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def add_caseload_commands(commands: Any, counselor_commands: Any, service: ServiceFactory) -> None:
    sub = commands.add_parser(
        "enroll",
        help="enroll a participant whose consent to texts you have recorded",
        description="enroll a participant whose consent to texts you have recorded",
    )
    sub.set_defaults(run=lambda args: _enroll(service(), args))
    sub.add_argument("--first-name", required=True)
    sub.add_argument("--last-name", required=True)
    sub.add_argument("--phone", required=True)
    sub.add_argument("--language", choices=[lang.value for lang in Language], default="en")
    sub.add_argument("--time-zone", help="IANA zone; default WAYPOINT_TIMEZONE")
    hours = sub.add_mutually_exclusive_group(required=True)
    hours.add_argument("--hours", type=int, help="weekly required hours from the plan")
    hours.add_argument(
        "--family-type",
        choices=[t.value for t in FamilyType if t is not FamilyType.PLAN],
        help="sets the weekly hours by California's rule (20, 30 or 35)",
    )
    sub.add_argument("--counselor", required=True, help="the counselor's email")
    sub.add_argument("--consent", required=True, help='how consent to texts was recorded, e.g. "signed WTW 2"')
    _plan_arguments(sub)

    help = "change a participant's weekly hours, activities, reporting period or status"
    sub = commands.add_parser("plan", help=help, description=help)
    sub.set_defaults(run=lambda args: _plan(service(), args))
    sub.add_argument("--phone", required=True)
    sub.add_argument("--hours", type=int, help="weekly required hours from the plan")
    _plan_arguments(sub)
    sub.add_argument("--status", choices=[status.value for status in ProgrammeStatus], help="programme status")
    sub.add_argument("--exited-on", type=date.fromisoformat, help="with --status exited: YYYY-MM-DD (today)")

    help = "a participant's hours for one month, as a counselor verifies them by the 20th"
    sub = commands.add_parser("hours", help=help, description=help)
    sub.set_defaults(run=lambda args: _hours(service(), args))
    sub.add_argument("--phone", required=True)
    sub.add_argument("--month", required=True, type=_month, help="YYYY-MM")

    sub = counselor_commands.add_parser("add", help="add a counselor")
    sub.set_defaults(run=lambda args: _add_counselor(service(), args))
    sub.add_argument("--first-name", required=True)
    sub.add_argument("--last-name", required=True)
    sub.add_argument("--email", required=True)
    sub.add_argument("--phone", help="office line participants may call")
    sub.add_argument("--role", choices=[role.value for role in Role], default=Role.COUNSELOR.value)
    sub.add_argument("--unit", help="the unit (team): a supervisor sees the notes of their unit's caseloads")
    sub.add_argument("--work-phone", help="the counselor's own phone, texted for urgent items")


def _plan_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--activities",
        type=_activities,
        help=f"comma-separated activities on the plan hours are reported for: {', '.join(a.value for a in Activity)}",
    )
    sub.add_argument(
        "--reporting-period", choices=[p.value for p in ReportingPeriod], help="how often hours are due (weekly)"
    )
    sub.add_argument("--check-in-day", choices=WEEKDAYS, help="the day of the weekly check-in text (mon)")
    sub.add_argument("--case-number", help="the county's case reference (for counselors only, never texted)")


def _activities(text: str) -> tuple[Activity, ...]:
    try:
        return tuple(Activity(name.strip()) for name in text.split(",") if name.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"activities are: {', '.join(a.value for a in Activity)}") from error


def _month(text: str) -> tuple[int, int]:
    year, _, month = text.partition("-")
    if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        raise argparse.ArgumentTypeError("a month is written YYYY-MM, e.g. 2026-03")
    return int(year), int(month)


def _enroll(service: Service, args: argparse.Namespace) -> None:
    with service.sessions.begin() as session:
        counselor = counselor_by_email(session, args.counselor)
        participant = enrol_participant(
            session,
            first_name=args.first_name,
            last_name=args.last_name,
            phone=args.phone,
            language=Language(args.language),
            time_zone=args.time_zone or service.settings.timezone,
            counselor=counselor,
            family_type=FamilyType(args.family_type) if args.family_type else FamilyType.PLAN,
            plan_hours=args.hours,
            consent_note=args.consent,
            at=utc_now(),
            activities=args.activities or (),
            reporting_period=ReportingPeriod(args.reporting_period or ReportingPeriod.WEEKLY),
            case_number=args.case_number,
        )
        participant.check_in_day = WEEKDAYS.index(args.check_in_day or "mon")
        print(
            f"enrolled participant {participant.id}: {participant.display_name}, "
            f"{participant.weekly_required_hours} h/week, counselor {counselor.display_name}"
        )


def _add_counselor(service: Service, args: argparse.Namespace) -> None:
    with service.sessions.begin() as session:
        if find_counselor_by_email(session, args.email) is not None:
            raise UserError(f"a counselor with email {args.email} exists already")
        counselor = add_counselor(session, args.first_name, args.last_name, args.email, args.phone, utc_now())
        counselor.role, counselor.unit = Role(args.role), args.unit
        counselor.work_phone = work_phone(args.work_phone)
        print(f"added counselor {counselor.id}: {counselor.display_name}")


def _plan(service: Service, args: argparse.Namespace) -> None:
    with service.sessions.begin() as session:
        participant = participant_by_phone(session, args.phone)
        if args.hours is not None:
            participant.weekly_required_hours = weekly_requirement(FamilyType.PLAN, args.hours)
            participant.family_type = FamilyType.PLAN
        if args.activities is not None:
            participant.activities = [activity.value for activity in dict.fromkeys(args.activities)]
        if args.reporting_period:
            participant.reporting_period = ReportingPeriod(args.reporting_period)
        if args.check_in_day:
            participant.check_in_day = WEEKDAYS.index(args.check_in_day)
        if args.case_number is not None:
            participant.case_number = clean_case_number(args.case_number)
        if args.status:
            participant.status = ProgrammeStatus(args.status)
            exited = participant.status is ProgrammeStatus.EXITED
            participant.exited_on = (args.exited_on or utc_now().date()) if exited else None
        print(
            f"{participant.display_name}: {participant.weekly_required_hours} h/week, "
            f"activities {', '.join(participant.activities) or 'any'}, hours due {participant.reporting_period.value}, "
            f"check-in {WEEKDAYS[participant.check_in_day]}, {participant.status.value}"
        )


def _hours(service: Service, args: argparse.Namespace) -> None:
    with service.sessions.begin() as session:
        participant = participant_by_phone(session, args.phone)
        print(f"{participant.display_name}")
        print(format_month(month_totals(session, participant, *args.month)))


def format_month(totals: MonthTotals) -> str:
    """The month as a counselor reads it to verify: weeks, activities, excused hours, documents."""
    lines = [
        f"{totals.month.start:%B %Y}: verify by {totals.verify_by:%b %d}",
        f"participated {totals.participated:g} h, excused {totals.excused:g} h; required {totals.required:g} h "
        f"({totals.weekly_required} a week; average {totals.weekly_average:g} a week)",
    ]
    lines += [f"  {activity.value}: {hours:g} h" for activity, hours in sorted(totals.by_activity.items())]
    lines += [f"  excused, {excuse.value}: {hours:g} h" for excuse, hours in sorted(totals.by_excuse.items())]
    lines.append("weeks:")
    for week in totals.weeks:
        mark = "met" if week.met else "short"
        spans = " (runs into another month)" if week.spans_months else ""
        lines.append(
            f"  {week.week.start:%a %b %d}-{week.week.end:%a %b %d}: {week.participated:g} of {week.required} h "
            f"{mark}, excused {week.excused:g} h{spans}"
        )
    lines += [
        f"weekly total of a week in two months, not counted in either: {line.hours:g} h {line.activity.value} "
        f"(week of {line.day:%b %d})"
        for line in totals.unassigned
    ]
    lines += [
        f"reported but not confirmed by the participant: {line.hours:g} h {line.activity.value} on {line.day:%b %d}"
        for line in totals.unconfirmed
    ]
    lines.append(f"documents received: {len(totals.documents)}")
    lines += [
        f"  {document.received_at:%b %d} {document.content_type} {document.status.value} {document.path or ''}".rstrip()
        for document in totals.documents
    ]
    return "\n".join(lines)
