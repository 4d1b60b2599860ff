"""One log format for the app, uvicorn and the jobs: plain or JSON, with the request's id on every
line written while a request is handled. Bodies, phone numbers and secrets are not logged; the
redaction filter of the inbox and transports keeps them out of what libraries write."""

import json
import logging
import sys
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
access = logging.getLogger("waypoint.access")

#: Libraries whose INFO lines are chatter: APScheduler's per-run notes and "missed by 0:02:51". (httpx keeps its
#: INFO request lines: the provider calls are worth seeing, and log redaction takes the bot token out.)
QUIET = {"apscheduler": logging.ERROR, "alembic": logging.WARNING}


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being handled (or "-")."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class _OurHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Ours, so that configuring again replaces it and leaves others' handlers (a test's) alone."""


PLAIN = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def configure_logging(log_format: str, level: int = logging.INFO) -> None:
    """Send the app's and uvicorn's records through one handler on stderr, in one format."""
    handler = _OurHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(PLAIN))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        # uvicorn's own handlers would print a second format; let its records reach ours.
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    for name, quiet_level in QUIET.items():
        logging.getLogger(name).setLevel(max(level, quiet_level))


class RequestLog:
    """Pure ASGI middleware (cheaper than BaseHTTPMiddleware on the webhook's hot path): gives every
    request an id (the proxy's X-Request-ID when it is a sane one), echoes it back, and writes one
    access line inside the request's context so that the line carries the id. Query strings are
    not logged: they are not ours to read back."""

    def __init__(self, app: ASGIApp, observe: Callable[[str, int, float], None] | None = None) -> None:
        self.app = app
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
        current = given if 8 <= len(given) <= 64 and given.replace("-", "").isalnum() else uuid.uuid4().hex
        token = request_id.set(current)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", current.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            path = getattr(route, "path", None) or scope["path"]
            access.info("%s %s %d %.1fms", scope["method"], path, status, elapsed * 1000)
            if self.observe is not None:
                self.observe(path, status, elapsed)
            request_id.reset(token)
