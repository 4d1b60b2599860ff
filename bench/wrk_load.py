"""The load of bench/webhook.py: signed requests written ahead, wrk to send them (bench/webhook.lua), the
uvicorn server under test, and the bare app that only parses the form (the same run's baseline).

wrk sends pre-signed, unique requests from a file, so the client is not what limits: the Python
client saturated near 1.5k requests a second, wrk drives the bare app at 10-25k.
"""

import json
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx2 as httpx  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from bench.memory import Sampler  # noqa: E402
from bench.seed import phone_of  # noqa: E402

TOKEN = "bench-auth-token"
PUBLIC_URL = "https://waypoint.example.org"
ACCOUNT = "AC" + "b" * 32
#: What participants text on a check-in morning: answers, hours, the menu, help, their counselor.
BODIES = [
    "hi",
    "yes",
    "8 hrs today 6 tue",
    "menu",
    "1",
    "HELP",
    "3",
    "My car broke down and I missed class",
    "trabajé 6 horas hoy",
    "no",
    "what is this?",
    "thanks!",
]
PORT = 8741
BARE = "bare form parse"
#: How long a server may take to stop once told to before it is killed (and the report says so).
STOP_SECONDS = 30
#: How long the last server took to stop.
stopped_in = [0.0]


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
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


def signed_requests(participants: int, count: int, rng: random.Random, prefix: str) -> Iterator[tuple[str, str]]:
    """`count` form bodies with their signatures, from participants picked at random."""
    validator = RequestValidator(TOKEN)
    for n in range(count):
        form = {
            "MessageSid": f"SM{prefix}{n:030x}",
            "AccountSid": ACCOUNT,
            "From": phone_of(rng.randrange(participants) + 1),
            "To": "+15105559999",
            "Body": BODIES[n % len(BODIES)],
            "NumMedia": "0",
        }
        yield urlencode(form), validator.compute_signature(PUBLIC_URL + "/sms/twilio", form)


def write_requests(path: Path, participants: int, count: int, rng: random.Random, prefix: str) -> None:
    """`count` signed requests, one a line, from participants picked at random."""
    with path.open("w") as lines:
        for body, signature in signed_requests(participants, count, rng, prefix):
            lines.write(f"{body}\t{signature}\n")


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
    assert found is not None, "wrk is not installed and apt-get could not install it"
    return found


def wrk(requests: Path, seconds: float, connections: int, threads: int, rate: float = 0) -> dict[str, float]:
    """wrk's figures; with `rate`, each connection paces its requests so that all send about that many
    a second (a rate above what the server answers is a saturated run again)."""
    command = [
        ensure_wrk(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{int(seconds)}s",
        "--timeout",
        "30s",
        "-s",
        str(ROOT / "bench" / "webhook.lua"),
        f"http://127.0.0.1:{PORT}",
        "--",
        str(requests),
        str(threads),
        str(round(connections * 1000 / rate)) if rate else "0",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    seconds_taken = figures["duration_us"] / 1e6
    figures["per_second"] = figures["requests"] / seconds_taken
    return figures


@contextmanager
def server(
    target: str, env: dict[str, str], log: Path, workers: int = 1, factory: bool = False, port: int = PORT
) -> Iterator[Sampler]:
    """A uvicorn server on PORT, logging to `log`; yields what samples its memory from the moment it
    starts (with one worker, of the process that serves; with more, of the supervisor that starts
    them). Its log goes to a file, never to a pipe nobody reads: a full pipe stops the server."""
    command = [sys.executable, "-m", "uvicorn", target, "--port", str(port), "--workers", str(workers)]
    command += ["--log-level", "warning", "--no-access-log"] + (["--factory"] if factory else [])
    log_file = log.open("wb")
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log_file)
    sampler = Sampler(process.pid, every=0.02)
    sampler.start()
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {log.read_text()[-4000:]}") from None
                time.sleep(0.2)
        yield sampler
    finally:
        stopping = time.monotonic()
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            # Shutting down waits for the scheduler's running jobs (scheduler.shutdown(wait=True)).
            process.kill()
            process.wait()
        log_file.close()
        stopped_in[0] = time.monotonic() - stopping
