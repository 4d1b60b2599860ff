"""How long migration 0015 (the outbox rebuilt under its new key) takes on a county's file, and
that it kept everything.

    python bench/outbox_migration.py [--participants 1000000] [--weeks 4]

A county runs it once, at upgrade, with the service stopped. bench/seed.py's kept file is copied
(one copy, deleted when done) and brought to migration 0014; then 0015 is timed alone, wall and
CPU. Printed beside it, as the baseline from the same run: one read of every outreach row
(`SELECT COUNT(*)` over the table's rows, not an index). Then what must hold after it: the row
counts of outreach and messages, and the messages pointing at outreach, unchanged;
`PRAGMA foreign_key_check` of both empty; `PRAGMA integrity_check(outreach)` ok.
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Connection, text  # noqa: E402

from bench.seed import seeded_file  # noqa: E402
from casefile.database import make_engine  # noqa: E402
from casefile.migrate import upgrade  # noqa: E402

COUNTS = {
    "outreach": "SELECT COUNT(*) FROM outreach NOT INDEXED",
    "messages": "SELECT COUNT(*) FROM messages",
    "messages pointing at outreach": "SELECT COUNT(*) FROM messages JOIN outreach ON outreach.id = messages.outreach_id",
}


def counts(connection: Connection) -> dict[str, int]:
    return {name: int(connection.execute(text(query)).scalar_one()) for name, query in COUNTS.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        kept = seeded_file(args.participants, args.weeks)
        copy = Path(folder) / kept.name
        shutil.copyfile(kept, copy)
        engine = make_engine(f"sqlite:///{copy}", pool_size=1, max_overflow=0)
        upgrade(engine, "0014")
        with engine.connect() as connection:
            started, cpu = time.perf_counter(), time.process_time()
            before = counts(connection)
            read, read_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        upgrade(engine)
        took, took_cpu = time.perf_counter() - started, time.process_time() - cpu
        with engine.connect() as connection:
            after = counts(connection)
            broken = {
                table: connection.exec_driver_sql(f"PRAGMA foreign_key_check({table})").all()
                for table in ("outreach", "messages")
            }
            integrity = connection.exec_driver_sql("PRAGMA integrity_check(outreach)").scalars().all()
        engine.dispose()
    print(f"{args.participants:>9,} participants, {args.weeks} weeks of history: {before['outreach']:,} outreach rows")
    print(
        f"  baseline, counting every row of outreach, messages and their join: {read:.1f} s ({read_cpu:.1f} s of CPU)"
    )
    print(f"  migration 0015: {took:.1f} s ({took_cpu:.1f} s of CPU), {took / read:.1f}x the baseline")
    print(f"  counts before {before}, after {after}: {'the same' if before == after else 'DIFFERENT'}")
    print(f"  foreign_key_check: {broken}; integrity_check(outreach): {integrity}")


if __name__ == "__main__":
    main()
