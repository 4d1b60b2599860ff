"""A county's database after half a year of use, for every bench: participants and their history.

    python bench/seed.py [--participants 100000 | --million] [--weeks 26] [--database-url URL]

`--million` seeds 4 weeks of history unless `--weeks` says otherwise: 26 weeks at 1M would be
about 49 GB of SQLite; 4 weeks are 8.3 GB and hold every table and state the sweep reads
(bench/sweep.py says which).

Per participant, as the service itself would have left it: the enrolment consent (and an opt-out
for a few), the weekly check-in texts of every week since they enrolled (outreach rows sent,
answered or not, a few skipped or cancelled), each with its outbound message and attempt fact;
for the weeks they answered, their reply and the bot's answer in a closed, drafted contact with its
facts, a confirmed timesheet line and, on some weeks, an approved case note; a goal with three
steps for those who engage; re-engagement texts and counselor tasks for those who went quiet;
where their conversation was left. Who is active, quiet, sanctioned or gone follows the same
proportions as a county caseload (see `_person`).

The participants and the re-engagement sequences are made in Python (their rules are the
scheduler's); everything per week is one `INSERT … SELECT` per table over participants × a small
calendar table, so 100k participants take about a minute in SQLite. Ids are computed, not looked
up: check-in `n` of participant `p` is outreach `(p-1)*weeks+n`, its texts are messages `3*that-2`
(sent), `3*that-1` (their reply) and `3*that` (our answer), its contact has the outreach's id.

A seeded SQLite file is kept in `$WAYPOINT_BENCH_CACHE` (default ~/.cache/waypoint-bench) and
copied for each run (`seeded_copy`), since every bench writes to its database.
"""

import argparse
import os
import random
import shutil
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Column, Connection, Date, Integer, MetaData, String, Table, bindparam, insert, text  # noqa: E402

from casefile.base import UTCDateTime  # noqa: E402
from casefile.database import make_engine  # noqa: E402
from casefile.migrate import upgrade  # noqa: E402
from casefile.outreach import Outreach  # noqa: E402
from casefile.people import Counselor, Participant  # noqa: E402

#: The moment every bench runs at: Monday 2 March 2026, 11:05 in California.
NOW = datetime(2026, 3, 2, 19, 5, tzinfo=UTC)
ZONES = ["America/Los_Angeles"] * 17 + ["America/Denver", "America/Phoenix", "America/New_York"]
#: Bump when what is seeded changes, so that cached files of the old shape are not reused.
SHAPE = 2
#: Participants a counselor carries.
CASELOAD = 100
BATCH = 50_000
#: The history a 1M county is seeded with by default: what the sweep reads, in a file that fits.
MILLION_WEEKS = 4


def phone_of(n: int) -> str:
    """The phone number of participant id `n` (1-based)."""
    return f"+1{5_000_000_000 + n - 1}"


def seed(url: str, participants: int, weeks: int = 26, rng: random.Random | None = None) -> None:
    """Migrate the database at `url` and fill it with `participants` and `weeks` of history."""
    rng = rng or random.Random(participants)
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            # Only while seeding: a large page cache makes index upkeep cheap.
            connection.exec_driver_sql("PRAGMA cache_size=-262144")
        reengagement = _people(connection, participants, rng)
        calendar = _calendar(connection, weeks)
    for statement in _history(engine.dialect.name, weeks):
        sql = text(statement)
        if ":recent" in statement:
            sql = sql.bindparams(bindparam("recent", type_=UTCDateTime()))
        with engine.begin() as connection:
            connection.execute(sql, {"weeks": weeks, "recent": NOW - timedelta(hours=2)})
    with engine.begin() as connection:
        calendar.drop(connection)
        if connection.dialect.name == "postgresql":
            _advance_sequences(connection)
        # After the check-ins, whose ids are computed: these take the ids after them.
        for start in range(0, len(reengagement), BATCH):
            connection.execute(insert(Outreach), reengagement[start : start + BATCH])
        # The history is what the sweep finds on its first (whole) pass, not changes since one.
        connection.exec_driver_sql("DELETE FROM sweep_changes")
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE")
    if engine.dialect.name == "sqlite":
        # Outside a transaction: the file is then whole by itself, ready to copy.
        raw = engine.raw_connection()
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.close()
    engine.dispose()


