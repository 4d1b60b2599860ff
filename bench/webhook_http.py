"""What a signed Twilio webhook costs outside the conversation: server CPU a message over HTTP
(uvicorn on 127.0.0.1, driven by wrk with 32 connections) against the same app called in-process
(its ASGI callable, 32 requests in flight, no sockets), on a copy of the seeded 100k county.

    python bench/webhook_http.py [--baseline /path/to/another/tree] [--rounds 3] [--seconds 8]

The difference is what uvicorn, the sockets and the HTTP parsing cost; the in-process figure holds
everything from our middleware inwards (routing, the body, the signature, group commit, the TwiML).
"refused" is our layers alone: in-process, a request whose signature is wrong, answered 403 before
any database work (the form read and parsed, the HMAC, the middleware, the access line).
With --baseline the two trees run alternately on the same database copy, round after round, so
that a shared machine's load falls on both alike: read the ratios of the same round.
"""

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
ROOT = Path(os.environ.get("WEBHOOK_HTTP_ROOT", HERE))
sys.path.insert(0, str(ROOT))

from bench.seed import seeded_copy  # noqa: E402
from bench.webhook import environment  # noqa: E402
from bench.wrk_load import PORT, signed_requests, write_requests, wrk  # noqa: E402

IN_FLIGHT = 32


