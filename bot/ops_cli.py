"""The commands a county's IT runs: `check`, `backup`, `restore`, `purge`, `db current|history`.

Each says what it did in plain words and exits non-zero on a problem, so that it can run from cron,
systemd or a container's entrypoint."""

import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import SQLAlchemyError

from bot.app import Service
from bot.inbox import utc_now
from bot.settings import Settings
from bot.terminal import ServiceFactory, UserError
from casefile.consent import ConsentEvent
from casefile.database import make_engine
from casefile.documents import Document
from casefile.messages import Message
from casefile.migrate import alembic_config, is_current
from casefile.people import Participant
from casefile.vocabulary import ProgrammeStatus

#: What a purged message's body becomes: the row stays, so notes still cite a message that existed.
PURGED = "[removed under the retention policy]"


def add_ops_commands(commands: Any, database_commands: Any, service: ServiceFactory) -> None:
    sub = commands.add_parser("check", help="check the settings and the database; print the effective configuration")
    sub.set_defaults(run=lambda args: _check())
    sub = commands.add_parser("backup", help="copy the SQLite database (online) and the documents into a folder")
    sub.set_defaults(run=lambda args: _backup(service(), args.folder))
    sub.add_argument("folder", type=Path, help="a new or empty folder")
    sub = commands.add_parser("restore", help="restore a backup folder into this installation's empty home")
    sub.set_defaults(run=lambda args: _restore(args.folder))
    sub.add_argument("folder", type=Path)
    sub = commands.add_parser("purge", help="remove what the retention policy (WAYPOINT_RETENTION_DAYS) lets go")
    sub.set_defaults(run=lambda args: _purge(service(), args.dry_run))
    sub.add_argument("--dry-run", action="store_true", help="print what would be removed and change nothing")
    database_commands.add_parser("current", help="the schema revision the database is at").set_defaults(
        run=lambda args: _alembic(service(), command.current)
    )
    database_commands.add_parser("history", help="every schema revision, newest first").set_defaults(
        run=lambda args: _alembic(service(), command.history)
    )


def _check() -> None:
    """Settings were read and checked before this runs (bot.cli); this shows them and tries the database."""
    settings = Settings.from_env()
    print("Settings" + (f" (with {', '.join(settings.sources)})" if settings.sources else "") + ":")
    width = max(len(name) for name, _ in settings.shown())
    for name, value in settings.shown():
        print(f"  {name.ljust(width)}  {value}")
    print("Channels:")
    problems = []
    for channel, missing, half_set in _channels(settings):
        state = "ready" if not missing else ("incomplete" if half_set else "off")
        print(f"  {channel}: {state}" + (f" (missing {', '.join(missing)})" if missing else ""))
        if missing and half_set:
            problems.append(f"{channel} is set up only in part: set {', '.join(missing)}")
    engine = make_engine(settings.database_url)
    try:
        current = is_current(engine)
        print(f"Database: reachable, schema {'current' if current else 'behind: run `waypoint db upgrade`'}")
    except SQLAlchemyError as error:
        problems.append(f"the database cannot be reached: {str(error).splitlines()[0][:200]}")
    finally:
        engine.dispose()
    if problems:
        raise UserError("; ".join(problems))


def _channels(settings: Settings) -> list[tuple[str, list[str], bool]]:
    """Each channel with the settings it still needs, and whether any of its own were given."""
    sms = {
        "TWILIO_ACCOUNT_SID": settings.twilio_account_sid,
        "TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
        "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID": settings.twilio_from_number
        or settings.twilio_messaging_service_sid,
        "WAYPOINT_PUBLIC_URL": settings.public_url,
    }
    telegram = {
        "TELEGRAM_BOT_TOKEN": settings.telegram_bot_token,
        "TELEGRAM_WEBHOOK_SECRET": settings.telegram_webhook_secret,
        "TELEGRAM_BOT_USERNAME": settings.telegram_bot_username,
    }
    found = []
    for channel, needs, own in (("SMS (Twilio)", sms, 3), ("Telegram", telegram, 3)):
        missing = [name for name, value in needs.items() if not value]
        half_set = any(value for value in list(needs.values())[:own])
        found.append((channel, missing, half_set))
    return found


