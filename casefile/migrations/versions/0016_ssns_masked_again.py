"""SSNs masked again in what was stored before the inbox knew every way people write them

Until this revision the inbox masked only SSNs with one separator throughout (dash, space or dot)
or none, of ASCII-like digits: "123 45-6789", "123 – 45 – 6789", "123_45_6789", "¹²³⁴⁵⁶⁷⁸⁹" and the
like were stored as texted (casefile.identifiers.SSN_LIKE now knows them). This masks them where a
participant's words were kept: inbound message bodies (their `ssn_masked` flag set), the replies
that read them back, the facts made from them (events' payloads: a message to the counselor, a goal's words), the goals and steps
projected from those facts, conversation states, and dead letters.

Needed: the standard is that no SSN is stored, and those rows hold some. Safe: masking changes only
the digits SSN_LIKE matches, and its corpus (tests/corpora/identifiers.tsv) masks no near miss
(phones, ZIP+4, times, dates, money); no row's id, reference or count changes, and what is read
downstream (facts) holds the same masked words the inbox now stores. Not changed, by design: the
consent ledger and approved case notes, which the database refuses to change (their triggers).

Rows are read in id order a batch at a time (keyset, not OFFSET) and only those that change are
written, by id: the definition is a Python pattern over Unicode classes that SQL cannot share, so the
reading is in Python and the writing is set-based a batch at a time.

Downgrade is irreversible: the numbers masked are gone, and going down leaves them masked.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 23:45:00
"""

import json
from collections.abc import Callable, Sequence
from typing import Any

from alembic import op
from sqlalchemy import Connection, text

from casefile.dead_letters import masked_payload
from casefile.identifiers import SSN_LIKE, mask_ssns

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Rows read and written at a time: a batch's bodies in memory, and one executemany for its changes.
BATCH = 5_000


def upgrade() -> None:
    connection = op.get_bind()
    remask(connection, "messages", "body", _masked_text, where="direction = 'inbound'", flag="ssn_masked")
    # The replies that read a participant's words back ("Your goal: ..."), made from them unmasked.
    remask(connection, "messages", "body", _masked_text, where="direction = 'outbound'")
    remask(connection, "events", "payload", _masked_json, json_column=True)
    for column in ("words", "details", "measure"):
        remask(connection, "goals", column, _masked_text)
    remask(connection, "goal_steps", "text", _masked_text)
    remask(connection, "conversation_states", "data", _masked_json, key="participant_id", json_column=True)
    remask(connection, "dead_letters", "payload", _masked_dead_letter, beside="channel")


def downgrade() -> None:
    """Irreversible: the masked numbers are not kept anywhere, so they stay masked."""


def remask(
    connection: Connection,
    table: str,
    column: str,
    masked: Callable[[Any, Any], str | None],
    *,
    key: str = "id",
    where: str = "1 = 1",
    flag: str | None = None,
    beside: str | None = None,
    json_column: bool = False,
) -> int:
    """Mask `column` in every row of `table` that `where` selects: `masked` takes the value (and the
    `beside` column's, or None) and gives the new value, or None when it is unchanged. Rows changed
    get `flag` set, when given. Returns how many changed."""
    value = "CAST(:value AS JSON)" if json_column and connection.dialect.name == "postgresql" else ":value"
    assignment = f"{column} = {value}" + (f", {flag} = :flag" if flag else "")
    read = text(
        f"SELECT {key}, {column}, {beside or 'NULL'} FROM {table} WHERE {where} AND {key} > :after "
        f"ORDER BY {key} LIMIT :batch"
    )
    write = text(f"UPDATE {table} SET {assignment} WHERE {key} = :key")
    after, changed = 0, 0
    while rows := connection.execute(read, {"after": after, "batch": BATCH}).all():
        after = rows[-1][0]
        updates = [
            {"key": row[0], "value": new, "flag": True} for row in rows if (new := masked(row[1], row[2])) is not None
        ]
        if updates:
            connection.execute(write, updates)
            changed += len(updates)
    return changed


def _masked_text(value: str | None, _: object) -> str | None:
    if value is None:
        return None
    masked, found = mask_ssns(value)
    return masked if found else None


def _masked_json(value: Any, _: object) -> str | None:
    """The JSON with every string in it masked, written as SQLAlchemy writes JSON; None if none was."""
    if isinstance(value, str) and "\\" not in value and SSN_LIKE.search(value) is None:
        # With no escape in it, each string's characters are in the text as they are, between
        # quotes that are neither digit nor separator: none holds an SSN if the text does not.
        # Most facts are so, and are not parsed (a third of the migration's time at 100k).
        return None
    document = json.loads(value) if isinstance(value, str) else value
    found = False

    def walk(node: Any) -> Any:
        nonlocal found
        if isinstance(node, str):
            masked, was = mask_ssns(node)
            found = found or was
            return masked
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, dict):
            return {walk(key): walk(item) for key, item in node.items()}
        return node

    masked_document = walk(document)
    return json.dumps(masked_document) if found else None


def _masked_dead_letter(payload: str, channel: str) -> str | None:
    masked = masked_payload(channel, payload)
    return masked if masked != payload else None
