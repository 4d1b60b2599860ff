"""The ASGI app: the webhooks of every channel and the health check, on one FastAPI application."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from anyio import CapacityLimiter
from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.sms.webhook import sms_router
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


def create_app(service: Service, clock: Callable[[], datetime] = utc_now) -> FastAPI:
    settings = service.settings
    app = FastAPI(title="Waypoint", summary="Welfare-to-Work check-ins, hours and case notes by text")
    # SQLite takes one writer at a time: more threads would only queue on its lock and add latency.
    limiter = CapacityLimiter(1 if settings.is_sqlite else 16)
    app.include_router(
        sms_router(service.inbox, service.sessions, settings.twilio_auth_token, settings.public_url, limiter, clock)
    )

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        with service.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app
