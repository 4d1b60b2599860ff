"""Storing drafts in short write transactions.

On SQLite a write transaction holds the one write lock, and every webhook message waits for it
(issue 19: none over ~50 ms). Drafting reads and renders beforehand, in read-only transactions;
here the drafts are written a few contacts (or notes) a step, and a transaction takes steps until
it has WRITE_BATCH of them or has run WRITE_BUDGET: on a loaded machine a step can take several
times its CPU (it waits for a core, or for a database page from disk, while it holds the lock),
and the budget then ends the transaction early instead of adding more to it. A step is whole:
a contact's notes are written with its mark, a note with its audit record.
"""

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from casefile.base import UPSERT_INSERTS, dialect_of, table_of
from casefile.case_notes import CaseNote, NoteAudit

#: At most this many contacts (or notes) a write transaction.
WRITE_BATCH = 50
#: Contacts (or notes) a step: 10 verification notes are about 1 ms of CPU (bench/jobs.py).
WRITE_STEP = 10
#: A transaction takes no further step once it has run this long.
WRITE_BUDGET = 0.015
T = TypeVar("T")

_NOTES = table_of(CaseNote)
_AUDIT = table_of(NoteAudit)
#: Built once per dialect, as a step runs them by the thousand at a county's month-end.
_INSERT_NOTES = {
    name: upsert(_NOTES)
    .on_conflict_do_nothing(index_elements=["participant_id", "subject", "occurrence"])
    .returning(_NOTES.c.id, _NOTES.c.draft_body)
    for name, upsert in UPSERT_INSERTS.items()
}


def write_in_turns(
    sessions: sessionmaker[Session], items: Sequence[T], write: Callable[[Session, Sequence[T]], int]
) -> int:
    """`write` the items a step at a time in short transactions (see the module's docstring); the
    sum of what `write` returned."""
    done, start = 0, 0
    while start < len(items):
        with sessions.begin() as session:
            began, end = time.perf_counter(), start
            while end < min(len(items), start + WRITE_BATCH) and (
                end == start or time.perf_counter() - began < WRITE_BUDGET
            ):
                step = items[end : min(end + WRITE_STEP, start + WRITE_BATCH)]
                done += write(session, step)
                end += len(step)
        start = end
    return done


def store_notes(sessions: sessionmaker[Session], rows: Sequence[dict[str, Any]], now: datetime) -> int:
    """Insert drafts in short transactions, each a note with its audit record, whole or not at
    all; the number inserted."""
    return write_in_turns(sessions, rows, lambda session, step: insert_notes(session, step, now))


def insert_notes(session: Session, rows: Sequence[dict[str, Any]], now: datetime) -> int:
    """Insert drafts, each with an audit record; a draft already made for the same participant,
    subject and occurrence is left alone (drafting twice, or from two processes). The number inserted."""
    if not rows:
        return 0
    inserted = session.execute(_INSERT_NOTES[dialect_of(session)], list(rows)).all()
    if inserted:
        session.execute(
            insert(_AUDIT),
            [
                {
                    "note_id": note_id,
                    "counselor_id": None,
                    "action": "drafted",
                    "at": now,
                    "before": None,
                    "after": body,
                    "detail": None,
                }
                for note_id, body in inserted
            ],
        )
    return len(inserted)
