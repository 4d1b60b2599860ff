"""What one row queued into the outbox costs at a county's size, by the outbox's indexes.

    python bench/outbox_rows.py [--participants 1000000] [--rows 50000]

Most of a whole sweep's CPU at 1M is copying ~300k decided rows into `outreach` (bench/sweep.py
prints it). Each row goes into the table (its id: always at the end) and into every index: the
unique key (participant_id, rule, occurrence) and (participant_id, state) put it at its
participant's place, a random page of a 4.8M-entry b-tree, and every write transaction writes each
page it touched to the WAL. Here each layout of the outbox is built as a table of its own from
bench/seed.py's county (its build time is what a migration to it would take), then `--rows` rows of
a new occurrence (every 9th participant, in id order, as the sweep copies them) are inserted as the
sweep does: `INSERT … SELECT` from a TEMP table, ON CONFLICT DO NOTHING, 200 rows a transaction.
Printed per layout: CPU microseconds a row; the first layout, the one before migration 0015, is the
baseline.
"""

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seed import seeded_copy  # noqa: E402
from scheduler.queueing import COPY_BATCH  # noqa: E402

#: Each layout: its name, its unique key, its other indexes.
LAYOUTS = [
    ("before migration 0015", "participant_id, rule, occurrence", ["state, due_at", "participant_id, state"]),
    ("without (participant_id, state)", "participant_id, rule, occurrence", ["state, due_at"]),
    (
        "key (rule, occurrence, participant_id), (state, participant_id)",
        "rule, occurrence, participant_id",
        ["state, due_at", "state, participant_id"],
    ),
    (
        "migration 0015's: key (rule, occurrence, participant_id), (state, participant_id, rule)",
        "rule, occurrence, participant_id",
        ["state, due_at", "state, participant_id, rule"],
    ),
    (
        "key (rule, occurrence, participant_id) and (state, due_at) only",
        "rule, occurrence, participant_id",
        ["state, due_at"],
    ),
]
COLUMNS = (
    "participant_id, rule, occurrence, kind, template, due_at, state, reason, body, created_at, state_at, answered_at"
)


def build(connection: sqlite3.Connection, table: str, key: str, indexes: list[str]) -> float:
    """The outbox as a table of this layout, with every row of today's; the seconds it took."""
    started = time.perf_counter()
    connection.execute("BEGIN")
    connection.execute(
        f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, participant_id INTEGER NOT NULL REFERENCES participants (id), "
        "rule VARCHAR(40) NOT NULL, occurrence VARCHAR(40) NOT NULL, kind VARCHAR(8) NOT NULL, "
        "template VARCHAR(40) NOT NULL, due_at DATETIME NOT NULL, state VARCHAR(16) NOT NULL, reason VARCHAR(40), "
        f"body TEXT, created_at DATETIME NOT NULL, state_at DATETIME NOT NULL, answered_at DATETIME, UNIQUE ({key}))"
    )
    connection.execute(f"INSERT INTO {table} (id, {COLUMNS}) SELECT id, {COLUMNS} FROM outreach ORDER BY id")
    for n, columns in enumerate(indexes):
        connection.execute(f"CREATE INDEX ix_{table}_{n} ON {table} ({columns})")
    connection.execute("COMMIT")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return time.perf_counter() - started


def insert_rows(connection: sqlite3.Connection, table: str, occurrence: str, rows: int) -> float:
    """CPU seconds to queue `rows` rows of a new occurrence, as the sweep copies them."""
    connection.execute("CREATE TEMP TABLE IF NOT EXISTS owed (n INTEGER PRIMARY KEY, participant_id INTEGER)")
    connection.execute("DELETE FROM owed")
    connection.execute(
        "INSERT INTO owed (participant_id) SELECT id FROM participants WHERE id % 9 = 0 ORDER BY id LIMIT ?", (rows,)
    )
    copy = (
        f"INSERT INTO {table} ({COLUMNS}) SELECT participant_id, 'check_in', ?, 'text', 'outreach_check_in', "
        "'2026-03-02 18:00:00.000000', 'queued', NULL, NULL, '2026-03-02 19:05:00.000000', "
        "'2026-03-02 19:05:00.000000', NULL FROM owed WHERE n BETWEEN ? AND ? "
        "ON CONFLICT (participant_id, rule, occurrence) DO NOTHING RETURNING id"
    )
    cpu, inserted = time.process_time(), 0
    for first in range(1, rows + 1, COPY_BATCH):
        connection.execute("BEGIN IMMEDIATE")
        inserted += len(connection.execute(copy, (occurrence, first, first + COPY_BATCH - 1)).fetchall())
        connection.execute("COMMIT")
    assert inserted == rows, (inserted, rows)
    return time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = seeded_copy(args.participants, Path(folder), args.weeks).removeprefix("sqlite:///")
        connection = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", f"mmap_size={1 << 30}"):
            connection.execute(f"PRAGMA {pragma}")
        print(f"{args.participants:,} participants, {args.weeks} weeks; {args.rows:,} rows queued a layout")
        baseline = None
        for n, (name, key, indexes) in enumerate(LAYOUTS):
            built = build(connection, f"outbox_{n}", key, indexes)
            # Twice: the first finds the new occurrence's pages cold, as a day's first sweep does.
            cpu = [insert_rows(connection, f"outbox_{n}", f"2026-03-0{day}+0", args.rows) for day in (2, 3)]
            per_row = min(cpu) / args.rows * 1e6
            baseline = baseline or per_row
            print(
                f"  {name}: {per_row:.1f} us of CPU a row ({per_row / baseline:.2f}x the first; "
                f"runs {cpu[0]:.2f} s, {cpu[1]:.2f} s); built in {built:.0f} s"
            )
            connection.execute(f"DROP TABLE outbox_{n}")
        connection.close()


if __name__ == "__main__":
    main()
