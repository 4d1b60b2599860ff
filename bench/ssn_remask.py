"""Migration 0016 (SSNs masked again) on a county's real size: a copy of the seeded 100k file with
4 weeks of history, brought to the revision below 0016, with SSNs planted as the old inbox stored
them (in forms it did not know) in inbound bodies and facts, and near misses beside them.

    python bench/ssn_remask.py                   # 100,000 participants, 4 weeks
    python bench/ssn_remask.py --planted 5000

It prints the migration's wall and CPU time against a plain read of the same columns in the same
run (the floor: what reading every row costs with no masking), the rows read and changed, and
checks that every planted SSN is masked, every near miss kept, and nothing else changed. The copy
is deleted at the end.
"""

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alembic.script import ScriptDirectory  # noqa: E402
from sqlalchemy import Connection, text  # noqa: E402

from bench.seed import seeded_file  # noqa: E402
from casefile.database import make_engine  # noqa: E402
from casefile.migrate import alembic_config, upgrade  # noqa: E402

FORMS = ("612 34-5678", "612 – 34 – 5678", "612—34—5678", "612_34_5678", "612/34/5678", "⁶¹²⁻³⁴⁻⁵⁶⁷⁸")
NEAR_MISS = " call me at 510 555 0142 or 510–555–0142, zip 95814-1234"


def _holding_5678(connection: Connection) -> tuple[int, int]:
    """Bodies and facts with the planted SSN's last four digits in them."""
    return (
        connection.execute(text("SELECT COUNT(*) FROM messages WHERE body LIKE '%5678%'")).scalar_one(),
        connection.execute(text("SELECT COUNT(*) FROM events WHERE payload LIKE '%5678%'")).scalar_one(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--planted", type=int, default=2_000, help="inbound bodies and facts given an SSN each")
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ssn-remask-", dir=Path.home() / ".cache"))
    try:
        copy = folder / "county.sqlite3"
        shutil.copyfile(seeded_file(arguments.participants, arguments.weeks), copy)
        url = f"sqlite:///{copy}"
        engine = make_engine(url)
        below = ScriptDirectory.from_config(alembic_config(url)).get_revision("0016").down_revision
        assert isinstance(below, str)
        upgrade(engine, below)
        with engine.begin() as connection:
            inbound = connection.execute(text("SELECT COUNT(*) FROM messages WHERE direction = 'inbound'")).scalar_one()
            messages = connection.execute(text("SELECT COUNT(*) FROM messages")).scalar_one()
            events = connection.execute(text("SELECT COUNT(*) FROM events")).scalar_one()
            # What holds the planted SSN's last digits already (a phone, an id) is no SSN, and stays.
            already = _holding_5678(connection)
            step = max(1, inbound // (2 * arguments.planted))
            ids = (
                connection.execute(
                    text("SELECT id FROM messages WHERE direction = 'inbound' ORDER BY id LIMIT :n"),
                    {"n": 2 * arguments.planted * step},
                )
                .scalars()
                .all()[::step]
            )
            planted, near = ids[0::2][: arguments.planted], ids[1::2][: arguments.planted]
            connection.execute(
                text("UPDATE messages SET body = body || :words WHERE id = :id"),
                [{"id": i, "words": f" my ssn is {FORMS[n % len(FORMS)]}"} for n, i in enumerate(planted)],
            )
            connection.execute(
                text("UPDATE messages SET body = body || :words WHERE id = :id"),
                [{"id": i, "words": NEAR_MISS} for i in near],
            )
            facts = connection.execute(
                text("SELECT id, payload FROM events ORDER BY id LIMIT :n"), {"n": arguments.planted}
            ).all()
            connection.execute(
                text("UPDATE events SET payload = :payload WHERE id = :id"),
                [
                    {"id": i, "payload": json.dumps(json.loads(payload) | {"text": f"ssn {FORMS[i % len(FORMS)]}"})}
                    for i, payload in facts
                ],
            )
        print(
            f"{messages:,} messages ({inbound:,} inbound), {events:,} facts; planted {len(planted):,} SSNs in bodies, {len(facts):,} in facts, {len(near):,} near misses"
        )
        with engine.begin() as connection:
            started, cpu = time.perf_counter(), time.process_time()
            read = 0
            for table, column in (
                ("messages", "body"),
                ("events", "payload"),
                ("goals", "words"),
                ("goal_steps", "text"),
            ):
                for row in connection.execute(text(f"SELECT id, {column} FROM {table} ORDER BY id")):
                    read += len(row[1])
            floor = (time.perf_counter() - started, time.process_time() - cpu)
        started, cpu = time.perf_counter(), time.process_time()
        upgrade(engine, "0016")
        migration = (time.perf_counter() - started, time.process_time() - cpu)
        print(
            f"plain read of the same columns (floor): {floor[0]:.2f} s wall, {floor[1]:.2f} s CPU ({read / 1e6:.0f} M characters)"
        )
        print(f"migration 0016:                         {migration[0]:.2f} s wall, {migration[1]:.2f} s CPU")
        with engine.begin() as connection:
            flagged = connection.execute(text("SELECT COUNT(*) FROM messages WHERE ssn_masked")).scalar_one()
            left, facts_left = (now - before for now, before in zip(_holding_5678(connection), already, strict=True))
            kept = connection.execute(
                text("SELECT COUNT(*) FROM messages WHERE body LIKE :near"), {"near": f"%{NEAR_MISS}"}
            ).scalar_one()
            facts_masked = connection.execute(
                text("SELECT COUNT(*) FROM events WHERE payload LIKE '%***-**-****%'")
            ).scalar_one()
        print(
            f"bodies flagged {flagged:,}, SSNs left {left} in bodies and {facts_left} in facts, facts masked {facts_masked:,}, near misses kept {kept:,}"
        )
        assert (
            flagged == len(planted)
            and left == 0
            and facts_left == 0
            and facts_masked == len(facts)
            and kept == len(near)
        )
        engine.dispose()
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