def seeded_file(participants: int, weeks: int = 26) -> Path:
    """The kept SQLite file of this size, seeded the first time it is asked for."""
    cache = Path(os.environ.get("WAYPOINT_BENCH_CACHE", Path.home() / ".cache" / "waypoint-bench"))
    cache.mkdir(parents=True, exist_ok=True)
    kept = cache / f"county-{participants}-{weeks}w-shape{SHAPE}.sqlite3"
    if not kept.exists():
        partial = kept.with_suffix(".partial")
        for leftover in cache.glob(partial.name + "*"):
            leftover.unlink()
        started = time.perf_counter()
        seed(f"sqlite:///{partial}", participants, weeks)
        print(f"seeded {participants:,} participants, {weeks} weeks, in {time.perf_counter() - started:.0f} s")
        partial.rename(kept)
    return kept


def seeded_copy(participants: int, folder: Path, weeks: int = 26) -> str:
    """A SQLite URL for a private copy of the seeded file of this size (benches write to it)."""
    kept = seeded_file(participants, weeks)
    copy = folder / kept.name
    shutil.copyfile(kept, copy)
    # A file kept from before a migration is brought up to date in the copy (the kept one is
    # never changed: other benches may be copying it).
    engine = make_engine(f"sqlite:///{copy}")
    upgrade(engine)
    engine.dispose()
    # The copy's gigabytes are still being written back to disk: done before the bench's server
    # starts, the write-back does not compete with the writes it measures.
    os.sync()
    return f"sqlite:///{copy}"


# --- Participants and re-engagement, made in Python ------------------------------------------------


