"""The `waypoint` command: run the service, chat as a participant, enrol, plan, hours, migrate."""

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import version

import uvicorn

from bot.app import Service, build_service, create_app
from bot.caseload_cli import add_caseload_commands
from bot.channels.console.chat import chat
from bot.channels.telegram.webhook import TelegramChannel, poll
from bot.dead_letters import describe
from bot.demo import DEMO_COUNSELOR_EMAIL, DEMO_PARTICIPANTS, reset_demo_password, seed_demo
from bot.demo_history import DEMO_SUPERVISOR_EMAIL, seed_demo_history
from bot.handoff_cli import add_handoff_commands, add_work_phone_commands
from bot.inbox import utc_now
from bot.logs import configure_logging
from bot.notes_cli import add_account_commands, add_note_commands
from bot.ops_cli import add_ops_commands
from bot.outreach_cli import add_outreach_commands
from bot.settings import Settings, SettingsError
from bot.terminal import UserError, participant_by_phone
from casefile.addresses import create_link_code
from casefile.dead_letters import DeadLetter, dead_letters
from casefile.enrolment import EnrolmentError
from casefile.messages import unknown_senders
from casefile.migrate import is_current, upgrade
from casefile.outreach import OutreachChangeRefused
from casefile.phones import InvalidPhoneNumber, normalize_phone
from casefile.vocabulary import Channel


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
    add_caseload_commands(commands, counselor_commands, _service)
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

    add_outreach_commands(commands, _service)
    return parser


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


def _telegram() -> tuple[Service, TelegramChannel]:
    service = _service()
    if service.telegram is None:
        raise UserError("set TELEGRAM_BOT_TOKEN (from @BotFather) first")
    return service, service.telegram


def _telegram_link(args: argparse.Namespace) -> None:
    service = _service()
    with service.sessions.begin() as session:
        participant = participant_by_phone(session, args.phone)
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


def _fetch_documents(args: argparse.Namespace) -> None:
    report = _service().documents.fetch_due()
    print(f"stored {report.stored}, to retry {report.retrying}, given up {report.failed}")


if __name__ == "__main__":
    sys.exit(main())
