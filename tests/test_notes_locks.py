"""The notes job drafts without holding the database's one writer, and writes in short batches.

On SQLite every webhook message waits for the write lock. Drafting reads each contact's messages
and facts and each participant's month of hours (seconds a batch at 100k participants,
bench/jobs.py), so it reads and renders in read-only transactions, which begin without the lock;
the drafts are stored in transactions of at most WRITE_BATCH contacts (or notes) that only write.
A process killed between those transactions leaves every contact drafted and marked, or neither.
"""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from bench.seed import NOW, seed
from bot.app import Service, build_service
from bot.settings import Settings
from casefile.case_notes import CaseNote, NoteAudit
from casefile.contacts import Contact
from notes.verification import draft_verifications
from notes.writes import WRITE_BATCH, WRITE_STEP
from tests.support import FixedClock
from tests.transactions import inserted_rows, record_transactions

#: What a transaction that stores drafts may run: the notes, their audit records, the contacts' marks.
WRITES = (
    "INSERT INTO case_notes",
    "INSERT INTO note_audit",
    "UPDATE contacts SET drafted_at",
    "UPDATE contacts SET attempts_logged_at",
)


@pytest.fixture
def county(database_url: str) -> Iterator[Service]:
    """1,500 participants with 4 weeks of history at the seeded Monday: contacts gone quiet to
    close and draft, unanswered outreach, and February's hours verification owed for everyone."""
    seed(database_url, 1500, weeks=4)
    service = build_service(Settings(database_url=database_url), FixedClock(NOW))
    yield service
    service.close()


def transactions_of_the_notes_job(service: Service) -> list[dict[str, Any]]:
    """Each transaction the notes job ran: read-only or not, its statements and their rows."""
    drafted, transactions = record_transactions(service.engine, service.draft_notes)
    assert drafted["contacts"] > 500 and drafted["verifications"] > 1000
    return transactions


def test_drafting_reads_without_the_write_lock_and_writing_reads_nothing(county: Service) -> None:
    transactions = transactions_of_the_notes_job(county)
    # The first transaction closes the contacts gone quiet (casefile.contacts.close_quiet_contacts).
    closing, *rest = transactions
    assert [sql.split()[0] for sql, _ in closing["statements"]] in (["SELECT", "UPDATE"], ["SELECT"])
    reads = [t for t in rest if t["read_only"]]
    writes = [t for t in rest if not t["read_only"]]
    assert len(reads) >= 1500 // 200 and len(writes) > 2 * len(reads)
    for transaction in reads:
        assert all(sql.startswith("SELECT") for sql, _ in transaction["statements"]), transaction
    for transaction in writes:
        for sql, _ in transaction["statements"]:
            assert sql.startswith(WRITES) and " SELECT " not in sql, sql
        notes = sum(rows for sql, rows in transaction["statements"] if sql.startswith("INSERT INTO case_notes"))
        # A contact has a note per subject: a few at most.
        assert notes <= 4 * WRITE_BATCH, transaction


def test_the_verification_reads_a_batch_of_participants_in_a_few_queries_not_a_few_each(county: Service) -> None:
    """A county's month-end is 100k verifications: five queries a participant took 25-30 minutes
    of a loaded machine. A batch's timesheet entries, documents and other notes are read at once."""
    drafted, transactions = record_transactions(
        county.engine, lambda: draft_verifications(county.sessions, county.notes, NOW)
    )
    assert drafted > 1000
    reads = [transaction for transaction in transactions if transaction["read_only"]]
    # The batch of participants, then their entries, documents and the month's other notes.
    assert max(len(transaction["statements"]) for transaction in reads) <= 4
    # A batch per 200 participants of a time zone (a few zones): old code ran five a participant.
    assert sum(len(transaction["statements"]) for transaction in reads) < drafted / 20


