"""The dispatcher's own CPU a text, by part, apart from the Twilio client's and the fake server's.

    python bench/dispatch_cpu.py [--messages 3000] [--workers 8] [--runs 3]

bench/dispatch.py's rate and whole-process CPU a text include the twilio Client and the fake
Twilio, which run in the same interpreter; on a loaded machine their share moves by a fifth from
run to run and hides a change of the dispatcher's own. Here each part is timed in the CPU time of
the thread that runs it, on bench/dispatch.py's seeded database (`--messages` check-ins due now):
- making the texts: `plan_due`, the read-only pass and its write transactions (its thread);
- sending: `send_queued`'s own thread, which claims each group and records the one sent before;
- the client: `TwilioTransport.send` in the sender threads (the same call the baseline makes).
Baseline in the same run: the client's CPU a text sending alone (bench/dispatch.py's baseline). The
start-up heap is frozen first, as `serve` and `waypoint dispatch` freeze it.
"""

import argparse
import gc
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bot.app  # noqa: E402
from bench.dispatch import FakeTwilio, bare_sends, seeded_service  # noqa: E402
from bot.channels.sms.transport import TwilioTransport  # noqa: E402


class ThreadClock:
    """CPU seconds spent in the functions it wraps, by name, in the threads that ran them."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self._lock = threading.Lock()

    def timed(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                with self._lock:
                    self.seconds[name] += time.thread_time() - started

        return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    clock = ThreadClock()
    # The parts are timed where bot/app.py's Service.dispatch calls them, and the client where the
    # dispatcher's senders and the baseline both call it.
    for part, name in (("plan", "plan_due"), ("send", "send_queued")):
        setattr(bot.app, name, clock.timed(part, getattr(bot.app, name)))
    TwilioTransport.send = clock.timed("client", TwilioTransport.send)  # type: ignore[method-assign]
    twilio = FakeTwilio()
    threading.Thread(target=twilio.serve_forever, daemon=True).start()
    gc.freeze()
    count = args.messages
    print(f"{count} outreach texts, {args.workers} threads, provider on 127.0.0.1; CPU a text in µs")
    print("        baseline: client (whole process) | dispatcher: making  sending  own (both)  client  whole process")
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            clock.seconds.clear()
            _, baseline_cpu = bare_sends(twilio, count, args.workers)
            alone = clock.seconds["client"] / count
            (here := Path(folder) / str(run)).mkdir()
            service = seeded_service(here, twilio, count, 1_000_000.0)
            gc.freeze()
            clock.seconds.clear()
            started = time.process_time()
            done = service.dispatch(workers=args.workers)
            whole = (time.process_time() - started) / count
            service.close()
            assert done["sent"] == count, done
            plan, send, client = (clock.seconds[part] / count for part in ("plan", "send", "client"))
            print(
                f"  run {run + 1}  {alone * 1e6:6.0f} ({baseline_cpu * 1e6:4.0f} whole) |"
                f" {plan * 1e6:14.0f} {send * 1e6:8.0f} {(plan + send) * 1e6:11.0f}"
                f" {client * 1e6:7.0f} {whole * 1e6:14.0f}"
            )
    twilio.shutdown()


if __name__ == "__main__":
    main()