def _people(connection: Connection, participants: int, rng: random.Random) -> list[dict[str, Any]]:
    """Insert the counselors and participants; return the re-engagement rows to insert later."""
    connection.execute(
        insert(Counselor),
        [
            {"first_name": "C", "last_name": str(n), "email": f"c{n}@example.org", "phone": None, "created_at": NOW}
            for n in range(participants // CASELOAD + 1)
        ],
    )
    outreach: list[dict[str, Any]] = []
    for start in range(0, participants, BATCH):
        people = []
        for n in range(start, min(start + BATCH, participants)):
            person, history = _person(n, rng)
            people.append(person)
            outreach += history
        connection.execute(insert(Participant), people)
    return outreach


def _person(n: int, rng: random.Random) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One participant and the re-engagement texts their quiet spell has earned so far."""
    roll = rng.random()
    enrolled = NOW - timedelta(days=rng.uniform(40, 700))
    if roll < 0.70:
        heard: datetime | None = NOW - timedelta(days=rng.uniform(0, 7))
    elif roll < 0.85:
        heard = NOW - timedelta(days=rng.uniform(8, 30))
    elif roll < 0.997:
        heard = NOW - timedelta(days=rng.uniform(31, 200))
    else:
        enrolled, heard = NOW - timedelta(days=rng.uniform(0, 3)), None
    status = "active" if rng.random() < 0.9 else rng.choice(["sanctioned", "exited", "exempt"])
    person = {
        "id": n + 1,
        "first_name": "P",
        "last_name": str(n),
        "phone": phone_of(n + 1),
        "language": rng.choice(["en", "en", "es"]),
        "time_zone": rng.choice(ZONES),
        "weekly_required_hours": rng.choice([20, 30, 35]),
        "family_type": "one_parent",
        "reporting_period": rng.choice(["weekly", "weekly", "biweekly", "monthly"]),
        "activities": [],
        "preferred_channel": "sms",
        "counselor_id": n // CASELOAD + 1,
        "status": status,
        "consent_state": "opted_out" if rng.random() < 0.03 else "confirmed",
        "enrolled_at": enrolled,
        "last_heard_at": heard,
        "check_in_day": rng.randrange(7),
        "exited_on": (NOW - timedelta(days=rng.uniform(0, 400))).date() if status == "exited" else None,
        "outreach_paused_until": None,
    }
    quiet_days = (NOW - heard).days if heard else 0
    history = _reengagement_so_far(n + 1, heard) if heard and quiet_days > 30 and status == "active" else []
    return person, history


def _reengagement_so_far(participant: int, heard: datetime) -> list[dict[str, Any]]:
    """The default rule's attempts since they went quiet: day 30, 7 days on, then every 14, and
    the counselor's task 2 days after the second."""
    episode = heard.strftime("%Y%m%dT%H%M%S")
    sent, attempt, rows = heard + timedelta(days=30), 1, []
    while sent < NOW:
        rows.append(_sent(participant, "reengage", f"{episode}#{attempt}", sent))
        if attempt == 2 and sent + timedelta(days=2) < NOW:
            task = _sent(participant, "reengage", f"{episode}#task", sent + timedelta(days=2))
            rows.append(task | {"kind": "task", "template": "reengagement_task"})
        sent += timedelta(days=7 if attempt == 1 else 14)
        attempt += 1
    return rows


def _sent(participant: int, rule: str, occurrence: str, at: datetime) -> dict[str, Any]:
    return {
        "participant_id": participant,
        "rule": rule,
        "occurrence": occurrence,
        "kind": "text",
        "template": "reengage_1",
        "due_at": at,
        "state": "dispatched",
        "created_at": at,
        "state_at": at,
    }


# --- The weeks of history, set-based -------------------------------------------------------------

_CALENDAR = Table(
    "bench_calendar",
    MetaData(),
    Column("w", Integer, primary_key=True),
    Column("d", Integer, primary_key=True),
    #: The check-in went out (10:00 Pacific), they replied, we answered, the contact closed.
    Column("sent_at", UTCDateTime),
    Column("reply_at", UTCDateTime),
    Column("answer_at", UTCDateTime),
    Column("closed_at", UTCDateTime),
    Column("day", Date),
    Column("label", String(20)),
)


def _calendar(connection: Connection, weeks: int) -> Table:
    """Week `w` back (1 = last week) on check-in weekday `d`: the moments a week's exchange took."""
    _CALENDAR.create(connection)
    monday = NOW.date()
    rows = []
    for w in range(1, weeks + 1):
        for d in range(7):
            day = monday - timedelta(days=7 * w) + timedelta(days=d)
            sent = datetime(day.year, day.month, day.day, 18, 0, tzinfo=UTC)
            reply = sent + timedelta(minutes=47 + (w * 7 + d * 13) % 120)
            rows.append(
                {
                    "w": w,
                    "d": d,
                    "sent_at": sent,
                    "reply_at": reply,
                    "answer_at": reply + timedelta(seconds=1),
                    "closed_at": reply + timedelta(hours=2),
                    "day": day,
                    "label": f"{day.isoformat()}+0",
                }
            )
    connection.execute(insert(_CALENDAR), rows)
    return _CALENDAR


def _history(dialect: str, weeks: int) -> Iterator[str]:
    """The INSERT … SELECT statements, in the order the foreign keys need."""
    json = "json({})" if dialect == "sqlite" else "CAST({} AS json)"
    obj = "json_object" if dialect == "sqlite" else "json_build_object"
    array = "json_array" if dialect == "sqlite" else "json_build_array"
    # Every week since enrolment; who had not opted out, was not gone, and a few skipped or cancelled.
    weekly = (
        "FROM participants p JOIN bench_calendar c ON c.d = p.check_in_day "
        "WHERE c.sent_at > p.enrolled_at AND p.status IN ('active', 'sanctioned')"
    )
    check_in = "(p.id - 1) * :weeks + c.w"
    fate = "(p.id * 7 + c.w * 13) % 40"
    answered = f"p.last_heard_at >= c.reply_at AND {fate} >= 3"
    yield (
        "INSERT INTO outreach (id, participant_id, rule, occurrence, kind, template, due_at, state, reason, "
        "created_at, state_at, answered_at) "
        f"SELECT {check_in}, p.id, 'check_in', c.label, 'text', 'outreach_check_in', c.sent_at, "
        f"CASE WHEN {fate} = 0 THEN 'skipped' WHEN {fate} = 1 THEN 'cancelled' ELSE 'dispatched' END, "
        f"CASE WHEN {fate} = 0 THEN 'in_conversation' WHEN {fate} = 1 THEN 'counselor' END, "
        f"c.sent_at, c.sent_at, CASE WHEN {answered} THEN c.reply_at END {weekly}"
    )
    yield (
        "INSERT INTO contacts (id, participant_id, channel, opened_by, opened_at, last_message_at, closed_at, "
        f"drafted_at) SELECT {check_in}, p.id, 'sms', 'outreach', c.sent_at, "
        f"CASE WHEN {answered} THEN c.answer_at ELSE c.sent_at END, c.closed_at, c.closed_at "
        f"{weekly} AND {fate} >= 2"
    )
    sent_columns = (
        "INSERT INTO messages (id, participant_id, contact_id, direction, channel, address, body, media, "
        "provider_id, status, error_code, in_reply_to_id, outreach_id, attempts, retry_at, created_at, status_at) "
    )
    yield (
        sent_columns + f"SELECT 3 * ({check_in}) - 2, p.id, {check_in}, 'outbound', 'sms', p.phone, "
        f"'Hi! Time for your weekly check-in. How did this week go?', {json.format(repr('[]'))}, "
        f"'SMo' || ({check_in}), 'delivered', NULL, NULL, {check_in}, 1, NULL, c.sent_at, c.sent_at "
        f"{weekly} AND {fate} >= 2"
    )
    yield (
        sent_columns + f"SELECT 3 * ({check_in}) - 1, p.id, {check_in}, 'inbound', 'sms', p.phone, "
        f"CASE WHEN p.language = 'es' THEN 'trabajé 6 horas el lunes' ELSE 'worked 6 hrs monday' END, "
        f"{json.format(repr('[]'))}, 'SMi' || ({check_in}), 'processed', NULL, NULL, NULL, 0, NULL, "
        f"c.reply_at, c.reply_at {weekly} AND {answered}"
    )
    yield (
        sent_columns + f"SELECT 3 * ({check_in}), p.id, {check_in}, 'outbound', 'sms', p.phone, "
        "'6 hours on Monday for job search. Total this week: 6. Correct?', "
        f"{json.format(repr('[]'))}, 'SMr' || ({check_in}), 'delivered', NULL, 3 * ({check_in}) - 1, NULL, 0, "
        f"NULL, c.answer_at, c.answer_at {weekly} AND {answered}"
    )
    # Who wrote in the last two hours is still in an open contact (it closes after a quiet spell).
    recent = "(SELECT MAX(id) FROM participants) * :weeks + p.id"
    yield (
        "INSERT INTO contacts (id, participant_id, channel, opened_by, opened_at, last_message_at, closed_at, "
        f"drafted_at) SELECT {recent}, p.id, 'sms', 'participant', p.last_heard_at, p.last_heard_at, NULL, NULL "
        "FROM participants p WHERE p.last_heard_at > :recent"
    )
    yield (
        sent_columns + f"SELECT 3 * ({recent}) - 1, p.id, {recent}, 'inbound', 'sms', p.phone, 'thanks!', "
        f"{json.format(repr('[]'))}, 'SMi' || ({recent}), 'processed', NULL, NULL, NULL, 0, NULL, "
        "p.last_heard_at, p.last_heard_at FROM participants p WHERE p.last_heard_at > :recent"
    )
    events = (
        "INSERT INTO events (participant_id, contact_id, message_id, kind, payload, needs_counselor, urgent, "
        "seen_at, occurred_at) "
    )
    yield (
        events + f"SELECT p.id, {check_in}, 3 * ({check_in}) - 2, 'outreach_attempt', "
        f"{obj}('outreach_id', {check_in}, 'rule', 'check_in', 'template', 'outreach_check_in', "
        "'channel', 'sms', 'outcome', 'sent', 'code', NULL), FALSE, FALSE, NULL, c.sent_at "
        f"{weekly} AND {fate} >= 2"
    )
    yield (
        events + f"SELECT p.id, {check_in}, 3 * ({check_in}) - 1, 'outreach_answered', "
        f"{obj}('outreach_id', {check_in}, 'rule', 'check_in'), FALSE, FALSE, NULL, c.reply_at "
        f"{weekly} AND {answered}"
    )
    yield (
        events + f"SELECT p.id, {check_in}, 3 * ({check_in}) - 1, 'hours_confirmed', "
        f"{obj}('lines', {array}({obj}('day', c.day, 'activity', 'job_search', 'hours', 6.0, "
        f"'excuse', NULL, 'whole_week', FALSE))), FALSE, FALSE, NULL, c.answer_at {weekly} AND {answered}"
    )
    yield (
        "INSERT INTO timesheet_entries (participant_id, day, whole_week, activity, hours, excuse, state, "
        "message_id, corrected_message_id, confirmed_message_id, reported_at, confirmed_at) "
        f"SELECT p.id, c.day, FALSE, 'job_search', 6.0, NULL, 'confirmed', 3 * ({check_in}) - 1, NULL, "
        f"3 * ({check_in}) - 1, c.reply_at, c.answer_at {weekly} AND {answered}"
    )
    # Every fourth answered week was worth a note the counselor has since approved.
    yield (
        "INSERT INTO case_notes (participant_id, contact_id, subject, occurrence, title, contact_date, "
        "draft_body, sources, problems, state, drafted_at, due_at, final_body, edited, reviewed_by, "
        f"reviewed_at, reject_reason) SELECT p.id, {check_in}, 'hours', c.label, "
        "'Hours reported by text: 6 of the week''s requirement', c.day, "
        "'Participant reported 6 hours of job search by text.', "
        f"{json.format(repr('[]'))}, {json.format(repr('[]'))}, 'approved', c.closed_at, c.closed_at, "
        "'Participant reported 6 hours of job search by text.', FALSE, p.counselor_id, c.closed_at, NULL "
        f"{weekly} AND {answered} AND c.w % 4 = 1"
    )
    # One goal for those who engage (reached for one in four), with three steps.
    yield (
        "INSERT INTO goals (id, participant_id, words, details, measure, target_date, status, message_id, "
        "set_at, updated_at, reached_at) "
        "SELECT p.id, p.id, 'get my GED', NULL, 'I pass the tests', c.day, "
        "CASE WHEN p.id % 4 = 0 THEN 'reached' ELSE 'active' END, NULL, c.sent_at, c.sent_at, "
        "CASE WHEN p.id % 4 = 0 THEN c.closed_at END "
        "FROM participants p JOIN bench_calendar c ON c.d = p.check_in_day AND c.w = 1 "
        "WHERE p.last_heard_at IS NOT NULL AND p.id % 5 <> 0"
    )
    yield (
        "INSERT INTO goal_steps (goal_id, position, text, due_date, status, message_id, planned_at, done_at) "
        "SELECT g.id, c.w, 'call the school', c.day, CASE WHEN c.w > 1 THEN 'done' ELSE 'pending' END, NULL, "
        "g.set_at, CASE WHEN c.w > 1 THEN c.closed_at END "
        "FROM goals g JOIN participants p ON p.id = g.participant_id "
        "JOIN bench_calendar c ON c.d = p.check_in_day AND c.w <= 3"
    )
    yield (
        "INSERT INTO consent_events (participant_id, action, raw_text, channel, provider_id, occurred_at) "
        "SELECT id, 'opt_in', 'signed WTW 2 plan', 'console', NULL, enrolled_at FROM participants"
    )
    yield (
        "INSERT INTO consent_events (participant_id, action, raw_text, channel, provider_id, occurred_at) "
        "SELECT id, 'opt_out', 'STOP', 'sms', NULL, COALESCE(last_heard_at, enrolled_at) FROM participants "
        "WHERE consent_state = 'opted_out'"
    )
    yield (
        "INSERT INTO conversation_states (participant_id, flow, step, data, updated_at) "
        f"SELECT id, 'idle', 'idle', {json.format(repr('{}'))}, last_heard_at FROM participants "
        "WHERE last_heard_at IS NOT NULL"
    )


def _advance_sequences(connection: Connection) -> None:
    """Rows were inserted with their ids: move PostgreSQL's sequences past them."""
    for table in ("outreach", "contacts", "messages", "goals"):
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def counts(url: str) -> dict[str, int]:
    """Rows per table: what a bench prints about the database it ran on."""
    engine = make_engine(url)
    tables = ("participants", "outreach", "contacts", "messages", "events", "timesheet_entries", "case_notes")
    with engine.connect() as connection:
        found = {name: int(connection.exec_driver_sql(f"SELECT COUNT(*) FROM {name}").scalar_one()) for name in tables}
    engine.dispose()
    return found


def describe(url: str) -> str:
    return ", ".join(f"{name} {n:,}" for name, n in counts(url).items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="1,000,000 participants")
    parser.add_argument("--weeks", type=int, help="weeks of history (26; 4 with --million)")
    parser.add_argument("--database-url", help="seed this (empty) database instead of the cached SQLite file")
    args = parser.parse_args()
    participants = 1_000_000 if args.million else args.participants
    weeks = args.weeks or (MILLION_WEEKS if args.million else 26)
    started = time.perf_counter()
    if args.database_url:
        seed(args.database_url, participants, weeks)
        url = args.database_url
    else:
        url = f"sqlite:///{seeded_file(participants, weeks)}"
    print(f"{time.perf_counter() - started:.0f} s: {describe(url)}")


if __name__ == "__main__":
    main()
