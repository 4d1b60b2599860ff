"""How long a text's statements wait for the interpreter while the jobs' threads run Python.

    python bench/interpreter.py [--texts 300] [--busy 1,2,3]

A text's thread gives CPython's interpreter up around each SQLite statement and must take it back
from whichever thread holds it; a thread busy in Python (drafting a note, composing a reminder) lets
go only when asked, after the switch interval. This runs a text's 17 indexed reads on a SQLite file,
beside 0 to 3 threads busy in Python, at CPython's default interval (5 ms) and at `serve`'s
(bot/process.py), and prints the text's p50/p99/max in milliseconds. The figures move with the
machine's load: compare the rows of one run.
"""

import argparse
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.process import SWITCH_INTERVAL_SECONDS  # noqa: E402

STATEMENTS = 17  # a message's statements (bench/webhook.py's in-process profile: 17.7)
ROWS = 100_000
CPYTHON_DEFAULT_SECONDS = 0.005


def busy(stop: threading.Event) -> None:
    """Python work that never waits, as a job's drafting is between its statements."""
    total = 0
    while not stop.is_set():
        for n in range(1000):
            total += n * n


def text_milliseconds(connection: sqlite3.Connection, texts: int, seed: int) -> list[float]:
    took = []
    for n in range(texts):
        started = time.perf_counter()
        for k in range(STATEMENTS):
            connection.execute("SELECT pad FROM t WHERE id = ?", ((seed + n * 7919 + k * 104729) % ROWS,)).fetchall()
        took.append((time.perf_counter() - started) * 1000)
        time.sleep(0.005)  # texts arrive apart, not back to back
    return sorted(took)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=300)
    parser.add_argument("--busy", default="0,1,2,3", help="busy threads beside the text's, one row each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        connection = sqlite3.connect(Path(folder) / "texts.sqlite3", check_same_thread=False)
        connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, pad BLOB)")
        connection.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO t SELECT i, randomblob(200) FROM n",
            (ROWS - 1,),
        )
        connection.commit()
        print(f"{'busy threads':>12} {'interval ms':>11} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}")
        default = sys.getswitchinterval()
        for threads in (int(part) for part in args.busy.split(",")):
            for interval in (CPYTHON_DEFAULT_SECONDS, SWITCH_INTERVAL_SECONDS):
                sys.setswitchinterval(interval)
                stop = threading.Event()
                workers = [threading.Thread(target=busy, args=(stop,)) for _ in range(threads)]
                for worker in workers:
                    worker.start()
                took = text_milliseconds(connection, args.texts, seed=threads)
                stop.set()
                for worker in workers:
                    worker.join()
                p99 = took[min(len(took) - 1, int(len(took) * 0.99))]
                print(f"{threads:12d} {interval * 1000:11.1f} {took[len(took) // 2]:7.2f} {p99:7.2f} {took[-1]:7.2f}")
        sys.setswitchinterval(default)
        connection.close()


if __name__ == "__main__":
    main()
