"""Migration 0016 masks the SSNs that the inbox stored before it knew every way people write them:
in inbound bodies (flagged), the facts, goals, steps and conversation state made from them, and
dead letters; it changes nothing else, and going down leaves them masked (it cannot give them back).

The rows are made by the service itself (a participant texting their counselor and setting a goal
with a step), then the words are put back as the old inbox stored them, with an SSN in a form it
did not know, and the database is migrated as `waypoint db upgrade` does."""

import importlib.util
import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

from bot.app import Service, create_app
from casefile.identifiers import mask_ssns
from casefile.migrate import alembic_config
from tests.channels import SmsAdapter
from tests.support import FixedClock
from tests.test_outbox_migration import migrate

VERSIONS = Path(__file__).parent.parent / "casefile" / "migrations" / "versions"
PLACEHOLDER = "QQQ"
#: As the old inbox stored them: in text as typed, in JSON as json.dumps wrote it (escaped).
SSN_TYPED = "612 – 34 – 5678"
SSN_IN_JSON = "612 \\u2013 34 \\u2013 5678"
TRANSCRIPT = (
    "yes",
    "3",
    f"my worker asked for my social, it is {PLACEHOLDER}, call me at 510 555 0142",
    "1",
    f"get my GED {PLACEHOLDER}",
    "ok",
    f"I pass the tests {PLACEHOLDER}",
    "in 3 months",
    "yes",
    f"call the school about {PLACEHOLDER}",
    "friday",
)
#: Each table and column the migration reads, and whether the column is JSON.
COLUMNS = (
    ("messages", "body", False),
    ("events", "payload", True),
    ("goals", "words", False),
    ("goals", "measure", False),
    ("goal_steps", "text", False),
    ("conversation_states", "data", True),
    ("dead_letters", "payload", False),
)


def rows(connection: Connection) -> dict[str, list[Any]]:
    tables = sorted({table for table, _, _ in COLUMNS})
    key = {"conversation_states": "participant_id"}
    return {
        table: [
            tuple(str(value) for value in row)
            for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY {key.get(table, 'id')}"))
        ]
        for table in tables
    }


def as_stored_before(connection: Connection) -> None:
    """The placeholder made the SSN the old inbox let through, where the service put the words."""
    postgres = connection.dialect.name == "postgresql"
    for table, column, is_json in COLUMNS:
        ssn = SSN_IN_JSON if is_json else SSN_TYPED
        value = f"REPLACE({column}{'::text' if postgres and is_json else ''}, :placeholder, :ssn)"
        if postgres and is_json:
            value = f"CAST({value} AS JSON)"
        where = f"{column}{'::text' if postgres and is_json else ''} LIKE :like"
        connection.execute(
            text(f"UPDATE {table} SET {column} = {value} WHERE {where}"),
            {"placeholder": PLACEHOLDER, "ssn": ssn, "like": f"%{PLACEHOLDER}%"},
        )
    connection.execute(
        text(
            "INSERT INTO dead_letters (channel, provider_id, address, reason, payload, received_at) "
            "VALUES ('telegram', '41', '770012345', 'message.date is not a number', :payload, :at)"
        ),
        {"payload": '{"message": {"date": "soon", "text": "ssn 612\\u201334\\u20135678"}}', "at": datetime.now(UTC)},
    )


def test_ssns_stored_before_are_masked_everywhere_and_nothing_else_changes(
    service: Service, clock: FixedClock, database_url: str
) -> None:
    with TestClient(create_app(service, clock)) as client:
        adapter = SmsAdapter(client)
        for number, message in enumerate(TRANSCRIPT):
            assert adapter.send(message, f"SM-remask-{number}")
    engine = service.engine
    script = ScriptDirectory.from_config(alembic_config(database_url))
    below = script.get_revision("0016").down_revision
    assert isinstance(below, str)
    migrate(engine, below)
    with engine.begin() as connection:
        placed = connection.execute(
            text("SELECT COUNT(*) FROM messages WHERE body LIKE :like"), {"like": f"%{PLACEHOLDER}%"}
        ).scalar_one()
        assert placed == 8  # 4 texted in, and 4 replies that read the words back
        as_stored_before(connection)
        before = rows(connection)
    flat_before = str(before)
    assert flat_before.count("5678") >= 10, "the SSN is in every kind of row"

    migrate(engine, "head")
    with engine.begin() as connection:
        after = rows(connection)
        flagged = connection.execute(text("SELECT body FROM messages WHERE ssn_masked ORDER BY id")).scalars().all()
    assert "5678" not in str(after)
    assert len(flagged) == 4 and all("***-**-****" in body for body in flagged)
    assert any("call me at 510 555 0142" in body for body in flagged), "the phone beside it is kept"
    for table, before_rows in before.items():
        assert len(after[table]) == len(before_rows), table
        for old, new in zip(before_rows, after[table], strict=True):
            if "5678" not in str(old):
                assert new == old, (table, old, new)
            else:
                assert new != old and "***-**-****" in str(new), (table, new)

    # Going down cannot give the numbers back: they stay masked, and up again changes nothing.
    migrate(engine, below)
    with engine.begin() as connection:
        assert rows(connection) == after
    migrate(engine, "head")
    with engine.begin() as connection:
        assert rows(connection) == after


def test_a_fact_is_parsed_only_when_it_may_hold_an_ssn() -> None:
    """The migration skips a payload with no escape and no SSN as written; it must mask whatever
    the parsed payload would have had masked, written with or without escapes."""
    spec = importlib.util.spec_from_file_location("remask", VERSIONS / "0016_ssns_masked_again.py")
    assert spec is not None and spec.loader is not None
    remask = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(remask)
    pieces = ("612", "34", "5678", " ", "-", "–", "\n", '"', "\\", "a", "⁶¹²", "510", "+1", ":", "{")
    rng = random.Random(17)
    for _ in range(5_000):
        words = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) for _ in range(3)]
        document = {"text": words[0], words[1]: [words[2], 7, None]}
        masked = {"text": mask_ssns(words[0])[0], mask_ssns(words[1])[0]: [mask_ssns(words[2])[0], 7, None]}
        for written in (json.dumps(document), json.dumps(document, ensure_ascii=False)):
            found = remask._masked_json(written, None)
            assert (json.loads(found) if found is not None else document) == masked, written
