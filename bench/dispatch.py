"""How fast the dispatcher sends outreach to a provider on 127.0.0.1, and whether it keeps to a rate.

    python bench/dispatch.py [--messages 3000] [--workers 8] [--limited 40]

A fake Twilio (threaded, answering at once) listens on 127.0.0.1. A fresh SQLite file holds
`--messages` participants, each with one check-in due now (a weekday noon in California).
1. Unlimited rate: one `Service.dispatch` turns every row into a text (recorded, then sent through
   the real twilio Client) — texts a second. Baseline, in the same run: the same Client sending the
   same number of texts to the same server with the same threads, with no database at all.
2. At a configured 10 texts a second: `--limited` texts are dispatched, and the largest number the
   provider received in any one second (its own arrival times) is printed; it must be at most 10.
"""

import argparse
import gc
import json
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bot.app import build_service  # noqa: E402
from bot.channels.sms.transport import TwilioTransport  # noqa: E402
from bot.settings import Secret, Settings  # noqa: E402
from casefile.migrate import upgrade  # noqa: E402
from casefile.outreach import Outreach  # noqa: E402
from casefile.people import Counselor, Participant  # noqa: E402

NOW = datetime(2026, 3, 4, 20, 0, tzinfo=UTC)  # Wednesday, noon in California
ACCOUNT = "AC" + "d" * 32


class FakeTwilio(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.arrivals: list[float] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go in two writes: without this, Nagle and delayed ACKs add 40 ms to each.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
        server: FakeTwilio = self.server  # type: ignore[assignment]
        with server.lock:
            server.arrivals.append(time.monotonic())
            sid = f"SM{len(server.arrivals):032d}"
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps({"sid": sid, "status": "queued", "account_sid": ACCOUNT}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def seeded_service(folder: Path, twilio: FakeTwilio, count: int, per_second: float):  # type: ignore[no-untyped-def]
    settings = Settings(
        database_url=f"sqlite:///{folder / f'dispatch-{per_second}.sqlite3'}",
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=Secret("bench-token"),
        twilio_from_number="+15105559999",
        twilio_api_base_url=twilio.url,
        sms_per_second=per_second,
    )
    service = build_service(settings, lambda: NOW)
    upgrade(service.engine)
    with service.engine.begin() as connection:
        connection.execute(
            insert(Counselor), [{"first_name": "C", "last_name": "L", "email": "c@example.org", "created_at": NOW}]
        )
        connection.execute(insert(Participant), [_participant(n) for n in range(count)])
        connection.execute(insert(Outreach), [_check_in(n + 1) for n in range(count)])
    return service


#: Names as a caseload has them: a last name of digits ("P 1") would be found whole in a text that
#: says "reply 1", and the identifier guard would rightly hold that text back.
FIRST_NAMES = ["Ana", "Luis", "Mai", "Tomas", "Rosa", "Kim", "Jordan", "Guadalupe"]
LAST_NAMES = ["Garcia", "Nguyen", "Smith", "Hernandez", "Lopez", "Johnson", "Martinez", "Lee", "Rivera"]


def _participant(n: int) -> dict[str, object]:
    return {
        "first_name": FIRST_NAMES[n % len(FIRST_NAMES)],
        "last_name": LAST_NAMES[n % len(LAST_NAMES)],
        "phone": f"+1{5_000_000_000 + n}",
        "language": "en",
        "time_zone": "America/Los_Angeles",
        "weekly_required_hours": 30,
        "family_type": "one_parent",
        "reporting_period": "weekly",
        "activities": [],
        "preferred_channel": "sms",
        "counselor_id": 1,
        "status": "active",
        "consent_state": "confirmed",
        "enrolled_at": NOW,
        "last_heard_at": NOW,
        "check_in_day": 2,
    }


def _check_in(participant: int) -> dict[str, object]:
    return {
        "participant_id": participant,
        "rule": "check_in",
        "occurrence": "2026-03-04+0",
        "kind": "text",
        "template": "outreach_check_in",
        "due_at": NOW,
        "state": "queued",
        "created_at": NOW,
        "state_at": NOW,
    }


def bare_sends(twilio: FakeTwilio, count: int, workers: int) -> tuple[float, float]:
    """Texts a second, and CPU seconds a text (the whole process: client and fake server)."""
    transport = TwilioTransport(ACCOUNT, "bench-token", from_number="+15105559999", api_base_url=twilio.url)
    started, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda n: transport.send(f"+1{5_000_000_000 + n}", "Hi, it's check-in day!"), range(count)))
    return count / (time.perf_counter() - started), (time.process_time() - cpu) / count


def busiest_second(arrivals: list[float]) -> int:
    arrivals = sorted(arrivals)
    busiest, first = 0, 0
    for last, moment in enumerate(arrivals):
        while moment - arrivals[first] >= 1.0:
            first += 1
        busiest = max(busiest, last - first + 1)
    return busiest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--limited", type=int, default=40)
    args = parser.parse_args()
    twilio = FakeTwilio()
    threading.Thread(target=twilio.serve_forever, daemon=True).start()
    # Both runs in the process `serve` makes: what start-up loaded is frozen (bot/app.py's lifespan),
    # so a full collection does not rescan it. Unfrozen, one full collection of the seeded process's
    # 190k objects fell within the dispatcher's run and cost it about 50 us a text.
    gc.freeze()
    with tempfile.TemporaryDirectory() as folder:
        baseline, baseline_cpu = bare_sends(twilio, args.messages, args.workers)
        service = seeded_service(Path(folder), twilio, args.messages, 1_000_000.0)
        gc.freeze()
        twilio.arrivals.clear()
        started, cpu = time.perf_counter(), time.process_time()
        done = service.dispatch(workers=args.workers)
        rate = args.messages / (time.perf_counter() - started)
        dispatch_cpu = (time.process_time() - cpu) / args.messages
        service.close()
        assert done["sent"] == args.messages == len(twilio.arrivals), done
        print(f"{args.messages} outreach texts, {args.workers} threads, provider on 127.0.0.1")
        print(f"  baseline, the twilio Client alone (no database): {baseline:,.0f} texts/s")
        print(
            f"  dispatcher (decide, record, send, complete): {rate:,.0f} texts/s ({rate / baseline:.2f}x the baseline)"
        )
        # One interpreter runs the client, the fake server and the dispatcher: on a loaded machine
        # the rates above are noisy, and the CPU a text takes is what bounds the rate on a quiet one.
        print(
            f"  CPU a text, the whole process: client alone {baseline_cpu * 1000:.2f} ms,"
            f" dispatcher {dispatch_cpu * 1000:.2f} ms ({baseline_cpu / dispatch_cpu:.2f}x the baseline's rate at one core)"
        )

        limited = seeded_service(Path(folder), twilio, args.limited, 10.0)
        twilio.arrivals.clear()
        started = time.perf_counter()
        limited.dispatch(workers=args.workers)
        took = time.perf_counter() - started
        limited.close()
        print(
            f"  at 10 texts/s: {len(twilio.arrivals)} texts in {took:.1f} s, "
            f"busiest second at the provider: {busiest_second(twilio.arrivals)} (must be at most 10)"
        )
    twilio.shutdown()


if __name__ == "__main__":
    main()
