"""`waypoint notes …` (draft, list, show, approve, reject, addendum, export) and the counselor
account commands (password, token, revoke): the same review as the API, from a terminal.

A command acts as the counselor named by --counselor and is audited as them."""

import argparse
import getpass
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.app import Service
from bot.inbox import utc_now
from bot.terminal import ServiceFactory, UserError, counselor_by_email
from casefile.accounts import disable_counselor, end_sessions, hash_password, issue_token, revoke_token
from casefile.vocabulary import NoteState
from notes import export, review
from notes.journal import load_journal_types, names_of
from notes.render import us_date


def add_account_commands(counselor_commands: Any, service: ServiceFactory) -> None:
    sub = counselor_commands.add_parser("password", help="set a counselor's password (read from standard input)")
    sub.set_defaults(run=lambda args: _password(service(), args))
    sub.add_argument("--email", required=True)
    sub = counselor_commands.add_parser("token", help="issue an API token (printed once)")
    sub.set_defaults(run=lambda args: _token(service(), args))
    sub.add_argument("--email", required=True)
    sub.add_argument("--name", required=True, help="what it is for, e.g. the county's import job")
    sub = counselor_commands.add_parser("revoke", help="revoke one of a counselor's API tokens")
    sub.set_defaults(run=lambda args: _revoke(service(), args))
    sub.add_argument("id", type=int)
    sub.add_argument("--email", required=True)
    sub = counselor_commands.add_parser("disable", help="disable an account: no sign-in, every session and token ends")
    sub.set_defaults(run=lambda args: _disable(service(), args))
    sub.add_argument("--email", required=True)


def add_note_commands(commands: Any, service: ServiceFactory) -> None:
    notes = commands.add_parser("notes", help="case notes: draft, review, approve, export")
    note_commands = notes.add_subparsers(title="commands", metavar="COMMAND", required=True)

    def command(name: str, run: Callable[[Service, argparse.Namespace], None], help: str) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = note_commands.add_parser(name, help=help)
        sub.set_defaults(run=lambda args: run(service(), args))
        if name != "draft":
            sub.add_argument("--counselor", required=True, help="your email: you act, and are audited, as yourself")
        return sub

    sub = command("draft", _draft, "close the contacts gone quiet and draft their notes now (one pass of the job)")
    sub.add_argument(
        "--now-plus",
        type=_duration,
        default=timedelta(0),
        metavar="DURATION",
        help="act as if this much later, e.g. 3h: in a demo, close the contacts you just had without waiting",
    )
    sub = command("list", _list, "your queue, oldest first (late drafts marked)")
    sub.add_argument("--state", choices=[*(state.value for state in NoteState), "all"], default=NoteState.DRAFT.value)
    sub = command("show", _show, "one note with the messages each sentence came from")
    sub.add_argument("id", type=int)
    sub = command("approve", _approve, "approve a draft, as it stands or with your edit")
    sub.add_argument("id", type=int)
    sub.add_argument("--edited", type=Path, help="a file with your edited text of the note")
    sub = command("reject", _reject, "reject a draft, saying why")
    sub.add_argument("id", type=int)
    sub.add_argument("--reason", required=True)
    sub = command("addendum", _addendum, "add an addendum to an approved note")
    sub.add_argument("id", type=int)
    sub.add_argument("--text", required=True)
    sub = command("export", _export, "approved notes of a date range: journal text, CSV or JSON")
    sub.add_argument("--from", dest="first", type=date.fromisoformat, required=True, help="YYYY-MM-DD, contact date")
    sub.add_argument("--to", dest="last", type=date.fromisoformat, required=True, help="YYYY-MM-DD, included")
    sub.add_argument("--format", choices=export.FORMATS, default="journal")