def test_a_slow_write_ends_its_transaction_early_rather_than_taking_more(county: Service) -> None:
    """A database that is slow to write (pages from a busy disk, a machine with no core free):
    every note costs 5 ms here, so one step of WRITE_STEP contacts (or notes) runs past the
    budget, and the transaction commits after it instead of going on to WRITE_BATCH. Everything
    is still drafted, each contact with its mark."""

    def slow_disk(connection: Any, cursor: Any, sql: str, *rest: Any) -> None:
        if sql.startswith("INSERT INTO case_notes"):
            time.sleep(0.005 * inserted_rows(sql, None))

    event.listen(county.engine, "before_cursor_execute", slow_disk)
    try:
        transactions = transactions_of_the_notes_job(county)
    finally:
        event.remove(county.engine, "before_cursor_execute", slow_disk)
    writes = [t for t in transactions[1:] if not t["read_only"]]
    for transaction in writes:
        notes = [rows for sql, rows in transaction["statements"] if sql.startswith("INSERT INTO case_notes")]
        # One step: its notes in one statement (a contact has a few; a verification one).
        assert len(notes) <= 1 and sum(notes) <= 4 * WRITE_STEP, transaction
    with county.sessions.begin() as session:
        assert (
            session.scalar(select(func.count()).where(Contact.closed_at.is_not(None), Contact.drafted_at.is_(None)))
            == 0
        )


def test_a_second_run_drafts_nothing(county: Service) -> None:
    """One run drafts all that is due: the attempts after an answer in the month too (they waited
    for the next run)."""
    county.draft_notes()
    assert county.draft_notes() == Counter(contacts=0, verifications=0)


DRAFT_AT_THE_SEEDED_MOMENT = f"""
import sys
from datetime import datetime
from bot.app import build_service
from bot.settings import Settings
service = build_service(Settings(database_url=sys.argv[1]), lambda: datetime.fromisoformat("{NOW.isoformat()}"))
print(dict(service.draft_notes()))
"""


def notes_of(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT participant_id, contact_id, subject, occurrence, title, draft_body, sources, problems"
            " FROM case_notes ORDER BY participant_id, subject, occurrence"
        ).fetchall()


def test_a_job_killed_between_its_writes_leaves_nothing_drafted_twice_or_lost(tmp_path: Path) -> None:
    """The notes job in its own process, killed (SIGKILL) once it has stored some drafts, then run
    again: the notes are exactly those of a run never interrupted, each audited once, and every
    contact is marked drafted."""
    reference, killed = tmp_path / "reference.sqlite3", tmp_path / "killed.sqlite3"
    seed(f"sqlite:///{reference}", 1500, weeks=4)
    shutil.copy(reference, killed)
    seeded = len(notes_of(killed))
    draft = [sys.executable, "-c", DRAFT_AT_THE_SEEDED_MOMENT]
    root = Path(__file__).resolve().parent.parent
    subprocess.run([*draft, f"sqlite:///{reference}"], check=True, capture_output=True, cwd=root)
    expected = notes_of(reference)
    job = subprocess.Popen([*draft, f"sqlite:///{killed}"], cwd=root, stdout=subprocess.DEVNULL, env=os.environ)
    deadline = time.monotonic() + 60
    stored = 0
    while stored < len(expected) // 3 and time.monotonic() < deadline:
        time.sleep(0.01)
        with sqlite3.connect(killed) as connection:
            stored = connection.execute("SELECT count(*) FROM case_notes").fetchone()[0]
    job.send_signal(signal.SIGKILL)
    job.wait()
    assert 0 < stored < len(expected), "killed half-way"
    subprocess.run([*draft, f"sqlite:///{killed}"], check=True, capture_output=True, cwd=root)
    assert notes_of(killed) == expected
    service = build_service(Settings(database_url=f"sqlite:///{killed}"), FixedClock(NOW))
    try:
        with service.sessions.begin() as session:
            audited = session.execute(
                select(NoteAudit.note_id, func.count()).where(NoteAudit.action == "drafted").group_by(NoteAudit.note_id)
            ).all()
            # The seeded history's notes were drafted without audit records: only the job's are counted.
            assert len(audited) == len(expected) - seeded and {count for _, count in audited} == {1}
            undrafted = select(func.count()).where(Contact.closed_at.is_not(None), Contact.drafted_at.is_(None))
            assert session.scalar(undrafted) == 0
            assert session.scalar(select(func.count(CaseNote.id))) == len(expected)
    finally:
        service.close()
