"""Sending through the real python-telegram-bot `Bot`, within Telegram's limits, with its errors
sorted as our outbox needs them (DeliveryError), and fetching the files participants send.

PTB is asynchronous and our senders are threads (the outbox, background tasks), so the Bot lives
on an event loop of its own in a daemon thread; `send` hands it one coroutine at a time.
"""

import asyncio
import os
import threading
import time
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any, TypeVar

# PTB 22 warns that RetryAfter.retry_after becomes a timedelta in its next major version; we take
# that form now (`_seconds` reads it), so that the warning is not raised on every flood wait.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from telegram import Bot  # noqa: E402
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from bot.documents import FetchFailed
from scheduler.outbox import DeliveryError, Failure

T = TypeVar("T")

#: The Bot API refuses longer texts; ours are far shorter, so a longer one is a mistake to stop here.
MAX_TEXT = 4096
#: What Telegram says when a chat can no longer be reached (that chat's channel is disabled), with
#: the short code kept on the message (error codes are 16 characters at most).
UNREACHABLE = {
    "bot was blocked by the user": "blocked",
    "user is deactivated": "deactivated",
    "chat not found": "no_chat",
}
#: Flood-control waits taken for one message before it is left for the outbox's next pass.
MAX_FLOOD_WAITS = 3


class SendLimiter:
    """Telegram's limits: about one message a second to a chat, thirty a second in all, and a
    flood-control wait that holds every sender, not only the one told (issue 16, item 16).

    Sends are spread evenly at 10% under the overall limit: a slot is reserved under a lock and
    waited for outside it, and between the slot and Telegram's clock lie a thread hand-off and an
    HTTP request, which bunch arrivals by tens of milliseconds (at exactly 30 a second Telegram
    counted 34 in one second). After the wait a sender looks again: a flood wait that began while
    it slept sends it back for a slot after the pause."""

    def __init__(
        self,
        per_chat: float = 1.0,
        per_second: int = 30,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._per_chat = per_chat
        self._interval = 1.0 / (per_second * 0.9)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_in_chat: dict[str, float] = {}
        self._next = 0.0
        self._paused_until = 0.0

    def wait(self, chat: str) -> None:
        while True:
            with self._lock:
                now = self._clock()
                slot = max(now, self._next, self._paused_until, self._next_in_chat.get(chat, now))
                self._next = slot + self._interval
                self._next_in_chat[chat] = slot + self._per_chat
            if slot > now:
                self._sleep(slot - now)
            with self._lock:
                if self._clock() >= self._paused_until:
                    return

    def pause(self, seconds: float) -> None:
        """Telegram said to wait (429 retry_after): no sender sends before then."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


class TelegramTransport:
    def __init__(
        self,
        token: str,
        *,
        api_base_url: str | None = None,
        limiter: SendLimiter | None = None,
        timeout: float = 10.0,
    ) -> None:
        # Tests and staging point the real client at another server; Telegram's is the default.
        api = api_base_url or "https://api.telegram.org"
        request = HTTPXRequest(connection_pool_size=8, read_timeout=timeout, connect_timeout=timeout)
        self._bot = Bot(
            token,
            base_url=f"{api}/bot",
            base_file_url=f"{api}/file/bot",
            request=request,
            get_updates_request=HTTPXRequest(read_timeout=60),
        )
        self._limiter = limiter or SendLimiter()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run one Bot call on the transport's loop, starting the loop (and the Bot) on first use."""
        with self._start:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=loop.run_forever, name="telegram", daemon=True)
                self._thread.start()
                asyncio.run_coroutine_threadsafe(self._bot.initialize(), loop).result()
                self._loop = loop
        return asyncio.run_coroutine_threadsafe(work, self._loop).result()

    def send(self, address: str, body: str) -> str:
        if len(body) > MAX_TEXT:
            raise DeliveryError(Failure.REFUSED, "too_long")
        for _ in range(MAX_FLOOD_WAITS):
            self._limiter.wait(address)
            try:
                message = self._run(self._bot.send_message(chat_id=int(address), text=body))
            except RetryAfter as flood:
                # Not sent: every sender waits as told (the limiter), then this one sends it (once).
                self._limiter.pause(_seconds(flood))
                continue
            except TelegramError as error:
                raise _delivery_error(error) from error
            # Telegram numbers messages per chat; with the chat, the id is unique (and never an update_id).
            return f"{address}:{message.message_id}"
        raise DeliveryError(Failure.TRANSIENT, "429")

    def download(self, file_id: str) -> bytes:
        """A file a participant sent, by its Telegram file id."""
        try:
            file = self._run(self._bot.get_file(file_id))
            return bytes(self._run(file.download_as_bytearray()))
        except BadRequest as error:
            raise FetchFailed(f"telegram: {error.message[:80]}", permanent=True) from error
        except TelegramError as error:
            raise FetchFailed(type(error).__name__) from error

    def set_webhook(self, url: str, secret: str) -> bool:
        return self._run(self._bot.set_webhook(url=url, secret_token=secret, allowed_updates=["message"]))

    def delete_webhook(self) -> bool:
        """Long polling and a webhook exclude each other at Telegram."""
        return self._run(self._bot.delete_webhook())

    def updates(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        """Long polling, for running without a public URL; the updates as the webhook receives them."""
        found = self._run(self._bot.get_updates(offset=offset, timeout=timeout, allowed_updates=["message"]))
        return [update.to_dict() for update in found]

    def close(self) -> None:
        """Close the Bot's connections and its loop (if it was ever started)."""
        if self._loop is None or self._thread is None:
            return
        self._run(self._bot.shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()
        self._loop = None


def _delivery_error(error: TelegramError) -> DeliveryError:
    reason = error.message.lower()
    if isinstance(error, Forbidden | BadRequest):
        unreachable = next((code for words, code in UNREACHABLE.items() if words in reason), None)
        if unreachable is not None:
            return DeliveryError(Failure.BAD_ADDRESS, unreachable)
        return DeliveryError(Failure.REFUSED, "forbidden" if isinstance(error, Forbidden) else "bad_request")
    if isinstance(error, TimedOut):
        # The request may have reached Telegram: a resend could deliver it twice.
        return DeliveryError(Failure.UNCERTAIN, "timeout")
    if isinstance(error, NetworkError):
        return DeliveryError(Failure.TRANSIENT, "network")
    return DeliveryError(Failure.TRANSIENT, "telegram")


def _seconds(flood: RetryAfter) -> float:
    wait = flood.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
