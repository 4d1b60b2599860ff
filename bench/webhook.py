"""Throughput and latency of the signed Twilio webhook, against a bare endpoint, in one run.

    python bench/webhook.py [--seconds 20] [--connections 32] [--participants 1000]

Both servers are uvicorn with one worker on 127.0.0.1; the webhook runs on a fresh SQLite file
seeded with confirmed participants. The bare endpoint only parses the same form and answers empty
TwiML: the ratio says what checking, storing and answering a message costs over HTTP alone.
Every request is unique (its own MessageSid) and correctly signed; the bodies walk through real
conversation paths (greeting, menu, help, message to the counselor).
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl

import httpx2 as httpx
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "bench-auth-token"
PUBLIC_URL = "https://waypoint.example.org"
BODIES = ["hi", "menu", "1", "My car broke down and I missed class", "HELP", "3", "what is this?", "0"]


async def bare_app(scope: dict, receive, send) -> None:  # type: ignore[no-untyped-def]
    """Parses the form exactly as the webhook does, and does nothing else."""
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/xml")]})
    await send({"type": "http.response.body", "body": b'<?xml version="1.0" encoding="UTF-8"?><Response />'})


def seed(database_url: str, participants: int) -> list[str]:
    from casefile.database import make_engine, session_factory
    from casefile.enrolment import add_counselor, enrol_participant
    from casefile.migrate import upgrade
    from casefile.vocabulary import ConsentState, FamilyType, Language

    engine = make_engine(database_url)
    upgrade(engine)
    now = datetime.now(UTC)
    phones = [f"+1510555{i:04d}" for i in range(participants)]
    with session_factory(engine).begin() as session:
        counselor = add_counselor(session, "Dana", "Lee", "dana@example.org", "+15105550199", now)
        for i, phone in enumerate(phones):
            person = enrol_participant(
                session,
                first_name=f"P{i}",
                last_name="Bench",
                phone=phone,
                language=Language.SPANISH if i % 3 == 0 else Language.ENGLISH,
                time_zone="America/Los_Angeles",
                counselor=counselor,
                family_type=FamilyType.ONE_PARENT,
                plan_hours=None,
                consent_note="bench",
                at=now,
            )
            person.consent_state = ConsentState.CONFIRMED
    engine.dispose()
    return phones


def requests_for(phones: list[str], count: int) -> list[tuple[bytes, dict[str, str]]]:
    from urllib.parse import urlencode

    validator = RequestValidator(TOKEN)
    prepared = []
    for i in range(count):
        form = {
            "MessageSid": f"SM{i:032x}",
            "AccountSid": "AC" + "0" * 32,
            "From": phones[i % len(phones)],
            "To": "+15105559999",
            "Body": BODIES[i % len(BODIES)],
            "NumMedia": "0",
        }
        signature = validator.compute_signature(PUBLIC_URL + "/sms/twilio", form)
        prepared.append(
            (
                urlencode(form).encode(),
                {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
            )
        )
    return prepared


async def load(
    url: str, prepared: list[tuple[bytes, dict[str, str]]], seconds: float, connections: int
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    next_index = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal next_index, errors
            while time.perf_counter() < deadline and next_index < len(prepared):
                body, headers = prepared[next_index]
                next_index += 1
                started = time.perf_counter()
                response = await client.post(url, content=body, headers=headers)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "messages": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": errors,
    }


def start(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: {process.stderr.read().decode() if process.stderr else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--participants", type=int, default=1000)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="waypoint-bench-"))
    database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    phones = seed(database_url, args.participants)
    # Enough unique messages that no request repeats within the run (a repeat would be a cheap duplicate).
    prepared = requests_for(phones, int(args.seconds * 3000))
    env = {
        **os.environ,
        "WAYPOINT_DATABASE_URL": database_url,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "WAYPOINT_PUBLIC_URL": PUBLIC_URL,
    }
    python = sys.executable
    results = {}
    for name, port, command in (
        (
            "bare form parse",
            8731,
            [
                python,
                "-m",
                "uvicorn",
                "bench.webhook:bare_app",
                "--port",
                "8731",
                "--workers",
                "1",
                "--log-level",
                "warning",
                "--no-access-log",
            ],
        ),
        (
            "signed webhook",
            8732,
            [
                python,
                "-m",
                "uvicorn",
                "bot.asgi:app",
                "--port",
                "8732",
                "--workers",
                "1",
                "--log-level",
                "warning",
                "--no-access-log",
            ],
        ),
    ):
        server = start(command, env, port)
        try:
            path = "/sms/twilio"
            asyncio.run(load(f"http://127.0.0.1:{port}{path}", prepared[:200], 1, 8))  # warm up
            results[name] = asyncio.run(
                load(f"http://127.0.0.1:{port}{path}", prepared[200:], args.seconds, args.connections)
            )
        finally:
            server.terminate()
            server.wait()
    print(
        f"{args.connections} connections, {args.seconds:.0f} s each, uvicorn 1 worker, SQLite, "
        f"{args.participants} participants"
    )
    print(f"{'endpoint':18} {'msg/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, figures in results.items():
        print(
            f"{name:18} {figures['per_second']:8.0f} {figures['p50_ms']:8.1f} {figures['p99_ms']:8.1f} "
            f"{figures['errors']:7.0f}"
        )
    bare, real = results["bare form parse"], results["signed webhook"]
    print(
        f"webhook / bare: throughput {real['per_second'] / bare['per_second']:.2f}x, "
        f"p50 {real['p50_ms'] / bare['p50_ms']:.1f}x, p99 {real['p99_ms'] / bare['p99_ms']:.1f}x"
    )


if __name__ == "__main__":
    main()
