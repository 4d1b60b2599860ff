"""The counselor's handoff commands: `waypoint handoff list|close|alerts`, and a counselor's work
phone for urgent items (`waypoint counselor add|edit --work-phone`)."""

import argparse

from bot.app import Service
from bot.inbox import utc_now
from bot.terminal import ServiceFactory, UserError, counselor_by_email
from casefile.handoffs import close_handoff, open_handoffs_for
from casefile.people import find_participant_by_phone
from casefile.phones import InvalidPhoneNumber, normalize_phone


def add_handoff_commands(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]", service: ServiceFactory
) -> None:
    handoff = commands.add_parser("handoff", help="participants handed to a person: list and close them")
    handoff_commands = handoff.add_subparsers(title="commands", metavar="COMMAND", required=True)
    sub = handoff_commands.add_parser("list", help="open handoffs on your caseload (a supervisor: the unit's)")
    sub.add_argument("--counselor", required=True, help="your email")
    sub.set_defaults(run=lambda args: _list(service(), args))
    sub = handoff_commands.add_parser("close", help="you have answered: the bot resumes where the participant was")
    sub.add_argument("--phone", required=True, help="the participant's phone")
    sub.add_argument("--counselor", required=True, help="your email")
    sub.set_defaults(run=lambda args: _close(service(), args))
    sub = handoff_commands.add_parser(
        "alerts", help="alert counselors to urgent items, escalate unhandled ones (one pass)"
    )
    sub.set_defaults(run=lambda args: _alerts(service()))


def add_work_phone_commands(
    counselor_commands: "argparse._SubParsersAction[argparse.ArgumentParser]", service: ServiceFactory
) -> None:
    sub = counselor_commands.add_parser("edit", help="change a counselor's work phone (for urgent items)")
    sub.add_argument("--email", required=True)
    sub.add_argument("--work-phone", required=True, help="texted for urgent items; 'none' to stop")
    sub.set_defaults(run=lambda args: _edit(service(), args))


def work_phone(raw: str | None) -> str | None:
    """A work phone as given on the command line, normalised; None for none."""
    if raw is None or raw.strip().lower() in ("", "none"):
        return None
    try:
        return normalize_phone(raw)
    except InvalidPhoneNumber as error:
        raise UserError(f"the work phone {raw} cannot be texted: {error}") from error


def _list(service: Service, args: argparse.Namespace) -> None:
    with service.sessions.begin() as session:
        counselor = counselor_by_email(session, args.counselor)
        listing = open_handoffs_for(session, counselor.id)
        if not listing:
            print("no open handoffs")
        for row in listing:
            print(
                f"{row.opened_at:%Y-%m-%d %H:%M} UTC  {row.reason.value:16} {row.first_name} {row.last_name}  {row.phone}"
            )


def _close(service: Service, args: argparse.Namespace) -> None:
    with service.sessions.begin() as session:
        counselor = counselor_by_email(session, args.counselor)
        participant = find_participant_by_phone(session, normalize_phone(args.phone))
        if participant is None or not close_handoff(session, participant.id, counselor.id, utc_now()):
            # One answer for "no such participant", "not yours" and "nothing open": ids reveal nothing.
            raise UserError(f"no open handoff for {args.phone} on your caseload")
        print(f"closed: the bot resumes with {participant.first_name}")


def _alerts(service: Service) -> None:
    done = service.alert()
    print(", ".join(f"{outcome} {count}" for outcome, count in sorted(done.items())) or "no urgent item is waiting")


def _edit(service: Service, args: argparse.Namespace) -> None:
    with service.sessions.begin() as session:
        counselor = counselor_by_email(session, args.email)
        counselor.work_phone = work_phone(args.work_phone)
        print(f"{counselor.display_name}: work phone {counselor.work_phone or 'none'}")
