"""A small Telegram Bot API server on 127.0.0.1 for the real python-telegram-bot client to talk to."""

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

from tests.fake_server import JsonHandler, serve_fake

TOKEN = "123456:test-bot-token"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Waypoint", "username": "waypoint_test_bot"}


@dataclass(frozen=True)
class Sent:
    chat_id: str
    text: str
    #: time.monotonic() when the server took it.
    at: float


@dataclass
class FakeTelegram:
    url: str = ""
    sent: list[Sent] = field(default_factory=list)
    #: Error answers for the next sendMessage calls, in order (then successes).
    errors: list[dict[str, Any]] = field(default_factory=list)
    #: Every Bot API call by method name, with its parameters.
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    #: time.monotonic() of every sendMessage call, answered or refused.
    send_times: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.sent.clear()
            self.errors.clear()
            self.calls.clear()
            self.files.clear()
            self.updates.clear()
            self.send_times.clear()

    def texts_to(self, chat_id: str) -> list[str]:
        with self.lock:
            return [sent.text for sent in self.sent if sent.chat_id == chat_id]


def blocked() -> dict[str, Any]:
    return {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}


def flood(seconds: int) -> dict[str, Any]:
    return {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {seconds}",
        "parameters": {"retry_after": seconds},
    }


def _handler(fake: FakeTelegram) -> type[JsonHandler]:
    class Handler(JsonHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            prefix, path = f"/file/bot{TOKEN}/", unquote(self.path)
            content = fake.files.get(path[len(prefix) :]) if path.startswith(prefix) else None
            if content is None:
                self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
            token, _, method = self.path.removeprefix("/bot").partition("/")
            length = int(self.headers.get("Content-Length") or 0)
            params = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if token != TOKEN:
                self._json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                return
            with fake.lock:
                fake.calls.append((method, params))
            answer = getattr(self, f"_{method}", None)
            if answer is None:
                self._json(200, {"ok": True, "result": True})
                return
            answer(params)

        def _getMe(self, params: dict[str, str]) -> None:  # noqa: N802 (the Bot API's name)
            self._json(200, {"ok": True, "result": BOT_USER})

        def _sendMessage(self, params: dict[str, str]) -> None:  # noqa: N802 (the Bot API's name)
            with fake.lock:
                fake.send_times.append(time.monotonic())
                error = fake.errors.pop(0) if fake.errors else None
                if error is None:
                    fake.sent.append(Sent(params["chat_id"], params["text"], time.monotonic()))
                    message_id = len(fake.sent)
            if error is not None:
                self._json(error["error_code"], error)
                return
            chat = {"id": int(params["chat_id"]), "type": "private"}
            message = {"message_id": message_id, "date": int(time.time()), "chat": chat, "text": params["text"]}
            self._json(200, {"ok": True, "result": message})

        def _getFile(self, params: dict[str, str]) -> None:  # noqa: N802 (the Bot API's name)
            file_id = params["file_id"]
            if file_id not in fake.files:
                self._json(400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"})
                return
            result = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(fake.files[file_id])}
            self._json(200, {"ok": True, "result": {**result, "file_path": file_id}})

        def _getUpdates(self, params: dict[str, str]) -> None:  # noqa: N802 (the Bot API's name)
            offset = int(params.get("offset") or 0)
            with fake.lock:
                found = [update for update in fake.updates if update["update_id"] >= offset]
            self._json(200, {"ok": True, "result": found})

    return Handler


def run_fake_telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram()
    for url in serve_fake(_handler(fake)):
        fake.url = url
        yield fake


def message_update(update_id: int, chat_id: int, text: str = "", photo: str | None = None) -> dict[str, Any]:
    """An update as Telegram posts it for a private message (with a photo in three sizes, if given)."""
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "Participant"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Participant"},
    }
    if photo is not None:
        message["photo"] = [
            {"file_id": f"{photo}-{size}", "file_unique_id": f"{photo}{size}", "width": size, "height": size}
            for size in (90, 320, 1280)
        ]
        if text:
            message["caption"] = text
    else:
        message["text"] = text
    return {"update_id": update_id, "message": message}
