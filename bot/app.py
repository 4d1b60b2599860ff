"""The ASGI app: the webhooks of every channel and the health check, on one FastAPI application."""

import gc
import logging
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.api import api_router
from bot.body_limit import BodyLimit
from bot.channels.sms.fast_path import TwilioFastPath
from bot.channels.sms.media import twilio_media
from bot.channels.sms.transport import TwilioTransport
from bot.channels.sms.webhook import SmsWebhooks, sms_router
from bot.channels.telegram.transport import SendLimiter, TelegramTransport
from bot.channels.telegram.webhook import TelegramChannel, telegram_router
from bot.database_runner import database_runner
from bot.docs import serve_docs
from bot.documents import MAX_BYTES, DocumentFetcher, DocumentStore, Download
from bot.inbox import Inbox, utc_now
from bot.log_redaction import install_log_redaction
from bot.logs import RequestLog
from bot.metrics import Metrics, serve_metrics
from bot.offload import Offload
from bot.process import tune_process
from bot.settings import Settings
from casefile.database import WalCheckpoints, gate_of, make_engine, session_factory
from casefile.vocabulary import Channel, MessageStatus
from console import ConsoleConfig, mount_console
from conversations.rendering import MessageRenderer, ServiceProfile
from notes.draft import draft_closed_contacts
from notes.journal import load_journal_types
from notes.render import NoteRenderer
from notes.verification import draft_verifications
from scheduler.alerts import Mailer, SmtpMailer, alert_counselors
from scheduler.dispatch import plan_due
from scheduler.jobs import Lease, PeriodicJob, start_jobs
from scheduler.office_hours import OfficeHours, parse_office_hours
from scheduler.outbox import OutreachTiming, RateLimiter, Transport, send_queued
from scheduler.reconcile import reconcile_sending
from scheduler.rules import Rule, Unit, load_rules
from scheduler.sweep import sweep
from scheduler.timing import Calendar, holiday_calendar

log = logging.getLogger(__name__)

#: How long the SMS webhook's inline path waits for SQLite's write lock before handing the work to
#: a thread: the event loop, and every request on it, waits that long. It waits only when none of
#: this process's writers holds the lock or waits for it (casefile.write_gate): it never jumps the line.
INLINE_LOCK_WAIT_MS = 50
#: Threads for webhook work (SQLite serialises writers anyway; PostgreSQL takes many at once).
WEBHOOK_THREADS = 16
#: The most of the scheduler's jobs that run at once (APScheduler's default executor's threads).
SCHEDULER_THREADS = 10
#: Connections the pool keeps: one for every thread that may hold one at once (the webhook's, the
#: jobs', the WAL checkpoints', a few of the console's). With SQLAlchemy's default of 5 (and 10 more
#: opened and closed again on demand) a webhook thread waited seconds for a connection while the
#: jobs held theirs, and every checkout past 5 opened a new one: on PostgreSQL a new backend process.
POOL_CONNECTIONS = WEBHOOK_THREADS + SCHEDULER_THREADS + 6


