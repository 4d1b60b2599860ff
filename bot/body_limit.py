"""A ceiling on request bodies, enforced before the app reads them (issue 16, item 6).

Without one, a single unsigned request with a million-field form was read, parsed and hashed
before its 403, and held the server for seconds. A declared Content-Length over the limit is
answered 413 without reading a byte; a body that arrives without one (chunked) is counted as it
arrives and the request is cut off at the limit.

Pure ASGI rather than Starlette's BaseHTTPMiddleware: it adds one function call per message
received, not a task and a copy of the response per request (bench/webhook.py).
"""

from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The largest body Twilio sends: a Body of 1,600 characters (up to 4 UTF-8 bytes each, and each
#: byte percent-encoded as 3) is 19,200 bytes; 10 media URLs and the 40-odd other fields add a few
#: more. 64 KiB leaves room and stops a form of a million fields at its first chunk.
TWILIO_BODY_LIMIT = 64 * 1024
#: A Telegram update holds a 4,096-character text, its entities and the message it replies to,
#: JSON-escaped (6 bytes a character at worst): well under this.
TELEGRAM_BODY_LIMIT = 256 * 1024
#: Everything else (the counselors' JSON API) takes short forms and notes of 4,000 characters.
DEFAULT_BODY_LIMIT = 64 * 1024

#: Body limits by path prefix; the first prefix that matches wins.
BODY_LIMITS: Mapping[str, int] = {
    "/sms/": TWILIO_BODY_LIMIT,
    "/telegram/": TELEGRAM_BODY_LIMIT,
}


class BodyTooLarge(Exception):
    """The body went past its limit while the app was reading it."""


class BodyLimit:
    def __init__(
        self, app: ASGIApp, limits: Mapping[str, int] = BODY_LIMITS, default: int = DEFAULT_BODY_LIMIT
    ) -> None:
        self.app = app
        self._limits = tuple(limits.items())
        self._default = default

    def limit_for(self, path: str) -> int:
        for prefix, limit in self._limits:
            if path.startswith(prefix):
                return limit
        return self._default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(send, limit)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if not started:
                await _too_large(send, limit)


def _content_length(scope: Scope) -> int | None:
    """The declared length, or None when there is none (or it is not a number: the count then holds)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _too_large(send: Send, limit: int) -> None:
    body = f"Request body too large: at most {limit} bytes".encode()
    headers: list[Any] = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    # The client may still be sending; closing the connection is what ends that.
    headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
