"""The ASGI app: the webhooks of every channel and the health check, on one FastAPI application."""

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.sms.webhook import sms_router
from bot.database_runner import database_runner
from bot.inbox import Inbox, utc_now
from bot.settings import Settings
from casefile.database import make_engine, session_factory
from conversations.rendering import MessageRenderer, ServiceProfile


@dataclass(frozen=True)
class Service:
    """The parts every entry point (web app, chat, CLI) builds from the settings."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    inbox: Inbox


def build_service(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Service:
    engine = make_engine(settings.database_url)
    sessions = session_factory(engine)
    renderer = MessageRenderer(ServiceProfile(settings.program_name, settings.messages_per_week))
    return Service(settings, engine, sessions, Inbox(sessions, renderer, clock))


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # What is loaded by now lives as long as the process; frozen, the cyclic garbage collector
    # stops rescanning it on every full collection, pauses that showed in the webhook's p99.
    gc.freeze()
    yield


def create_app(service: Service, clock: Callable[[], datetime] = utc_now) -> FastAPI:
    settings = service.settings
    app = FastAPI(
        title="Waypoint",
        summary="Welfare-to-Work check-ins, hours and case notes by text",
        lifespan=_lifespan,
    )
    run = database_runner(settings.is_sqlite)
    app.include_router(
        sms_router(service.inbox, service.sessions, settings.twilio_auth_token, settings.public_url, run, clock)
    )

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        with service.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app