@dataclass(frozen=True)
class Service:
    """The parts every entry point (web app, chat, CLI) builds from the settings."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    inbox: Inbox
    documents: DocumentFetcher
    #: None when no Telegram bot token is set.
    telegram: TelegramChannel | None
    clock: Callable[[], datetime]
    renderer: MessageRenderer
    rules: tuple[Rule, ...]
    calendar: Calendar
    #: None when Twilio's credentials or sender are not set: SMS then goes out only as inline replies.
    sms: Transport | None
    #: The Twilio sender's rate (WAYPOINT_SMS_PER_SECOND), shared by every send from this process.
    sms_rate: RateLimiter
    notes: NoteRenderer
    #: When counselors answer; urgent items are escalated after office time (WAYPOINT_OFFICE_HOURS).
    office: OfficeHours | None = None
    #: Email for urgent items; None without WAYPOINT_SMTP_HOST.
    mailer: Mailer | None = None
    #: SQLite only: the same database, for the SMS webhook's inline path, waiting little for the lock.
    inline_engine: Engine | None = None
    #: Set when the service shuts down: the jobs' loops stop between passes, so that SIGTERM ends the
    #: process within its grace period however much work is due (containers kill at 10 s).
    stopping: threading.Event = field(default_factory=threading.Event)

    def close(self) -> None:
        """Close what the service holds open: Telegram's connections and loop, the database pools."""
        if self.telegram is not None:
            self.telegram.transport.close()
        self.engine.dispose()
        if self.inline_engine is not None:
            self.inline_engine.dispose()

    def wal_checkpoints(self) -> WalCheckpoints | None:
        """SQLite only: checkpoints off the requests' path, for as long as the web app runs."""
        if self.inline_engine is None:
            return None
        return WalCheckpoints([self.engine, self.inline_engine])

    def transports(self) -> dict[Channel, Transport]:
        """The senders of the channels that send outside an inline reply."""
        transports: dict[Channel, Transport] = {}
        if self.sms is not None:
            transports[Channel.SMS] = self.sms
        if self.telegram is not None:
            transports[Channel.TELEGRAM] = self.telegram.transport
        return transports

    def sweep(self, whole: bool | None = None) -> Counter[str]:
        """Queue the outreach that is due now (`waypoint sweep`, and the scheduler's sweep job); `whole`:
        decide for everyone, not only whose situation changed (scheduler/passes.py)."""
        return sweep(self.sessions, self.rules, self.calendar, self.clock(), self.stopping.is_set, whole)

    def dispatch(self, workers: int = 4) -> Counter[str]:
        """Turn due outreach into messages, then send what is queued, until nothing is left that is
        due now (`waypoint dispatch`, and the scheduler's dispatch job). Every pass moves each row it
        reads on (made, deferred to a later time, skipped), so the loops end."""
        rules = {rule.name: rule for rule in self.rules}
        transports = self.transports()
        # A STOP left unprocessed by a fault must count before anything is sent: the pending
        # messages are processed first, at start-up (the job's first run) and on every pass.
        resumed = self.resume_pending()
        # Then what an earlier pass left SENDING (a timeout, a kill): found, requeued or unknown.
        done: Counter[str] = reconcile_sending(self.sessions, transports, self.clock)
        if resumed:
            done["resumed"] = resumed
        # Each loop is asked to stop between passes when the service shuts down (SIGTERM): the rows
        # say what is left, and the next start goes on from there.
        while not self.stopping.is_set() and (
            decided := plan_due(self.sessions, rules, self.calendar, self.renderer, self.clock())
        ):
            done.update(decided)
        business = frozenset(rule.name for rule in self.rules if rule.unit is Unit.BUSINESS_DAYS)
        limiters = {Channel.SMS: self.sms_rate}
        timing = OutreachTiming(self.calendar, business)
        while not self.stopping.is_set() and (
            sent := send_queued(self.sessions, transports, self.clock, timing, limiters, workers=workers)
        ):
            done.update({str(status): count for status, count in sent.items()})
        return done

    def draft_notes(self) -> Counter[str]:
        """Close the contacts gone quiet and draft their case notes, and the monthly hours
        verifications once a month has ended (`waypoint notes draft`, and the scheduler's job)."""
        now = self.clock()
        return Counter(
            contacts=draft_closed_contacts(
                self.sessions, self.notes, self.calendar, now, stopping=self.stopping.is_set
            ),
            verifications=draft_verifications(self.sessions, self.notes, now, self.stopping.is_set),
        )

    def alert(self) -> Counter[str]:
        """Tell counselors of new urgent items and supervisors of unhandled ones (`waypoint handoff
        alerts`, and the scheduler's alerts job); the texts go out with the next dispatch."""
        assert self.office is not None
        escalate_after = timedelta(hours=self.settings.escalate_after_hours)
        return alert_counselors(self.sessions, self.office, escalate_after, self.mailer, self.clock)

    def periodic_jobs(self) -> list[PeriodicJob]:
        """What the in-process scheduler runs: the sweep, the dispatcher, document fetches and notes."""
        settings = self.settings
        return [
            PeriodicJob("sweep", self.sweep, settings.sweep_seconds),
            PeriodicJob("dispatch", self.dispatch, settings.dispatch_seconds),
            PeriodicJob("documents", self.documents.fetch_due, settings.document_retry_seconds),
            PeriodicJob("notes", self.draft_notes, settings.notes_seconds),
            PeriodicJob("alerts", self.alert, settings.alerts_seconds),
        ]

    def resume_pending(self) -> int:
        """Process the messages an earlier failure left unprocessed; their replies go through the
        outbox. How many were processed. Every dispatch pass does this first."""
        return len(self.inbox.process_pending(MessageStatus.QUEUED))


