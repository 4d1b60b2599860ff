"""Telegram's webhook, `POST /telegram/webhook`, and the same handling for long polling.

Telegram signs nothing; it sends the secret given to setWebhook in X-Telegram-Bot-Api-Secret-Token,
compared here in constant time. Each update is stored (de-duplicated on its update_id) and processed
before Telegram is answered; the replies are queued and sent after the answer, within Telegram's
limits (transport.py). PTB's `Application.update_queue` is not used: it would answer Telegram
before the message is stored.
"""

import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request, Response
from sqlalchemy.orm import Session, sessionmaker
from telegram import Update

from bot.channels.telegram.transport import TelegramTransport
from bot.database_runner import DatabaseRunner
from bot.dead_letters import keep_dead_letter
from bot.inbox import Inbound, Inbox, Media, ProcessingFailed
from bot.settings import Secret
from casefile.vocabulary import Channel, MessageStatus
from scheduler.outbox import deliver

log = logging.getLogger(__name__)

#: Bot commands a participant may tap, read as the words the engine knows.
COMMANDS = {"/start": "hi", "/help": "help", "/menu": "menu", "/stop": "stop"}


class MalformedUpdate(ValueError):
    """An authenticated update we cannot take as a message; the text says why, for staff."""


def read_update(body: bytes) -> dict[str, Any]:
    """The JSON object of an update with its update_id; MalformedUpdate if the body is not one."""
    try:
        payload = json.loads(body, parse_constant=_not_json)
    except RecursionError as error:
        raise MalformedUpdate("not an update: nested too deeply") from error
    except ValueError as error:  # not JSON, not UTF-8, or NaN/Infinity (which JSON does not have)
        raise MalformedUpdate(f"not JSON: {error}") from error
    if not isinstance(payload, dict):
        raise MalformedUpdate("not an update: not a JSON object")
    if type(payload.get("update_id")) is not int:
        raise MalformedUpdate("not an update: update_id is missing or not a whole number")
    return payload


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not a JSON value")


def _check_message(message: object) -> None:
    """The fields we read, of the types the Bot API gives them; PTB's parser trusts them."""
    if not isinstance(message, dict):
        raise MalformedUpdate("message is not an object")
    chat = message.get("chat")
    if not isinstance(chat, dict):
        raise MalformedUpdate("message.chat is missing")
    if type(chat.get("id")) is not int or not isinstance(chat.get("type"), str):
        raise MalformedUpdate("message.chat has no whole-number id or no type")
    if type(message.get("date")) is not int:
        raise MalformedUpdate("message.date is not a whole number")
    for name in ("text", "caption"):
        if name in message and not isinstance(message[name], str):
            raise MalformedUpdate(f"message.{name} is not text")


def inbound_from_update(payload: dict[str, Any], received_at: datetime) -> Inbound | None:
    """The message in an update, or None for updates that carry none (edits, joins, …).
    MalformedUpdate when the update is not shaped as the Bot API makes them."""
    if "message" in payload:
        _check_message(payload["message"])
    try:
        update = Update.de_json(payload, None)
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError, RecursionError) as error:
        raise MalformedUpdate(f"not an update the Bot API makes ({type(error).__name__})") from error
    message = update.message
    if message is None or message.chat.type != "private":
        return None
    text = message.text or message.caption or ""
    command = text.strip().split("@")[0].lower()
    if command in COMMANDS:
        text = COMMANDS[command]
    media: list[Media] = []
    if message.photo:
        # Telegram sends each photo in several sizes, smallest first: the largest is the document.
        media.append(Media(message.photo[-1].file_id, "image/jpeg"))
    if message.document:
        media.append(Media(message.document.file_id, message.document.mime_type or "application/octet-stream"))
    return Inbound(Channel.TELEGRAM, str(message.chat.id), text, str(update.update_id), received_at, tuple(media))


@dataclass(frozen=True)
class Received:
    reply_ids: tuple[int, ...]
    has_media: bool


