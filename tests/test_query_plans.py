"""Every statement a message runs is answered from an index, whatever the size of the county.

Messages of every kind (greeting, menu, goal, hours with corrections, help, language, a photo,
opt-out and back, a redelivery, an unknown number, delivery reports, a Telegram chat linked by a
counselor's code, a forged code) are received on a database
seeded by bench/seed.py with months of history; every statement they run is recorded and its plan
asked of the database: `EXPLAIN QUERY PLAN` on SQLite (which has no statistics here, as in a
county's file, so its plan is the same at 300 participants as at 1M), `EXPLAIN` on PostgreSQL with
sequential scans priced out, so that a plan can only scan when no index serves. A plan fails when
it scans a table, or searches one only by columns that thousands of rows share (a state, a status):
that is how an UPDATE of one participant's outreach once read every sent text in the county.
"""

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event

from bench.seed import NOW, phone_of, seed
from bot.app import Service, build_service
from bot.inbox import Inbound, Media
from bot.settings import Settings
from casefile.addresses import create_link_code
from casefile.base import Base
from casefile.messages import apply_delivery_status
from casefile.vocabulary import Channel, MessageStatus
from tests.support import FixedClock

#: Tables that stay a handful of rows however large the county.
SMALL_TABLES = frozenset({"scheduler_locks", "alembic_version"})
#: Columns thousands of rows share: a search by these alone reads a large part of the table.
SHARED_VALUES = frozenset(
    {"state", "status", "kind", "rule", "channel", "direction", "needs_counselor", "urgent", "seen_at"}
    | {"due_at", "retry_at", "closed_at", "drafted_at", "next_attempt_at", "time_zone", "action"}
)
LARGE_TABLES = frozenset(Base.metadata.tables) - SMALL_TABLES
KEY_COLUMNS = frozenset(column.name for table in Base.metadata.tables.values() for column in table.columns) - (
    SHARED_VALUES
)

#: What participants text, in the order they text it: each path through the engine.
CONVERSATION = (
    "hi",
    "YES",
    "1",
    "get my GED",
    "ok",
    "I pass the tests",
    "in 3 months",
    "yes",
    "call the school",
    "friday",
    "no",
    "8 hrs today 6 tue",
    "no, tuesday was 5",
    "yes",
    "HELP",
    "ESPAÑOL",
    "3",
    "mi carro se descompuso y necesito hablar con mi consejera",
    "ENGLISH",
    "MY GOAL",
    "STOP",
    "START",
    "thanks!",
)


@pytest.fixture
def seeded(database_url: str) -> Iterator[Service]:
    # 2,000: enough that the statistics PostgreSQL plans from have a county's proportions.
    seed(database_url, 2000, weeks=8)
    service = build_service(Settings(database_url=database_url), FixedClock(NOW))
    yield service
    service.close()


def statements_of_messages(service: Service) -> dict[str, Any]:
    """Receive a day of messages; every distinct statement they ran, with parameters it ran with."""
    ran: dict[str, Any] = {}

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().split(None, 1)[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}:
            ran.setdefault(statement, parameters[0] if executemany else parameters)

    event.listen(service.engine, "before_cursor_execute", record)
    try:
        receive_a_day(service)
    finally:
        event.remove(service.engine, "before_cursor_execute", record)
    return ran


def receive_a_day(service: Service) -> None:
    at = NOW
    # Participants quiet for a while, active ones, and one who has never written.
    for participant in (7, 1500, 1999):
        for n, text in enumerate(CONVERSATION):
            at += timedelta(minutes=1)
            sid = f"SMplan{participant:04d}{n:04d}"
            inbound = Inbound(Channel.SMS, phone_of(participant), text, sid, at)
            receipt = service.inbox.receive(inbound, MessageStatus.SENT)
            assert receipt.message_id > 0
        # A photo of a timesheet, and a redelivery of it.
        photo = Inbound(
            Channel.SMS,
            phone_of(participant),
            "",
            f"MMplan{participant:04d}",
            at,
            (Media("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", "image/jpeg"),),
        )
        service.inbox.receive(photo, MessageStatus.SENT)
        assert service.inbox.receive(photo, MessageStatus.SENT).duplicate
    service.inbox.receive(Inbound(Channel.SMS, "+15105550177", "who is this", "SMplanunknown", at), MessageStatus.SENT)
    # Telegram: a chat linked with a counselor's code, then written from; a forged code; an unknown chat.
    with service.sessions.begin() as session:
        code = create_link_code(session, 1500, Channel.TELEGRAM, at)
    for n, text in enumerate((f"/start {code}", "8 hrs today", "yes", "/start forged-code", "hola")):
        chat = "900000001" if n < 3 else "900000002"
        service.inbox.receive(Inbound(Channel.TELEGRAM, chat, text, f"tg{n}", at), MessageStatus.QUEUED)
    with service.sessions.begin() as session:
        assert apply_delivery_status(session, Channel.SMS, "SMo1", MessageStatus.DELIVERED, None, at) is False
        apply_delivery_status(session, Channel.SMS, "SMo2", MessageStatus.FAILED, "30003", at)


