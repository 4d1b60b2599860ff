"""`waypoint outreach list|edit|cancel|pause`, `sweep` and `dispatch`: the scheduled texts as a
counselor reviews them, and one pass of each scheduler job for cron or a test."""

import argparse
import gc
import sys
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import Service
from bot.inbox import utc_now
from bot.terminal import ServiceFactory, counselor_by_email, participant_by_phone
from casefile.outreach import Outreach, OutreachState, cancel_by_counselor, edit_queued, pause_outreach
from casefile.people import Participant


def add_outreach_commands(commands: Any, service: ServiceFactory) -> None:
    help = "queue the outreach that is due now (one pass of the scheduler's sweep)"
    commands.add_parser("sweep", help=help, description=help).set_defaults(run=lambda args: _sweep(service()))
    help = "send the outreach and queued replies that are due now (one pass)"
    sub = commands.add_parser("dispatch", help=help, description=help)
    sub.set_defaults(run=lambda args: _dispatch(service(), args))
    sub.add_argument("--workers", type=int, default=4, help="messages sent at once (within the sender's rate)")

    outreach = commands.add_parser("outreach", help="scheduled texts: list, edit or cancel them; pause a participant")
    outreach_commands = outreach.add_subparsers(title="commands", metavar="COMMAND", required=True)
    sub = outreach_commands.add_parser("list", help="outreach queued (or in another state) for a caseload")
    sub.set_defaults(run=lambda args: _list(service(), args))
    sub.add_argument("--counselor", required=True, help="the counselor's email: their caseload only")
    sub.add_argument("--phone", help="one participant")
    sub.add_argument("--state", choices=[state.value for state in OutreachState], default=OutreachState.QUEUED.value)
    sub = outreach_commands.add_parser("edit", help="send your own wording instead of a queued text")
    sub.set_defaults(run=lambda args: _edit(service(), args))
    sub.add_argument("id", type=int)
    sub.add_argument("--text", required=True)
    sub.add_argument("--counselor", required=True, help="your email")
    sub = outreach_commands.add_parser("cancel", help="cancel a queued text")
    sub.set_defaults(run=lambda args: _cancel(service(), args))
    sub.add_argument("id", type=int)
    sub.add_argument("--counselor", required=True, help="your email")
    sub = outreach_commands.add_parser("pause", help="pause outreach to one participant up to a date")
    sub.set_defaults(run=lambda args: _pause(service(), args))
    sub.add_argument("--phone", required=True)
    sub.add_argument("--until", type=date.fromisoformat, help="YYYY-MM-DD, included; leave out to resume now")
    sub.add_argument("--counselor", required=True, help="your email")


def _sweep(service: Service) -> None:
    queued = service.sweep()
    print(
        f"queued {queued.total()} outreach" + "".join(f"\n  {rule}: {count}" for rule, count in sorted(queued.items()))
    )


def _dispatch(service: Service, args: argparse.Namespace) -> None:
    # What start-up loaded lives as long as this run: frozen, as `serve` freezes it, a full
    # collection does not rescan it while the texts are made (one cost about 50 us a text).
    gc.freeze()
    if not service.transports():
        print("no sender is set (TWILIO_* or TELEGRAM_BOT_TOKEN): texts stay queued until one is", file=sys.stderr)
    done = service.dispatch(workers=args.workers)
    print(", ".join(f"{outcome} {count}" for outcome, count in sorted(done.items())) or "nothing was due")


def _list(service: Service, args: argparse.Namespace) -> None:
    with service.sessions.begin() as session:
        counselor = counselor_by_email(session, args.counselor)
        query = (
            select(Outreach, Participant)
            .join(Participant, Outreach.participant_id == Participant.id)
            .where(Participant.counselor_id == counselor.id, Outreach.state == OutreachState(args.state))
            .order_by(Outreach.due_at)
        )
        if args.phone:
            query = query.where(Participant.id == participant_by_phone(session, args.phone).id)
        rows = session.execute(query).all()
        if not rows:
            print(f"no {args.state} outreach")
        for row, participant in rows:
            due = row.due_at.astimezone(ZoneInfo(participant.time_zone))
            what = f'"{row.body}"' if row.body else row.template
            reason = f" ({row.reason})" if row.reason else ""
            print(f"{row.id:6} {due:%a %b %d %H:%M} {participant.display_name:24} {row.rule:18} {what}{reason}")


def _edit(service: Service, args: argparse.Namespace) -> None:
    with service.sessions.begin() as session:
        row = edit_queued(session, args.id, counselor_by_email(session, args.counselor).id, args.text, utc_now())
        print(f"outreach {row.id} will send your text")


def _cancel(service: Service, args: argparse.Namespace) -> None:
    with service.sessions.begin() as session:
        row = cancel_by_counselor(session, args.id, counselor_by_email(session, args.counselor).id, utc_now())
        print(f"outreach {row.id} cancelled")


def _pause(service: Service, args: argparse.Namespace) -> None:
    with service.sessions.begin() as session:
        participant = participant_by_phone(session, args.phone)
        pause_outreach(session, participant, counselor_by_email(session, args.counselor).id, args.until, utc_now())
        state = f"paused through {args.until:%a %b %d, %Y}" if args.until else "resumed"
        print(f"outreach to {participant.display_name} {state}")