def _backup(service: Service, folder: Path) -> None:
    """SQLite's online backup (consistent while the service writes), then the documents."""
    settings = service.settings
    if not settings.is_sqlite:
        raise UserError("on PostgreSQL, back up with pg_dump (docs/operations.md says how); this copies SQLite only")
    if folder.exists() and any(folder.iterdir()):
        raise UserError(f"{folder} is not empty: back up into a new or empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(_sqlite_path(service.engine))
    target = sqlite3.connect(folder / "waypoint.sqlite3")
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    documents = Path(settings.documents_dir)
    if documents.is_dir():
        shutil.copytree(documents, folder / "documents")
    print(f"backed up the database and documents into {folder}")


def _restore(folder: Path) -> None:
    settings = Settings.from_env()
    if not settings.is_sqlite:
        raise UserError("on PostgreSQL, restore with pg_restore (docs/operations.md says how)")
    backup = folder / "waypoint.sqlite3"
    if not backup.is_file():
        raise UserError(f"{folder} holds no waypoint.sqlite3: is it a folder `waypoint backup` made?")
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    documents = Path(settings.documents_dir)
    if database.exists() or (documents.is_dir() and any(documents.iterdir())):
        raise UserError(f"{database} or {documents} already holds data: restore into an empty home")
    database.parent.mkdir(parents=True, exist_ok=True)
    source, target = sqlite3.connect(backup), sqlite3.connect(database)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    if (folder / "documents").is_dir():
        shutil.copytree(folder / "documents", documents, dirs_exist_ok=True)
    print(f"restored {folder} into {database.parent}")


@dataclass(frozen=True)
class PurgePlan:
    """What the retention policy lets go: the texts and documents of participants who left the
    programme more than the retention period ago. Approved notes, the audit trail and the consent
    ledger (evidence for at least four years, and refused changes by the database) are never touched."""

    participants: int
    messages: int
    documents: int
    consent_rows_kept: int


def purge_plan(service: Service, now: datetime) -> tuple[PurgePlan, list[int]]:
    cutoff = (now - timedelta(days=service.settings.retention_days)).date()
    with service.sessions() as session:
        gone = list(
            session.scalars(
                select(Participant.id).where(
                    Participant.status == ProgrammeStatus.EXITED, Participant.exited_on < cutoff
                )
            )
        )
        messages = session.scalar(
            select(func.count()).select_from(Message).where(Message.participant_id.in_(gone), Message.body != PURGED)
        )
        documents = session.scalar(
            select(func.count()).select_from(Document).where(Document.participant_id.in_(gone), Document.path.is_not(None))
        )
        kept = session.scalar(
            select(func.count()).select_from(ConsentEvent).where(ConsentEvent.participant_id.in_(gone))
        )
    return PurgePlan(len(gone), messages or 0, documents or 0, kept or 0), gone


def _purge(service: Service, dry_run: bool) -> None:
    plan, gone = purge_plan(service, utc_now())
    verb = "would remove" if dry_run else "removed"
    print(
        f"{plan.participants} participants exited more than {service.settings.retention_days} days ago: "
        f"{verb} the text of {plan.messages} messages and {plan.documents} documents. "
        f"Kept: approved notes, the audit trail and {plan.consent_rows_kept} consent ledger rows (TCPA evidence)."
    )
    if dry_run or not gone:
        return
    store = Path(service.settings.documents_dir)
    with service.sessions.begin() as session:
        for path in session.scalars(select(Document.path).where(Document.participant_id.in_(gone))):
            if path:
                (store / path).unlink(missing_ok=True)
        session.execute(update(Document).where(Document.participant_id.in_(gone)).values(path=None))
        session.execute(update(Message).where(Message.participant_id.in_(gone)).values(body=PURGED, media=[]))


def _alembic(service: Service, run: Callable[..., None]) -> None:
    config = alembic_config(service.engine.url.render_as_string(hide_password=False))
    with service.engine.connect() as connection:
        config.attributes["connection"] = connection
        run(config)


def _sqlite_path(engine: Engine) -> str:
    return engine.url.database or ""
