"""A small Twilio REST server on 127.0.0.1 for the real twilio SDK to talk to."""

import base64
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from tests.fake_server import JsonHandler, serve_fake


@dataclass(frozen=True)
class Planned:
    """How the server answers the next create-message request."""

    status: int = 201
    error_code: int | None = None
    delay: float = 0.0


@dataclass
class FakeTwilio:
    url: str
    #: Each create-message request as (account in the path, basic-auth user, form fields).
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    plan: list[Planned] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: Media the server holds, by path, and the statuses its next media requests get first.
    media: dict[str, bytes] = field(default_factory=dict)
    media_statuses: list[int] = field(default_factory=list)
    #: Each media request as (path, basic-auth user, basic-auth password).
    media_requests: list[tuple[str, str, str]] = field(default_factory=list)

    def next_plan(self) -> Planned:
        with self.lock:
            return self.plan.pop(0) if self.plan else Planned()


def _handler(fake: FakeTwilio) -> type[JsonHandler]:
    class Handler(JsonHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            """Media as Twilio serves it: behind the account's basic auth."""
            user, _, password = (
                base64.b64decode(self.headers.get("Authorization", "x ").split()[1]).decode().partition(":")
            )
            with fake.lock:
                fake.media_requests.append((self.path, user, password))
                status = fake.media_statuses.pop(0) if fake.media_statuses else 200
            content = fake.media.get(self.path)
            if content is None:
                status = 404
            if status != 200:
                self._json(status, {"code": 20404, "message": "planned failure", "status": status})
                return
            assert content is not None
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
            parts = self.path.split("/")
            if len(parts) != 5 or parts[1] != "2010-04-01" or parts[4] != "Messages.json":
                self._json(404, {"code": 20404, "message": "not found", "status": 404})
                return
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
            user = base64.b64decode(self.headers["Authorization"].split()[1]).decode().split(":")[0]
            plan = fake.next_plan()
            time.sleep(plan.delay)
            with fake.lock:
                fake.requests.append((parts[3], user, form))
            if plan.error_code is not None or plan.status >= 400:
                self._json(
                    plan.status,
                    {
                        "code": plan.error_code,
                        "message": "planned failure",
                        "more_info": "https://www.twilio.com/docs/errors",
                        "status": plan.status,
                    },
                )
                return
            sid = "SM" + uuid.uuid4().hex
            self._json(
                201,
                {
                    "sid": sid,
                    "status": "queued",
                    "to": form.get("To"),
                    "body": form.get("Body"),
                    "account_sid": parts[3],
                    "num_segments": "1",
                },
            )

    return Handler


def run_fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio(url="")
    for url in serve_fake(_handler(fake)):
        fake.url = url
        yield fake