def sqlite_plan(engine: Engine, statement: str, parameters: Any) -> list[str]:
    raw = engine.raw_connection()
    try:
        # With foreign keys on, the plan of an INSERT into a parent table (messages) also lists scans
        # of its child tables. SQLite codes them only to settle deferred violations and skips them
        # while none are outstanding, which is always with our immediate constraints (2,000 INSERTs
        # into 113k messages: 0.09 ms each with the checks, 0.06 ms without): they are not our plan.
        raw.cursor().execute("PRAGMA foreign_keys=OFF")
        return [row[3] for row in raw.cursor().execute("EXPLAIN QUERY PLAN " + statement, parameters)]
    finally:
        raw.cursor().execute("PRAGMA foreign_keys=ON")
        raw.close()


_SQLITE_STEP = re.compile(
    r"(?P<how>SCAN|SEARCH) (?P<table>\w+)(?: AS \w+)?"
    r"(?: USING (?:COVERING |INTEGER PRIMARY KEY|PRIMARY KEY|INDEX (?P<index>\w+))?.*?\((?P<terms>[^)]*)\))?"
)

_EQUALITY = re.compile(r"\s*\w+=\?\s*")


def sqlite_faults(plan: list[str]) -> list[str]:
    faults = []
    for step in plan:
        found = _SQLITE_STEP.match(step)
        if found is None or found["table"] not in LARGE_TABLES:
            continue
        if found["how"] == "SCAN":
            faults.append(step)
            continue
        # Only an equality narrows to one person's rows: a range over a key column (last_message_at>?)
        # still reads everyone's rows in that window, which is how "the open contacts of the last
        # hour" once answered a lookup of one participant's open contact (785 us a message at 100k).
        equal = {term.split("=")[0].strip() for term in found["terms"].split(" AND ") if _EQUALITY.fullmatch(term)}
        if not equal & (KEY_COLUMNS | {"rowid"}):
            faults.append(step)
    return faults


def postgres_plan(engine: Engine, statement: str, parameters: Any) -> dict[str, Any]:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # Priced out, a sequential scan is chosen only when no index can answer.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
        (document,) = cursor.fetchone()
        raw.rollback()
        plan = document if isinstance(document, list) else json.loads(document)
        return dict(plan[0]["Plan"])
    finally:
        raw.close()


def _columns_in(condition: str) -> set[str]:
    """The column names in a PostgreSQL index condition, without its literals and type casts."""
    condition = re.sub(r"'(?:[^']|'')*'", "", condition)
    condition = re.sub(r"::\w+(?: (?:with|without) time zone| varying)?(?:\[\])?", "", condition)
    return set(re.findall(r"[a-z_]\w*", condition)) - {"is", "null", "and", "or", "not", "any", "all"}


def postgres_faults(node: dict[str, Any]) -> list[str]:
    faults = []
    relation = node.get("Relation Name")
    if node["Node Type"] == "Seq Scan" and relation in LARGE_TABLES:
        faults.append(f"Seq Scan on {relation}")
    condition = node.get("Index Cond")
    if condition is not None and not _columns_in(condition) & KEY_COLUMNS:
        faults.append(f"{node['Node Type']} using {node.get('Index Name')} on {condition}")
    for child in node.get("Plans", ()):
        faults += postgres_faults(child)
    return faults


def test_every_statement_of_a_message_is_answered_from_an_index(seeded: Service) -> None:
    ran = statements_of_messages(seeded)
    # The paths above touch messages, outreach, contacts, facts, goals, hours, consent, documents.
    touched = {table for statement in ran for table in LARGE_TABLES if re.search(rf"\b{table}\b", statement)}
    assert touched >= {"messages", "outreach", "contacts", "events", "goals", "goal_steps", "timesheet_entries"}
    assert touched >= {"consent_events", "documents", "participants", "conversation_states", "unknown_senders"}
    assert touched >= {"channel_addresses", "link_codes"}
    faults = {}
    for statement, parameters in ran.items():
        if seeded.engine.dialect.name == "sqlite":
            plan = sqlite_plan(seeded.engine, statement, parameters)
            found = sqlite_faults(plan)
        else:
            found = postgres_faults(postgres_plan(seeded.engine, statement, parameters))
        if found:
            faults[statement] = found
    assert not faults, "\n\n".join(f"{statement}\n  -> {found}" for statement, found in faults.items())


def test_the_check_sees_a_scan_and_a_search_by_state_alone(seeded: Service) -> None:
    """The check itself: a statement that reads by state alone, one that reads everything, and one
    that reads a time window of everyone's rows fail it."""
    if seeded.engine.dialect.name == "sqlite":
        by_state = sqlite_plan(seeded.engine, "SELECT id FROM outreach WHERE state = ?", ("queued",))
        everything = sqlite_plan(seeded.engine, "SELECT count(*) FROM messages WHERE body = ?", ("hi",))
        in_window = sqlite_plan(
            seeded.engine, "SELECT id FROM contacts WHERE closed_at IS NULL AND last_message_at >= ?", ("2026-03-01",)
        )
        assert sqlite_faults(by_state) and sqlite_faults(everything) and sqlite_faults(in_window)
        assert not sqlite_faults(sqlite_plan(seeded.engine, "SELECT id FROM participants WHERE phone = ?", ("+1",)))
    else:
        by_state = postgres_plan(seeded.engine, "SELECT id FROM outreach WHERE state = %(s)s", {"s": "queued"})
        everything = postgres_plan(seeded.engine, "SELECT count(*) FROM messages WHERE body = %(b)s", {"b": "hi"})
        assert postgres_faults(by_state) and postgres_faults(everything)
        by_phone = postgres_plan(seeded.engine, "SELECT id FROM participants WHERE phone = %(p)s", {"p": "+1"})
        assert not postgres_faults(by_phone)