def build_service(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Service:
    secrets = (
        settings.twilio_auth_token,
        settings.telegram_bot_token,
        settings.telegram_webhook_secret,
        settings.smtp_password,
    )
    install_log_redaction(secret.reveal() for secret in secrets if secret)
    engine = make_engine(settings.database_url, pool_size=POOL_CONNECTIONS)
    sessions = session_factory(engine)
    renderer = MessageRenderer(ServiceProfile(settings.program_name, settings.messages_per_week))
    rules = load_rules(Path(settings.outreach_rules)) if settings.outreach_rules else load_rules()
    calendar = Calendar(holiday_calendar(settings.holidays))
    office = OfficeHours(parse_office_hours(settings.office_hours), ZoneInfo(settings.timezone), calendar)
    inbox = Inbox(sessions, renderer, clock, frozenset(rule.name for rule in rules if rule.stop_on_reply), office)
    telegram = (
        TelegramTransport(
            settings.telegram_bot_token.reveal(),
            api_base_url=settings.telegram_api_base_url,
            limiter=SendLimiter(per_chat=settings.telegram_chat_interval),
        )
        if settings.telegram_bot_token
        else None
    )
    documents = DocumentFetcher(
        sessions, DocumentStore(Path(settings.documents_dir)), _downloads(settings, telegram), clock
    )
    channel = TelegramChannel(inbox, sessions, telegram, documents.fetch_due, clock) if telegram else None
    return Service(
        settings,
        engine,
        sessions,
        inbox,
        documents,
        channel,
        clock,
        renderer,
        rules,
        calendar,
        _sms_sender(settings),
        RateLimiter(settings.sms_per_second),
        NoteRenderer(),
        office,
        _mailer(settings),
        make_engine(settings.database_url, lock_wait_ms=INLINE_LOCK_WAIT_MS, wait_in_line=False)
        if settings.is_sqlite
        else None,
    )


def _mailer(settings: Settings) -> Mailer | None:
    """Email through the county's SMTP server, once its host and a sender address are set."""
    if not (settings.smtp_host and settings.smtp_from):
        return None
    return SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_from,
        settings.smtp_user,
        settings.smtp_password.reveal() if settings.smtp_password else None,
        settings.smtp_starttls,
    )


def _sms_sender(settings: Settings) -> Transport | None:
    """Twilio's REST sender, once the account and a sender are set."""
    sender = settings.twilio_messaging_service_sid or settings.twilio_from_number
    if not (settings.twilio_account_sid and settings.twilio_auth_token and sender):
        return None
    return TwilioTransport(
        settings.twilio_account_sid,
        settings.twilio_auth_token.reveal(),
        messaging_service_sid=settings.twilio_messaging_service_sid,
        from_number=settings.twilio_from_number,
        status_callback=f"{settings.public_url}/sms/twilio/status" if settings.public_url else None,
        api_base_url=settings.twilio_api_base_url,
    )