def _password(service: Service, args: argparse.Namespace) -> None:
    password = getpass.getpass("New password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    try:
        hashed = hash_password(password)
    except ValueError as error:
        raise UserError(str(error)) from None
    with service.sessions.begin() as session:
        counselor = counselor_by_email(session, args.email)
        counselor.password_hash = hashed
        # Whoever knew the old password is signed out too.
        ended = end_sessions(session, counselor, utc_now())
    print("password set" + (f"; {ended} signed-in sessions ended" if ended else ""))


def _disable(service: Service, args: argparse.Namespace) -> None:
    with service.sessions.begin() as session:
        ended = disable_counselor(session, counselor_by_email(session, args.email), utc_now())
    print(f"{args.email} disabled; {ended} sessions and tokens ended")


def _token(service: Service, args: argparse.Namespace) -> None:
    with service.sessions.begin() as session:
        issued = issue_token(session, counselor_by_email(session, args.email), args.name, utc_now())
    print(f"token {issued.id} (shown once, keep it secret): {issued.secret}")


def _revoke(service: Service, args: argparse.Namespace) -> None:
    with service.sessions.begin() as session:
        if not revoke_token(session, counselor_by_email(session, args.email), args.id, utc_now()):
            raise UserError(f"{args.email} has no live token {args.id}")
    print(f"token {args.id} revoked")


def _draft(service: Service, args: argparse.Namespace) -> None:
    later = replace(service, clock=lambda: utc_now() + args.now_plus) if args.now_plus else service
    drafted = later.draft_notes()
    print(f"{drafted['contacts']} drafts from contacts, {drafted['verifications']} monthly hours verifications")


def _duration(text: str) -> timedelta:
    """"3h", "90m" or "2d": how far ahead `notes draft --now-plus` acts."""
    match = re.fullmatch(r"(\d{1,4})([mhd])", text.strip().lower())
    if match is None:
        raise argparse.ArgumentTypeError("a duration such as 90m, 3h or 2d")
    return timedelta(**{{"m": "minutes", "h": "hours", "d": "days"}[match[2]]: int(match[1])})


def _list(service: Service, args: argparse.Namespace) -> None:
    state = None if args.state == "all" else NoteState(args.state)
    with service.sessions.begin() as session:
        notes = review.queue(session, counselor_by_email(session, args.counselor), utc_now(), state)
        names = names_of(session, {note.participant_id for note, _ in notes})
        types = load_journal_types(service.settings.journal_types)
        for note, late in notes:
            flags = " LATE" if late else ""
            flags += f" ({len(note.problems)} problems)" if note.problems else ""
            print(
                f"{note.id:>6}  {us_date(note.contact_date)}  {note.state.value:<8}  "
                f"{names[note.participant_id].label}  [{types.of(note.subject)}]  {note.title}{flags}"
            )
        if not notes:
            print("no notes")


def _show(service: Service, args: argparse.Namespace) -> None:
    with service.sessions.begin() as session:
        seen = _review(lambda: review.view(session, counselor_by_email(session, args.counselor), args.id, utc_now()))
        note = seen.note
        who = names_of(session, [note.participant_id])[note.participant_id]
        journal_type = load_journal_types(service.settings.journal_types).of(note.subject)
        print(
            f"{who.label}\n{note.title}\nJournal type: {journal_type}\n{note.state.value}{' LATE' if seen.late else ''}\n"
        )
        print(note.final_body or note.draft_body)
        for problem in note.problems:
            print(f"check: {problem}")
        print("\nSources:")
        for source in note.sources:
            confirmed = (
                f" (confirmed in {', '.join(map(str, source['confirmed_by']))})" if source.get("confirmed_by") else ""
            )
            print(f"  [{', '.join(map(str, source['message_ids'])) or '-'}] {source['text']}{confirmed}")
        for message in seen.messages:
            print(f"  message {message.id} ({message.direction.value}): {message.body}")
        for addendum in seen.addenda:
            print(f"Addendum {us_date(addendum.created_at.date())}: {addendum.body}")


def _approve(service: Service, args: argparse.Namespace) -> None:
    edited = args.edited.read_text(encoding="utf-8") if args.edited else None
    with service.sessions.begin() as session:
        note = _review(
            lambda: review.approve(session, counselor_by_email(session, args.counselor), args.id, utc_now(), edited)
        )
        print(f"note {note.id} approved{' with your edit' if note.edited else ''}")


def _reject(service: Service, args: argparse.Namespace) -> None:
    with service.sessions.begin() as session:
        _review(
            lambda: review.reject(session, counselor_by_email(session, args.counselor), args.id, args.reason, utc_now())
        )
        print(f"note {args.id} rejected")


def _addendum(service: Service, args: argparse.Namespace) -> None:
    with service.sessions.begin() as session:
        _review(
            lambda: review.add_addendum(
                session, counselor_by_email(session, args.counselor), args.id, args.text, utc_now()
            )
        )
        print(f"addendum added to note {args.id}")


def _export(service: Service, args: argparse.Namespace) -> None:
    with service.sessions.begin() as session:
        counselor = counselor_by_email(session, args.counselor)
        types = load_journal_types(service.settings.journal_types)
        text = export.export_range(session, counselor, args.first, args.last, args.format, utc_now(), types)
    sys.stdout.write(text)


def _review(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except review.NoteNotFound as missing:
        raise UserError(f"no note {missing} in your caseload") from None
    except review.ReviewRefused as refused:
        raise UserError(str(refused)) from None
