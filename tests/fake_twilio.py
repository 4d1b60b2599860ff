"""A small Twilio REST server on 127.0.0.1 for the real twilio SDK to talk to."""

import base64
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import parse_qs

from tests.fake_server import JsonHandler, serve_fake


@dataclass(frozen=True)
class Planned:
    """How the server answers the next create-message request.

    `accepted`: whether the message is created (and later listed) even though the answer is an
    error or comes too late: a 500 after the message was taken, a hang after it was queued."""

    status: int = 201
    error_code: int | None = None
    delay: float = 0.0
    accepted: bool | None = None

    @property
    def creates(self) -> bool:
        return self.accepted if self.accepted is not None else self.status < 400


@dataclass(frozen=True)
class Held:
    """A message the fake holds, as its list endpoint shows it."""

    sid: str
    to: str
    body: str
    created: datetime


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
    #: Messages created, newest last; and each list request's query (a lookup by number).
    created: list[Held] = field(default_factory=list)
    lookups: list[dict[str, str]] = field(default_factory=list)
    #: Statuses the next list requests answer with instead of the list.
    lookup_statuses: list[int] = field(default_factory=list)
    #: Connections the server accepted (each serves requests until its client closes it).
    connections: int = 0

    def next_plan(self) -> Planned:
        with self.lock:
            return self.plan.pop(0) if self.plan else Planned()


def _handler(fake: FakeTwilio) -> type[JsonHandler]:
    class Handler(JsonHandler):
        # As Twilio does: a connection serves one request after another, so a client's pool is seen.
        protocol_version = "HTTP/1.1"
        # Headers and body go in two writes: without this, Nagle and delayed ACKs add 40 ms to each.
        disable_nagle_algorithm = True

        def setup(self) -> None:
            super().setup()
            with fake.lock:
                fake.connections += 1

        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            """Media as Twilio serves it: behind the account's basic auth; or the list of messages."""
            path, _, query = self.path.partition("?")
            if path.endswith("/Messages.json"):
                self._list(path, {k: v[0] for k, v in parse_qs(query).items()})
                return
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
            sid = "SM" + uuid.uuid4().hex
            with fake.lock:
                fake.requests.append((parts[3], user, form))
                if plan.creates:
                    fake.created.append(Held(sid, form.get("To", ""), form.get("Body", ""), datetime.now(UTC)))
            time.sleep(plan.delay)
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

        def _list(self, path: str, query: dict[str, str]) -> None:
            with fake.lock:
                fake.lookups.append(query)
                status = fake.lookup_statuses.pop(0) if fake.lookup_statuses else 200
                found = [held for held in reversed(fake.created) if held.to == query.get("To", held.to)]
            if status != 200:
                self._json(status, {"code": 20500, "message": "planned failure", "status": status})
                return
            page_size = int(query.get("PageSize", "50"))
            self._json(
                200,
                {
                    "messages": [
                        {
                            "sid": held.sid,
                            "to": held.to,
                            "body": held.body,
                            "status": "sent",
                            "date_created": format_datetime(held.created, usegmt=True),
                        }
                        for held in found[:page_size]
                    ],
                    "uri": path,
                    "first_page_uri": path,
                    "next_page_uri": None,
                    "previous_page_uri": None,
                    "page": 0,
                    "page_size": page_size,
                    "start": 0,
                    "end": min(len(found), page_size),
                },
            )

    return Handler


def run_fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio(url="")
    for url in serve_fake(_handler(fake)):
        fake.url = url
        yield fake


#: `waypoint` run as its own process (a dispatcher a test kills).
WAYPOINT = [sys.executable, "-m", "bot.cli"]


def waypoint_environment(url: str, twilio: FakeTwilio, account: str, **settings: str) -> dict[str, str]:
    """The environment of a `waypoint` process that sends to `twilio`, with the database at `url`
    migrated; `settings` add to it (WAYPOINT_SMS_PER_SECOND=...)."""
    env = {
        **os.environ,
        "WAYPOINT_DATABASE_URL": url,
        "TWILIO_ACCOUNT_SID": account,
        "TWILIO_AUTH_TOKEN": "secret-token",
        "TWILIO_FROM_NUMBER": "+15105559999",
        "WAYPOINT_TWILIO_API_BASE_URL": twilio.url,
        **settings,
    }
    subprocess.run([*WAYPOINT, "db", "upgrade"], env=env, check=True, capture_output=True)
    return env


def midday_zone(now: datetime) -> str:
    """A zone where it is midday at `now`, so that the real clock is inside the allowed hours."""
    return f"Etc/GMT{now.hour - 12:+d}" if now.hour != 12 else "Etc/GMT"