def _scope(body: bytes, signature: bytes) -> dict[str, Any]:
    """A POST to the SMS webhook as uvicorn hands it to the app."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/sms/twilio",
        "raw_path": b"/sms/twilio",
        "query_string": b"",
        "root_path": "",
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", PORT),
        "headers": [
            (b"host", f"127.0.0.1:{PORT}".encode()),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"x-twilio-signature", signature),
            (b"content-length", str(len(body)).encode()),
        ],
    }


async def _in_process(app: Any, requests: list[tuple[bytes, str]]) -> dict[str, float]:
    """CPU a message of the app called directly, IN_FLIGHT requests at a time."""
    statuses: dict[int, int] = {}

    async def call(body: bytes, signature: str) -> None:
        scope = _scope(body, signature.encode())
        messages = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop()
            await asyncio.sleep(3600)  # the client stays connected
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses[message["status"]] = statuses.get(message["status"], 0) + 1

        await app(scope, receive, send)

    pending = list(reversed(requests))

    async def client() -> None:
        while pending:
            await call(*pending.pop())

    warm, pending[:] = pending[-200:], pending[:-200]
    await asyncio.gather(*(call(*request) for request in reversed(warm)))
    started, cpu = time.perf_counter(), time.process_time()
    count = len(pending)
    await asyncio.gather(*(client() for _ in range(IN_FLIGHT)))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert set(statuses) == {200}, statuses
    return {"per_second": count / seconds, "cpu_ms": cpu * 1000 / count}


def child_refused(count: int) -> dict[str, float]:
    """Microseconds of CPU a request refused 403 for its signature, best of five runs."""
    import uvloop

    from bench.webhook import service_app

    app = service_app()
    body = b"MessageSid=SM1&AccountSid=AC1&From=%2B15105550100&To=%2B15105559999&Body=8+hrs+today&NumMedia=0"
    scope = _scope(body, b"not-the-signature")

    async def refused() -> None:
        answers: list[int] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answers.append(message["status"])

        await app(dict(scope), receive, send)
        assert answers == [403], answers

    async def run() -> dict[str, float]:
        runs = []
        for _ in range(6):
            cpu = time.process_time()
            for _ in range(count):
                await refused()
            runs.append((time.process_time() - cpu) * 1e6 / count)
        return {"refused_us": min(runs[1:])}  # the first warms up

    return uvloop.run(run())


def child_in_process(count: int) -> dict[str, float]:
    import uvloop

    from bench.webhook import service_app

    app = service_app()
    rng = random.Random(os.getpid())
    requests = [
        (body.encode(), signature) for body, signature in signed_requests(100_000, count, rng, f"{os.getpid()}x")
    ]

    async def run() -> dict[str, float]:
        # The app's lifespan, as a server runs it (the frozen heap, the WAL's checkpoints).
        started, stop = asyncio.Event(), asyncio.Event()
        messages = [{"type": "lifespan.startup"}]

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop()
            await stop.wait()
            return {"type": "lifespan.shutdown"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "lifespan.startup.complete":
                started.set()

        life = asyncio.ensure_future(app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send))
        await started.wait()
        try:
            return await _in_process(app, requests)
        finally:
            stop.set()
            await life

    return uvloop.run(run())


def child_http(seconds: float, folder: Path) -> dict[str, float]:
    import uvicorn

    rng = random.Random(os.getpid())
    warm, load = folder / f"warm{os.getpid()}.txt", folder / f"load{os.getpid()}.txt"
    write_requests(warm, 100_000, 1_000, rng, f"w{os.getpid()}x")
    write_requests(load, 100_000, int(seconds * 3_000), rng, f"l{os.getpid()}x")
    config = uvicorn.Config("bench.webhook:service_app", factory=True, port=PORT, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    figures: dict[str, float] = {}

    def drive() -> None:
        while not server.started:
            time.sleep(0.05)
        wrk(warm, 2, 4, 1)
        cpu = time.process_time()
        done = wrk(load, seconds, IN_FLIGHT, 2)
        figures["cpu_ms"] = (time.process_time() - cpu) * 1000 / done["requests"]
        figures["per_second"] = done["per_second"]
        figures["p99_ms"] = done["p99_us"] / 1000
        figures["errors"] = done["errors"] + done["bad_status"]
        server.should_exit = True

    threading.Thread(target=drive, daemon=True).start()
    server.run()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, help="another checkout of the project, run alternately")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8, help="of wrk, a run")
    parser.add_argument("--messages", type=int, default=3_000, help="in-process, a run")
    parser.add_argument("--child", choices=["refused", "in-process", "http"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        # The server's log goes to a file, as `serve`'s does to its collector.
        with (args.folder / f"server{os.getpid()}.log").open("w") as log:
            os.dup2(log.fileno(), 2)
            if args.child == "refused":
                done = child_refused(args.messages)
            elif args.child == "in-process":
                done = child_in_process(args.messages)
            else:
                done = child_http(args.seconds, args.folder)
        print(json.dumps(done))
        return
    trees = ([args.baseline.resolve()] if args.baseline else []) + [ROOT]
    with tempfile.TemporaryDirectory(prefix="waypoint-webhook-http-") as name:
        folder = Path(name)
        url = seeded_copy(100_000, folder, 4)
        env = environment(url, folder)
        print(
            f"{'round':>5} {'tree':40} {'in-process ms':>14} {'HTTP ms':>8} {'HTTP - in-process':>18} {'HTTP msg/s':>11}"
        )
        try:
            for round_number in range(1, args.rounds + 1):
                for tree in trees:
                    figures = {}
                    for child in ("refused", "in-process", "http"):
                        command = [
                            sys.executable,
                            str(HERE / "bench" / "webhook_http.py"),
                            "--child",
                            child,
                            "--folder",
                            str(folder),
                            "--seconds",
                            str(args.seconds),
                            "--messages",
                            str(args.messages),
                        ]
                        output = subprocess.run(
                            command,
                            env=env | {"WEBHOOK_HTTP_ROOT": str(tree)},
                            cwd=tree,
                            capture_output=True,
                            text=True,
                            check=True,
                        ).stdout
                        figures[child] = json.loads(output.strip().splitlines()[-1])
                    inside, http = figures["in-process"]["cpu_ms"], figures["http"]["cpu_ms"]
                    print(
                        f"{round_number:5} {str(tree)[-40:]:40} {inside:14.3f} {http:8.3f} {http - inside:18.3f} "
                        f"{figures['http']['per_second']:11.0f}",
                        flush=True,
                    )
        finally:
            for leftover in folder.glob("*.sqlite3*"):
                leftover.unlink()


if __name__ == "__main__":
    main()