def _downloads(settings: Settings, telegram: TelegramTransport | None) -> dict[Channel, Download]:
    """How each channel's media is fetched, for the channels whose credentials are set."""
    downloads: dict[Channel, Download] = {}
    if settings.twilio_account_sid and settings.twilio_auth_token:
        downloads[Channel.SMS] = twilio_media(
            settings.twilio_account_sid, settings.twilio_auth_token, MAX_BYTES, settings.twilio_media_origins
        )
    if telegram is not None:
        downloads[Channel.TELEGRAM] = telegram.download
    return downloads


def _lifespan(
    service: Service, run_scheduler: bool, metrics: Metrics | None, offload: Offload
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The app's life: with `run_scheduler`, the sweep, the dispatcher and document fetches run
    in-process (one process per deployment holds the lease; the others' jobs stand by)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tune_process()
        # What is loaded by now lives as long as the process; frozen, the cyclic garbage collector
        # stops rescanning it on every full collection, pauses that showed in the webhook's p99.
        gc.freeze()
        checkpoints = service.wal_checkpoints()
        if checkpoints is not None:
            checkpoints.start()
        try:
            if not run_scheduler:
                yield
                return
            lease = Lease(service.sessions, service.clock)
            scheduler = start_jobs(service.periodic_jobs(), lease, metrics.observe_job if metrics else None)
            try:
                yield
            finally:
                service.stopping.set()
                scheduler.shutdown(wait=True)
                lease.release()
        finally:
            offload.close()
            if checkpoints is not None:
                checkpoints.stop()

    return lifespan


def _console_config(service: Service, clock: Callable[[], datetime]) -> ConsoleConfig:
    settings = service.settings
    return ConsoleConfig(
        sessions=service.sessions,
        clock=clock,
        calendar=service.calendar,
        time_zone=settings.timezone,
        public_url=settings.public_url,
        documents_dir=Path(settings.documents_dir),
        telegram_bot_username=settings.telegram_bot_username,
        send_pending=service.dispatch,
        office=service.office,
    )


def create_app(service: Service, clock: Callable[[], datetime] = utc_now, run_scheduler: bool = False) -> FastAPI:
    settings = service.settings
    offload = Offload(WEBHOOK_THREADS)
    metrics = Metrics() if settings.metrics_enabled else None
    app = FastAPI(
        title="Waypoint",
        summary="Welfare-to-Work check-ins, hours and case notes by text",
        version=version("waypoint"),
        lifespan=_lifespan(service, run_scheduler, metrics, offload),
        docs_url=None,
        redoc_url=None,
    )
    run = database_runner(settings.is_sqlite)
    inline_sessions = session_factory(service.inline_engine) if service.inline_engine is not None else None
    sms = SmsWebhooks(
        service.inbox,
        service.sessions,
        settings.twilio_auth_token,
        settings.public_url,
        run,
        clock,
        service.documents.fetch_due,
        offload,
        settings.webhook_budget_seconds,
        service.inbox.using(inline_sessions) if inline_sessions is not None else None,
        gate_of(service.inline_engine) if service.inline_engine is not None else None,
        metrics.observe_batch if metrics else None,
    )
    # Twilio's webhooks before the router (issue 19), inside the body limit and the request log.
    app.add_middleware(TwilioFastPath, webhooks=sms)
    # Before anything that reads a body, so that no body past its limit is read (issue 16, item 6);
    # inside the request log, which reads none and so logs the 413 too.
    app.add_middleware(BodyLimit)
    app.add_middleware(RequestLog, observe=metrics.observe_request if metrics else None)
    serve_docs(app)
    if metrics is not None:
        metrics.watch_database(service.sessions, clock)
        serve_metrics(app, metrics)
    app.include_router(sms_router(sms))

    app.include_router(telegram_router(service.telegram, settings.telegram_webhook_secret, run))
    app.include_router(
        api_router(service.sessions, clock, settings.public_url, load_journal_types(settings.journal_types))
    )
    mount_console(app, _console_config(service, clock))

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        with service.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app