class TelegramChannel:
    """Receiving an update and sending its replies: shared by the webhook and long polling."""

    def __init__(
        self,
        inbox: Inbox,
        sessions: sessionmaker[Session],
        transport: TelegramTransport,
        fetch_documents: Callable[[], object],
        clock: Callable[[], datetime],
    ) -> None:
        self.inbox = inbox
        self._sessions = sessions
        self.transport = transport
        self._fetch_documents = fetch_documents
        self._clock = clock

    def receive_body(self, body: bytes) -> Received:
        """`receive` for an update as the webhook gets it: bytes that may not even be JSON."""
        raw = body.decode("utf-8", "replace")
        try:
            payload = read_update(body)
        except MalformedUpdate as error:
            self._keep_dead_letter(None, str(error), raw)
            return Received((), has_media=False)
        return self.receive(payload, raw)

    def receive(self, payload: dict[str, Any], raw: str | None = None) -> Received:
        """Store and process one update: its queued replies (none for a repeat) and whether it brought
        media. One that is not a message we can take is kept as a dead letter (`raw`, the update as
        received, or else the payload), and nothing is sent."""
        try:
            inbound = inbound_from_update(payload, self._clock())
        except MalformedUpdate as error:
            self._keep_dead_letter(payload, str(error), raw if raw is not None else json.dumps(payload))
            return Received((), has_media=False)
        if inbound is None:
            return Received((), has_media=False)
        try:
            receipt = self.inbox.receive(inbound, MessageStatus.QUEUED)
        except ProcessingFailed as failure:
            if failure.message_id is None:
                raise
            apology = self.inbox.apologise(failure.message_id, MessageStatus.QUEUED)
            return Received((apology.message_id,) if apology else (), bool(inbound.media))
        return Received(tuple(reply.message_id for reply in receipt.replies), bool(inbound.media))

    def _keep_dead_letter(self, payload: dict[str, Any] | None, reason: str, raw: str) -> None:
        update_id = payload.get("update_id") if payload is not None else None
        message = payload.get("message") if payload is not None else None
        chat = message.get("chat") if isinstance(message, dict) else None
        chat_id = chat.get("id") if isinstance(chat, dict) else None
        keep_dead_letter(
            self._sessions,
            Channel.TELEGRAM,
            str(update_id) if type(update_id) is int else None,
            str(chat_id) if type(chat_id) is int else None,
            reason,
            raw,
            self._clock(),
        )

    def send(self, received: Received) -> None:
        """Send queued replies in order (one that fails for now stays queued for the next pass), then
        fetch the documents the update brought."""
        for reply_id in received.reply_ids:
            deliver(self._sessions, reply_id, self.transport, self._clock)
        if received.has_media:
            self._fetch_documents()

    def handle(self, payload: dict[str, Any]) -> None:
        """Receive and reply at once: what long polling does with each update."""
        self.send(self.receive(payload))


#: Seconds a long poll waits at Telegram for the next update.
POLL_TIMEOUT = 25


def poll(channel: TelegramChannel, offset: int | None) -> int | None:
    """One long poll: handle each update as the webhook would; the offset to poll from next."""
    for payload in channel.transport.updates(offset, POLL_TIMEOUT):
        channel.handle(payload)
        offset = int(payload["update_id"]) + 1
    return offset


def telegram_router(channel: TelegramChannel | None, secret: Secret | None, run: DatabaseRunner) -> APIRouter:
    router = APIRouter(tags=["telegram"])
    if channel is None or secret is None:
        log.warning(
            "TELEGRAM_BOT_TOKEN or TELEGRAM_WEBHOOK_SECRET is not set: the Telegram webhook refuses every request"
        )
    expected = secret.reveal().encode() if secret else None

    @router.post("/telegram/webhook")
    async def receive_update(request: Request, background: BackgroundTasks) -> Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
        if channel is None or expected is None or not hmac.compare_digest(given, expected):
            return Response("Invalid or missing secret token", status_code=403)
        try:
            # What cannot be a message is kept as a dead letter and answered 200 all the same: an
            # error would make Telegram send it again and again (issue 16, item 8).
            received = await run(channel.receive_body, await request.body())
        except ProcessingFailed:
            # Not even stored: a failed answer makes Telegram deliver the update again.
            return Response("Could not store the update; please retry", status_code=503)
        background.add_task(channel.send, received)
        return Response(status_code=200)

    return router
