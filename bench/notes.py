"""How fast closed contacts become checked draft case notes, database included.

    python bench/notes.py [--contacts 10000]

A fresh SQLite file is seeded with participants (one per five contacts) and closed contacts, each
with its messages and the facts a real one records: a check-in (step done, next step planned),
an hours report with its confirmation, a barrier with a request for help, a document, a message
for the counselor, or an unanswered outreach text. Then, in a fresh process: the baseline, reading
every contact's rows as the drafter does (no drafting), and the notes job itself, which drafts,
checks and stores a note per subject with its audit record.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from casefile.contacts import Contact  # noqa: E402
from casefile.database import make_engine  # noqa: E402
from casefile.facts import EventRecord  # noqa: E402
from casefile.messages import Message  # noqa: E402
from casefile.migrate import upgrade  # noqa: E402
from casefile.people import Counselor, Participant  # noqa: E402
from casefile.timesheets import TimesheetEntry  # noqa: E402

NOW = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)
WORDS = ["call the adult school", "llamar a la guardería", "update my resume", "ir a la entrevista"]


def seed(url: str, contacts: int, rng: random.Random) -> None:
    engine = make_engine(url)
    upgrade(engine)
    people = max(contacts // 5, 1)
    with engine.begin() as connection:
        connection.execute(
            insert(Counselor), [{"first_name": "C", "last_name": "1", "email": "c@example.org", "created_at": NOW}]
        )
        connection.execute(insert(Participant), [_person(n) for n in range(1, people + 1)])
    rows: dict[Any, list[dict[str, Any]]] = {Contact: [], Message: [], EventRecord: [], TimesheetEntry: []}
    message_id = 0
    for contact_id in range(1, contacts + 1):
        participant = rng.randrange(1, people + 1)
        opened = NOW - timedelta(hours=rng.uniform(3, 20))
        kind = rng.choice(["checkin", "hours", "barrier", "document", "counselor", "outreach"])
        inbound = [] if kind == "outreach" else ["hola", "1", "listo", "si"][: rng.randint(2, 4)]
        ids = []
        for index, body in enumerate(["Hi! How is your step going?", *inbound]):
            message_id += 1
            ids.append(message_id)
            rows[Message].append(_message(message_id, participant, contact_id, index, body, opened))
        rows[Contact].append(
            {
                "id": contact_id, "participant_id": participant, "channel": "sms",
                "opened_by": "outreach" if kind == "outreach" else "participant", "opened_at": opened,
                "last_message_at": opened + timedelta(minutes=5), "closed_at": opened + timedelta(hours=2, minutes=5),
                "drafted_at": None,
            }
        )  # fmt: skip
        for fact_kind, payload in _facts(kind, rng):
            rows[EventRecord].append(_event(participant, contact_id, ids[-1], fact_kind, payload, opened))
            if fact_kind == "hours_confirmed":
                rows[TimesheetEntry] += [_entry(participant, ids[-1], line, opened) for line in payload["lines"]]
    with engine.begin() as connection:
        for table, batch in rows.items():
            connection.execute(insert(table), batch)
    engine.dispose()


def _person(n: int) -> dict[str, Any]:
    return {
        "id": n, "first_name": "P", "last_name": str(n), "phone": f"+1{5_000_000_000 + n}",
        "language": "es" if n % 3 == 0 else "en", "time_zone": "America/Los_Angeles", "weekly_required_hours": 30,
        "family_type": "one_parent", "reporting_period": "weekly", "activities": [], "preferred_channel": "sms",
        "counselor_id": 1, "status": "active", "consent_state": "confirmed", "enrolled_at": NOW - timedelta(days=9),
        "last_heard_at": NOW, "check_in_day": 0,
    }  # fmt: skip


def _message(message_id: int, participant: int, contact: int, index: int, body: str, at: datetime) -> dict[str, Any]:
    return {
        "id": message_id, "participant_id": participant, "contact_id": contact,
        "direction": "outbound" if index == 0 else "inbound", "channel": "sms", "address": "+15005550000",
        "body": body, "media": [], "status": "sent" if index == 0 else "processed", "attempts": 0,
        "created_at": at + timedelta(minutes=index), "status_at": at + timedelta(minutes=index),
    }  # fmt: skip


def _facts(kind: str, rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    words = rng.choice(WORDS)
    due = (NOW + timedelta(days=rng.randint(2, 9))).date().isoformat()
    if kind == "checkin":
        return [
            ("step_done", {"step_id": 1, "text": words}),
            ("step_planned", {"goal_id": 1, "text": words, "due": due}),
        ]
    if kind == "hours":
        lines = [
            {"day": (NOW - timedelta(days=d)).date().isoformat(), "activity": "job_search", "hours": rng.choice([4, 6.5, 8]),
             "excuse": None, "whole_week": False}
            for d in range(rng.randint(1, 3))
        ]  # fmt: skip
        return [("hours_reported", {"lines": lines}), ("hours_confirmed", {"lines": lines})]
    if kind == "barrier":
        return [
            ("barrier_raised", {"category": "childcare", "words": "no tengo quien cuide a mis hijos", "step_id": None}),
            ("support_requested", {"category": "childcare", "step_id": None}),
        ]
    if kind == "document":
        return [("document_received", {"content_types": ["image/jpeg"]})]
    if kind == "counselor":
        return [("counselor_message", {"text": "can you call me tomorrow"})]
    return [("outreach_attempt", {"outreach_id": 1, "rule": "check_in", "template": "outreach_check_in",
                                  "channel": "sms", "outcome": "sent", "code": None})]  # fmt: skip


def _event(
    participant: int, contact: int, message: int, kind: str, payload: dict[str, Any], at: datetime
) -> dict[str, Any]:
    return {
        "participant_id": participant, "contact_id": contact, "message_id": message, "kind": kind, "payload": payload,
        "needs_counselor": False, "urgent": False, "seen_at": None, "occurred_at": at,
    }  # fmt: skip


def _entry(participant: int, message: int, line: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {
        "participant_id": participant, "day": date.fromisoformat(line["day"]), "whole_week": False,
        "activity": "job_search", "hours": line["hours"], "excuse": None, "state": "confirmed", "message_id": message,
        "confirmed_message_id": message, "reported_at": at, "confirmed_at": at,
    }  # fmt: skip


def measure(url: str) -> dict[str, float]:
    """In this (fresh) process: the baseline read of every contact's rows, then the notes job."""
    from bot.app import build_service
    from bot.settings import Settings
    from notes.draft import draft_closed_contacts
    from notes.load import load_contacts

    service = build_service(Settings(database_url=url), lambda: NOW + timedelta(hours=3))
    started, cpu = time.perf_counter(), time.process_time()
    with service.sessions.begin() as session:
        ids = session.scalars(select(Contact.id).order_by(Contact.id)).all()
        for start in range(0, len(ids), 500):
            load_contacts(session, ids[start : start + 500])
    baseline, baseline_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    drafted = draft_closed_contacts(service.sessions, service.notes, service.calendar, service.clock())
    elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - cpu
    service.close()
    return {
        "contacts": len(ids),
        "baseline": baseline,
        "baseline_cpu": baseline_cpu,
        "elapsed": elapsed,
        "elapsed_cpu": elapsed_cpu,
        "drafts": drafted,
        "load": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'notes.sqlite3'}"
        seed(url, args.contacts, random.Random(args.contacts))
        run = subprocess.run([sys.executable, __file__, "--measure", url], capture_output=True, text=True, check=True)
        figures = json.loads(run.stdout)
    contacts, drafts, elapsed, baseline = (
        figures["contacts"],
        figures["drafts"],
        figures["elapsed"],
        figures["baseline"],
    )
    print(f"{contacts:,} closed contacts -> {drafts:,} draft notes")
    print(
        f"  baseline, reading every contact's messages and facts: {baseline:.3f} s ({contacts / baseline:,.0f} contacts/s)"
    )
    print(
        f"  drafting, checking and storing: {elapsed:.3f} s = {drafts / elapsed:,.0f} drafts/s, "
        f"{contacts / elapsed:,.0f} contacts/s ({elapsed / baseline:.1f}x the read; aim 2,000 drafts/s)"
    )
    # On a shared machine the wall clock counts other people's work too: the process's own CPU
    # time says what drafting costs (and the load average says how shared the machine was).
    print(
        f"  CPU time of this process: read {figures['baseline_cpu']:.3f} s, drafting {figures['elapsed_cpu']:.3f} s "
        f"= {drafts / figures['elapsed_cpu']:,.0f} drafts per CPU-second (load average {figures['load']:.1f})"
    )


if __name__ == "__main__":
    main()
