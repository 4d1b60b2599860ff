"""Twilio's two webhooks served before FastAPI's router (issue 19).

A POST to exactly /sms/twilio or /sms/twilio/status is answered here, as plain ASGI: no route
matching over every page of the console, no dependency solving, no Request or Response objects:
our HTTP layers took 184 µs of CPU for a request refused before any database work, and take 69
(bench/webhook_http.py). It sits inside the request log and the body limit (bot.app), so those
still see, count, log and cap every request; whatever else comes to these paths (another method,
a trailing slash, a root path) goes on to the router, whose routes give the same answers through
the same SmsWebhooks (tests/test_twilio_fast_path.py sends each request down both).
"""

from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.channels.sms.webhook import RECEIVE_PATH, STATUS_PATH, Answer, SmsWebhooks

SIGNATURE = b"x-twilio-signature"


class TwilioFastPath:
    def __init__(self, app: ASGIApp, webhooks: SmsWebhooks) -> None:
        self.app = app
        self._webhooks = webhooks
        self._routes: dict[str, Callable[[Scope, Receive], Awaitable[Answer]]] = {
            RECEIVE_PATH: self._receive_sms,
            STATUS_PATH: self._delivery_status,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            route = self._routes.get(scope["path"])
            if route is not None:
                answer = await route(scope, receive)
                await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers()})
                await send({"type": "http.response.body", "body": answer.body})
                if answer.fetch_documents:
                    # As FastAPI's background task ran it: on a thread, once the answer is sent.
                    await run_in_threadpool(self._webhooks.fetch_documents)
                return
        await self.app(scope, receive, send)

    async def _receive_sms(self, scope: Scope, receive: Receive) -> Answer:
        webhooks = self._webhooks
        return await webhooks.receive_sms(_body_of(receive), webhooks.signed_url(scope), _signature(scope))

    async def _delivery_status(self, scope: Scope, receive: Receive) -> Answer:
        webhooks = self._webhooks
        url = webhooks.signed_url(scope)
        return await webhooks.delivery_status(_body_of(receive), url, _signature(scope), scope["query_string"])


def _signature(scope: Scope) -> str:
    """The first X-Twilio-Signature header, as Starlette's Headers.get read it ('' when none)."""
    for name, value in scope["headers"]:
        if name == SIGNATURE:
            return str(value.decode("latin-1"))
    return ""


def _body_of(receive: Receive) -> Callable[[], Awaitable[bytes]]:
    """The request's body, read when asked for (a refusal that needs no body reads none)."""

    async def body() -> bytes:
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    return b"".join(chunks)
            elif message["type"] == "http.disconnect":
                # What Starlette's Request.body raised: the client left before its body was read.
                raise ClientDisconnect

    return body
