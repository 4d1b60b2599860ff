"""The ASGI app: the webhooks of every channel and the health check, on one FastAPI application."""

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.sms.media import twilio_media
from bot.channels.sms.webhook import sms_router
from bot.channels.telegram.transport import SendLimiter, TelegramTransport
from bot.channels.telegram.webhook import TelegramChannel, telegram_router
from bot.database_runner import database_runner
from bot.documents import MAX_BYTES, DocumentFetcher, DocumentStore, Download
from bot.inbox import Inbox, utc_now
from bot.settings import Settings
from casefile.database import make_engine, session_factory
from casefile.vocabulary import Channel
from conversations.rendering import MessageRenderer, ServiceProfile
from scheduler.outbox import Transport, send_queued

log = logging.getLogger(__name__)


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

    def close(self) -> None:
        """Close what the service holds open: Telegram's connections and loop, the database pool."""
        if self.telegram is not None:
            self.telegram.transport.close()
        self.engine.dispose()

    def transports(self) -> dict[Channel, Transport]:
        """The senders of the channels that send outside an inline reply."""
        return {Channel.TELEGRAM: self.telegram.transport} if self.telegram else {}


def build_service(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Service:
    engine = make_engine(settings.database_url)
    sessions = session_factory(engine)
    renderer = MessageRenderer(ServiceProfile(settings.program_name, settings.messages_per_week))
    inbox = Inbox(sessions, renderer, clock)
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
    return Service(settings, engine, sessions, inbox, documents, channel, clock)


def _downloads(settings: Settings, telegram: TelegramTransport | None) -> dict[Channel, Download]:
    """How each channel's media is fetched, for the channels whose credentials are set."""
    downloads: dict[Channel, Download] = {}
    if settings.twilio_account_sid and settings.twilio_auth_token:
        downloads[Channel.SMS] = twilio_media(settings.twilio_account_sid, settings.twilio_auth_token, MAX_BYTES)
    if telegram is not None:
        downloads[Channel.TELEGRAM] = telegram.download
    return downloads


def _lifespan(service: Service) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # What is loaded by now lives as long as the process; frozen, the cyclic garbage collector
        # stops rescanning it on every full collection, pauses that showed in the webhook's p99.
        gc.freeze()
        retrying = asyncio.create_task(_retry_pending(service))
        yield
        retrying.cancel()

    return lifespan


async def _retry_pending(service: Service) -> None:
    """Documents whose fetch failed, and replies a provider could not take at once, are tried again
    for as long as the app runs."""
    while True:
        await asyncio.sleep(service.settings.document_retry_seconds)
        try:
            await anyio.to_thread.run_sync(service.documents.fetch_due)
            await anyio.to_thread.run_sync(send_queued, service.sessions, service.transports(), service.clock)
        except Exception:
            log.exception("a pass over documents and queued replies failed; the next one tries again")


def create_app(service: Service, clock: Callable[[], datetime] = utc_now) -> FastAPI:
    settings = service.settings
    app = FastAPI(
        title="Waypoint",
        summary="Welfare-to-Work check-ins, hours and case notes by text",
        lifespan=_lifespan(service),
    )
    run = database_runner(settings.is_sqlite)
    app.include_router(
        sms_router(
            service.inbox,
            service.sessions,
            settings.twilio_auth_token,
            settings.public_url,
            run,
            clock,
            service.documents.fetch_due,
        )
    )

    app.include_router(telegram_router(service.telegram, settings.telegram_webhook_secret, run))

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        with service.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app
