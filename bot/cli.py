"""The `waypoint` command: run the service, chat as a participant, enrol, plan, hours, migrate."""

import argparse
import gc
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from importlib.metadata import version
from zoneinfo import ZoneInfo

import uvicorn
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.app import Service, build_service, create_app
from bot.channels.console.chat import chat
from bot.channels.telegram.webhook import TelegramChannel, poll
from bot.dead_letters import describe
from bot.demo import DEMO_COUNSELOR_EMAIL, DEMO_PARTICIPANTS, reset_demo_password, seed_demo
from bot.demo_history import DEMO_SUPERVISOR_EMAIL, seed_demo_history
from bot.handoff_cli import add_handoff_commands, add_work_phone_commands, work_phone
from bot.inbox import utc_now
from bot.logs import configure_logging
from bot.notes_cli import add_account_commands, add_note_commands
from bot.ops_cli import add_ops_commands
from bot.settings import Settings, SettingsError
from bot.terminal import UserError, counselor_by_email
from casefile.addresses import create_link_code
from casefile.dead_letters import DeadLetter, dead_letters
from casefile.enrolment import EnrolmentError, add_counselor, clean_case_number, enrol_participant, weekly_requirement
from casefile.messages import unknown_senders
from casefile.migrate import is_current, upgrade
from casefile.outreach import (
    Outreach,
    OutreachChangeRefused,
    OutreachState,
    cancel_by_counselor,
    edit_queued,
    pause_outreach,
)
from casefile.people import Participant, find_counselor_by_email, find_participant_by_phone
from casefile.phones import InvalidPhoneNumber, normalize_phone
from casefile.verification import MonthTotals, month_totals
from casefile.vocabulary import Activity, Channel, FamilyType, Language, ProgrammeStatus, ReportingPeriod, Role


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        # Every command reads the settings; a problem is told in plain words before anything starts.
        settings = Settings.from_env()
    except SettingsError as error:
        print("waypoint: the settings have problems:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    # A chat transcript on stdout must hold the conversation only; the service logs its work.
    level = logging.WARNING if args.run is _chat else logging.INFO
    configure_logging(settings.log_format, level)
    if args.run in (_db_upgrade, _demo):
        # Alembic announces itself on every schema check; only a migration is worth reading.
        logging.getLogger("alembic").setLevel(level)
    try:
        args.run(args)
    except (UserError, EnrolmentError, InvalidPhoneNumber, OutreachChangeRefused) as error:
        print(f"waypoint: {error}", file=sys.stderr)
        return 1
    finally:
        while _BUILT:
            _BUILT.pop().close()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="waypoint",
        description="Welfare-to-Work check-ins, hours and case notes by text. "
        "Settings come from the environment (WAYPOINT_DATABASE_URL, TWILIO_AUTH_TOKEN, ...).",
    )
    parser.add_argument("--version", action="version", version=f"waypoint {version('waypoint')}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, run: Callable[[argparse.Namespace], None], help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(run=run)
        return sub

    for name, run, help in (
        ("demo", _demo, "set up the database with demo data and run the service on 127.0.0.1:8000"),
        ("serve", _serve, "run the web service (Twilio and Telegram webhooks, health check)"),
    ):
        sub = command(name, run, help)
        sub.add_argument("--host", default="127.0.0.1")
        sub.add_argument("--port", type=int, default=8000)
        sub.add_argument(
            "--no-scheduler", action="store_true", help="do not run the sweep, dispatcher and document fetches here"
        )
        if name == "serve":
            sub.add_argument("--workers", type=int, default=1, help="web worker processes (PostgreSQL only)")

    sub = command("chat", _chat, "text the bot as a participant from this terminal (or pipe a transcript)")
    sub.add_argument("--phone", required=True, help="the participant's phone number")

    sub = command("enroll", _enroll, "enroll a participant whose consent to texts you have recorded")
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

    sub = command("plan", _plan, "change a participant's weekly hours, activities, reporting period or status")
    sub.add_argument("--phone", required=True)
    sub.add_argument("--hours", type=int, help="weekly required hours from the plan")
    _plan_arguments(sub)
    sub.add_argument("--status", choices=[status.value for status in ProgrammeStatus], help="programme status")
    sub.add_argument("--exited-on", type=date.fromisoformat, help="with --status exited: YYYY-MM-DD (today)")

    sub = command("hours", _hours, "a participant's hours for one month, as a counselor verifies them by the 20th")
    sub.add_argument("--phone", required=True)
    sub.add_argument("--month", required=True, type=_month, help="YYYY-MM")

    telegram = commands.add_parser("telegram", help="the Telegram channel")
    telegram_commands = telegram.add_subparsers(title="commands", metavar="COMMAND", required=True)
    sub = telegram_commands.add_parser("link", help="a one-time link (7 days) for a participant to open in Telegram")
    sub.set_defaults(run=_telegram_link)
    sub.add_argument("--phone", required=True, help="the participant's phone number")
    telegram_commands.add_parser(
        "set-webhook", help="tell Telegram to post updates to WAYPOINT_PUBLIC_URL/telegram/webhook"
    ).set_defaults(run=_telegram_set_webhook)
    sub = telegram_commands.add_parser("poll", help="fetch updates by long polling (local use, no public URL)")
    sub.set_defaults(run=_telegram_poll)
    sub.add_argument("--once", action="store_true", help="one pass, then stop")

    documents = commands.add_parser("documents", help="photos and files participants sent")
    documents_commands = documents.add_subparsers(title="commands", metavar="COMMAND", required=True)
    documents_commands.add_parser("fetch", help="fetch every document that is due now (one pass)").set_defaults(
        run=_fetch_documents
    )

    counselor = commands.add_parser("counselor", help="manage counselor accounts")
    counselor_commands = counselor.add_subparsers(title="commands", metavar="COMMAND", required=True)
    sub = counselor_commands.add_parser("add", help="add a counselor")
    sub.set_defaults(run=_add_counselor)
    sub.add_argument("--first-name", required=True)
    sub.add_argument("--last-name", required=True)
    sub.add_argument("--email", required=True)
    sub.add_argument("--phone", help="office line participants may call")
    sub.add_argument("--role", choices=[role.value for role in Role], default=Role.COUNSELOR.value)
    sub.add_argument("--unit", help="the unit (team): a supervisor sees the notes of their unit's caseloads")
    sub.add_argument("--work-phone", help="the counselor's own phone, texted for urgent items")
    add_account_commands(counselor_commands, _service)
    add_note_commands(commands, _service)
    add_work_phone_commands(counselor_commands, _service)
    add_handoff_commands(commands, _service)

    database = commands.add_parser("db", help="database schema")
    database_commands = database.add_subparsers(title="commands", metavar="COMMAND", required=True)
    database_commands.add_parser("upgrade", help="apply migrations").set_defaults(run=_db_upgrade)
    add_ops_commands(commands, database_commands, _service)

    command("unknown-senders", _unknown_senders, "list numbers that wrote in but belong to no participant")
    sub = command("dead-letters", _dead_letters, "list what providers delivered that could not be taken as a message")
    sub.add_argument("--limit", type=int, default=50, help="how many, newest first")
    sub.add_argument("--show", type=int, metavar="ID", help="print one of them as it was received")

    command("sweep", _sweep, "queue the outreach that is due now (one pass of the scheduler's sweep)")
    sub = command("dispatch", _dispatch, "send the outreach and queued replies that are due now (one pass)")
    sub.add_argument("--workers", type=int, default=4, help="messages sent at once (within the sender's rate)")

    outreach = commands.add_parser("outreach", help="scheduled texts: list, edit or cancel them; pause a participant")
    outreach_commands = outreach.add_subparsers(title="commands", metavar="COMMAND", required=True)
    sub = outreach_commands.add_parser("list", help="outreach queued (or in another state) for a caseload")
    sub.set_defaults(run=_outreach_list)
    sub.add_argument("--counselor", required=True, help="the counselor's email: their caseload only")
    sub.add_argument("--phone", help="one participant")
    sub.add_argument("--state", choices=[state.value for state in OutreachState], default=OutreachState.QUEUED.value)
    sub = outreach_commands.add_parser("edit", help="send your own wording instead of a queued text")
    sub.set_defaults(run=_outreach_edit)
    sub.add_argument("id", type=int)
    sub.add_argument("--text", required=True)
    sub.add_argument("--counselor", required=True, help="your email")
    sub = outreach_commands.add_parser("cancel", help="cancel a queued text")
    sub.set_defaults(run=_outreach_cancel)
    sub.add_argument("id", type=int)
    sub.add_argument("--counselor", required=True, help="your email")
    sub = outreach_commands.add_parser("pause", help="pause outreach to one participant up to a date")
    sub.set_defaults(run=_outreach_pause)
    sub.add_argument("--phone", required=True)
    sub.add_argument("--until", type=date.fromisoformat, help="YYYY-MM-DD, included; leave out to resume now")
    sub.add_argument("--counselor", required=True, help="your email")
    return parser


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


#: Weekday names as the CLI takes them, Monday first (Participant.check_in_day counts from 0).
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


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


#: The services a command built: closed when it ends (database connections, Telegram's loop).
_BUILT: list[Service] = []


def _service(check_schema: bool = True) -> Service:
    settings = Settings.from_env()
    settings.make_home()
    service = build_service(settings)
    _BUILT.append(service)
    if check_schema and not is_current(service.engine):
        raise UserError("the database is not set up: run `waypoint db upgrade` (or `waypoint demo`) first")
    return service


def _db_upgrade(args: argparse.Namespace) -> None:
    upgrade(_service(check_schema=False).engine)
    print("database is up to date")


def _demo(args: argparse.Namespace) -> None:
    service = _service(check_schema=False)
    upgrade(service.engine)
    with service.sessions.begin() as session:
        seed_demo(session, service.settings.timezone, utc_now())
    print("Setting up the demo caseload (the first time, a few weeks of history are replayed: about 10 s)...")
    seed_demo_history(service, DEMO_COUNSELOR_EMAIL, utc_now())
    with service.sessions.begin() as session:
        passwords = {email: reset_demo_password(session, utc_now(), email)
                     for email in (DEMO_COUNSELOR_EMAIL, DEMO_SUPERVISOR_EMAIL)}
    waypoint = sys.argv[0] if sys.argv[0].endswith("waypoint") else "waypoint"
    print(f"\nWaypoint demo: database {service.settings.database_url}, web service on http://{args.host}:{args.port}")
    print(f"Counselor console: open http://{args.host}:{args.port}/ and sign in (passwords set for this run) as")
    print(f"  the counselor  {DEMO_COUNSELOR_EMAIL}  {passwords[DEMO_COUNSELOR_EMAIL]}")
    print(f"  the supervisor {DEMO_SUPERVISOR_EMAIL}  {passwords[DEMO_SUPERVISOR_EMAIL]}")
    print("Chat as a demo participant from another terminal in this folder:")
    for person in DEMO_PARTICIPANTS:
        print(f"  {waypoint} chat --phone {person.phone}    ({person.first_name}, {person.language.name.title()})")
    print("Stop the service with Ctrl-C.\n")
    _run_web(create_app(service, run_scheduler=not args.no_scheduler), args, service.settings)


def _serve(args: argparse.Namespace) -> None:
    service = _service()
    if args.workers < 1:
        raise UserError("--workers takes 1 or more")
    if args.workers == 1:
        _run_web(create_app(service, run_scheduler=not args.no_scheduler), args, service.settings)
        return
    if service.settings.is_sqlite:
        raise UserError(
            "--workers needs PostgreSQL: SQLite has one writer at a time, so more processes only wait on each other "
            "(set WAYPOINT_DATABASE_URL to a PostgreSQL database, or serve with one worker)"
        )
    if args.no_scheduler:
        raise UserError("--no-scheduler is for one worker; with several, the lease already lets one run the jobs")
    # Each worker builds the app from the environment (bot.asgi); the lease elects one scheduler.
    _run_web("bot.asgi:app", args, service.settings, workers=args.workers)


def _run_web(app: object, args: argparse.Namespace, settings: Settings, workers: int = 1) -> None:
    """uvicorn with our log format (its own would print a second one) and a bounded shutdown:
    containers and systemd send SIGTERM and kill 10 s later."""
    uvicorn.run(
        app,  # type: ignore[arg-type]
        host=args.host,
        port=args.port,
        workers=workers,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=7,
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxies,
    )


def _chat(args: argparse.Namespace) -> None:
    service = _service()
    interactive = sys.stdin.isatty()
    if interactive:
        print("Type a message and press Enter; Ctrl-D to leave. Try: hi, HELP, MENU, STOP.\n")
    chat(service.inbox, normalize_phone(args.phone), sys.stdin, sys.stdout, utc_now, interactive)


def _enroll(args: argparse.Namespace) -> None:
    service = _service()
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


def _add_counselor(args: argparse.Namespace) -> None:
    service = _service()
    with service.sessions.begin() as session:
        if find_counselor_by_email(session, args.email) is not None:
            raise UserError(f"a counselor with email {args.email} exists already")
        counselor = add_counselor(session, args.first_name, args.last_name, args.email, args.phone, utc_now())
        counselor.role, counselor.unit = Role(args.role), args.unit
        counselor.work_phone = work_phone(args.work_phone)
        print(f"added counselor {counselor.id}: {counselor.display_name}")


def _unknown_senders(args: argparse.Namespace) -> None:
    with _service().sessions.begin() as session:
        senders = unknown_senders(session)
        if not senders:
            print("no unknown senders")
        for sender in senders:
            print(
                f"{sender.channel.value:8} {sender.address:16} {sender.message_count:3} messages, "
                f"last {sender.last_seen_at:%Y-%m-%d %H:%M} UTC"
            )


def _dead_letters(args: argparse.Namespace) -> None:
    with _service().sessions.begin() as session:
        if args.show is not None:
            letter = session.get(DeadLetter, args.show)
            if letter is None:
                raise UserError(f"no dead letter {args.show}")
            print(describe(letter))
            print(letter.payload)
            return
        letters = dead_letters(session, args.limit)
        if not letters:
            print("no dead letters")
        for letter in letters:
            print(describe(letter))


def _participant(session: Session, phone: str) -> Participant:
    participant = find_participant_by_phone(session, normalize_phone(phone))
    if participant is None:
        raise UserError(f"no participant with phone {phone}")
    return participant


def _plan(args: argparse.Namespace) -> None:
    with _service().sessions.begin() as session:
        participant = _participant(session, args.phone)
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


def _hours(args: argparse.Namespace) -> None:
    with _service().sessions.begin() as session:
        participant = _participant(session, args.phone)
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


def _telegram() -> tuple[Service, TelegramChannel]:
    service = _service()
    if service.telegram is None:
        raise UserError("set TELEGRAM_BOT_TOKEN (from @BotFather) first")
    return service, service.telegram


def _telegram_link(args: argparse.Namespace) -> None:
    service = _service()
    with service.sessions.begin() as session:
        participant = _participant(session, args.phone)
        code = create_link_code(session, participant.id, Channel.TELEGRAM, utc_now())
        name = participant.display_name
    username = service.settings.telegram_bot_username or "<your bot's username>"
    print(f"Link for {name} (one use, 7 days): https://t.me/{username}?start={code}")


def _telegram_set_webhook(args: argparse.Namespace) -> None:
    service, channel = _telegram()
    settings = service.settings
    if not (settings.public_url and settings.telegram_webhook_secret):
        raise UserError("set WAYPOINT_PUBLIC_URL and TELEGRAM_WEBHOOK_SECRET first")
    url = f"{settings.public_url}/telegram/webhook"
    channel.transport.set_webhook(url, settings.telegram_webhook_secret.reveal())
    print(f"Telegram posts updates to {url}")


def _telegram_poll(args: argparse.Namespace) -> None:
    _, channel = _telegram()
    # Telegram serves updates by webhook or by polling, not both.
    channel.transport.delete_webhook()
    if not args.once:
        print("Polling Telegram for messages; Ctrl-C to stop.")
    offset = poll(channel, None)
    while not args.once:
        offset = poll(channel, offset)


def _sweep(args: argparse.Namespace) -> None:
    queued = _service().sweep()
    print(
        f"queued {queued.total()} outreach" + "".join(f"\n  {rule}: {count}" for rule, count in sorted(queued.items()))
    )


def _dispatch(args: argparse.Namespace) -> None:
    service = _service()
    # What start-up loaded lives as long as this run: frozen, as `serve` freezes it, a full
    # collection does not rescan it while the texts are made (one cost about 50 us a text).
    gc.freeze()
    if not service.transports():
        print("no sender is set (TWILIO_* or TELEGRAM_BOT_TOKEN): texts stay queued until one is", file=sys.stderr)
    done = service.dispatch(workers=args.workers)
    print(", ".join(f"{outcome} {count}" for outcome, count in sorted(done.items())) or "nothing was due")


def _outreach_list(args: argparse.Namespace) -> None:
    with _service().sessions.begin() as session:
        counselor = counselor_by_email(session, args.counselor)
        query = (
            select(Outreach, Participant)
            .join(Participant, Outreach.participant_id == Participant.id)
            .where(Participant.counselor_id == counselor.id, Outreach.state == OutreachState(args.state))
            .order_by(Outreach.due_at)
        )
        if args.phone:
            query = query.where(Participant.id == _participant(session, args.phone).id)
        rows = session.execute(query).all()
        if not rows:
            print(f"no {args.state} outreach")
        for row, participant in rows:
            due = row.due_at.astimezone(ZoneInfo(participant.time_zone))
            what = f'"{row.body}"' if row.body else row.template
            reason = f" ({row.reason})" if row.reason else ""
            print(f"{row.id:6} {due:%a %b %d %H:%M} {participant.display_name:24} {row.rule:18} {what}{reason}")


def _outreach_edit(args: argparse.Namespace) -> None:
    with _service().sessions.begin() as session:
        row = edit_queued(session, args.id, counselor_by_email(session, args.counselor).id, args.text, utc_now())
        print(f"outreach {row.id} will send your text")


def _outreach_cancel(args: argparse.Namespace) -> None:
    with _service().sessions.begin() as session:
        row = cancel_by_counselor(session, args.id, counselor_by_email(session, args.counselor).id, utc_now())
        print(f"outreach {row.id} cancelled")


def _outreach_pause(args: argparse.Namespace) -> None:
    with _service().sessions.begin() as session:
        participant = _participant(session, args.phone)
        pause_outreach(session, participant, counselor_by_email(session, args.counselor).id, args.until, utc_now())
        state = f"paused through {args.until:%a %b %d, %Y}" if args.until else "resumed"
        print(f"outreach to {participant.display_name} {state}")


def _fetch_documents(args: argparse.Namespace) -> None:
    report = _service().documents.fetch_due()
    print(f"stored {report.stored}, to retry {report.retrying}, given up {report.failed}")


if __name__ == "__main__":
    sys.exit(main())
