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
from bot.inbox import Inbound, Inbox, Media, ProcessingFailed
from bot.settings import Secret
from casefile.vocabulary import Channel, MessageStatus
from scheduler.outbox import deliver

log = logging.getLogger(__name__)

#: Bot commands a participant may tap, read as the words the engine knows.
COMMANDS = {"/start": "hi", "/help": "help", "/menu": "menu", "/stop": "stop"}


def inbound_from_update(payload: dict[str, Any], received_at: datetime) -> Inbound | None:
    """The message in an update, or None for updates that carry none (edits, joins, …)."""
    update = Update.de_json(payload, None)
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

    def receive(self, payload: dict[str, Any]) -> Received:
        """Store and process one update: its queued replies (none for a repeat) and whether it brought media."""
        inbound = inbound_from_update(payload, self._clock())
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
            payload = json.loads(await request.body())
            if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
                raise ValueError("not an update")
        except ValueError:
            return Response("Not a Telegram update", status_code=400)
        try:
            received = await run(channel.receive, payload)
        except ProcessingFailed:
            # Not even stored: a failed answer makes Telegram deliver the update again.
            return Response("Could not store the update; please retry", status_code=503)
        background.add_task(channel.send, received)
        return Response(status_code=200)

    return router
