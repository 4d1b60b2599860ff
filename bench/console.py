"""How fast the console's pages answer for a counselor with 150 participants and two years of
history, in a database of 100k participants.

    python bench/console.py [--participants 100000] [--requests 200]

A fresh SQLite file is seeded (set-based, executemany): 100k participants in caseloads of 100,
each with a light history (a month: 16 messages, weekly hours, a fact or so), and one counselor, Dana, with 150
participants and two years of it: about two texts each way a week, weekly hours, facts every few
weeks, a handful of open needs-me items, some participants quiet or opted out. Then each page is
requested through the whole app in-process (HTTP, session cookie look-up, queries, Jinja2):
caseload, needs-me queue and one participant's page, with p50/p95 per page. The baseline, from the
same run: a bare route that renders the same template with the same data and runs no query.

Dana's caseload is one of ten in unit North (the other nine: 150 participants each, half a year
of history), and the unit's supervisor asks for the supervisor's page (every figure of the ten
counselors, the two alerts) and one figure's list.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi import Request  # noqa: E402
from fastapi.responses import Response  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from bot.app import build_service, create_app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from casefile.accounts import SESSION_LIFETIME, issue_token  # noqa: E402
from casefile.facts import EventRecord  # noqa: E402
from casefile.messages import Message  # noqa: E402
from casefile.migrate import upgrade  # noqa: E402
from casefile.people import Counselor, Participant  # noqa: E402
from casefile.timesheets import TimesheetEntry  # noqa: E402
from console.attention import queue  # noqa: E402
from console.caseload import caseload  # noqa: E402
from console.participant import participant_page  # noqa: E402
from console.session import COOKIE  # noqa: E402
from console.unit import FIGURE_TITLES, Figure, Period, unit_figures, unit_of  # noqa: E402
from console.unit_alerts import unit_alerts  # noqa: E402
from console.web import TEMPLATES, Viewer, no_store  # noqa: E402
from scheduler.office_hours import OfficeHours, parse_office_hours  # noqa: E402

NOW = datetime(2026, 3, 2, 19, 5, tzinfo=UTC)  # Monday, 11:05 in California
WEEK_START = date(2026, 3, 2)
ZONE = ZoneInfo("America/Los_Angeles")
CASELOAD = 150
DANA = 1
#: Counselors 1..UNIT are unit North; its supervisor is the last counselor added.
UNIT = 10
BODIES_IN = ["yes", "8 hrs mon 6 tue job search", "ok thanks", "can we talk friday?", "1", "done", "listo"]
BODIES_OUT = ["Hi! How did this week go? Reply 1 for your goal, 2 for hours.", "Thanks, got it: 14 of 30 this week."]
NEEDS = ["counselor_message", "barrier_raised", "hours_short", "support_requested", "delivery_failed"]


def seed(url: str, participants: int, rng: random.Random) -> None:
    engine = build_service(Settings(database_url=url)).engine
    upgrade(engine)
    last = UNIT + (participants - CASELOAD * UNIT) // 100 + 1
    counselors = [{"id": 1, "first_name": "Dana", "last_name": "Lee", "email": "dana@example.org", "created_at": NOW}]
    counselors += [
        {"id": n, "first_name": "C", "last_name": str(n), "email": f"c{n}@example.org", "created_at": NOW}
        for n in range(2, last + 1)
    ]
    for counselor in counselors:
        counselor |= {"role": "counselor", "unit": "North" if counselor["id"] <= UNIT else None}
    counselors.append(
        {"id": last + 1, "first_name": "Nora", "last_name": "Park", "email": "nora@example.org",
         "created_at": NOW, "role": "supervisor", "unit": "North"}
    )  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(Counselor), counselors)
    batch = 20_000
    for start in range(1, participants + 1, batch):
        people, messages, events, hours = [], [], [], []
        for pid in range(start, min(start + batch, participants + 1)):
            mine, unit = pid <= CASELOAD, pid <= CASELOAD * UNIT
            people.append(_person(pid, rng))
            m, e, h = _history(pid, rng, weeks=104 if mine else 26 if unit else 4)
            messages += m
            events += e
            hours += h
        with engine.begin() as connection:
            connection.execute(insert(Participant), people)
            connection.execute(insert(Message), messages)
            connection.execute(insert(EventRecord), events)
            connection.execute(insert(TimesheetEntry), hours)
    engine.dispose()


def _person(pid: int, rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    heard = NOW - timedelta(days=rng.uniform(0, 6) if roll < 0.7 else rng.uniform(8, 90))
    return {
        "id": pid,
        "first_name": rng.choice(["Rosa", "Jordan", "Guadalupe", "Ana", "Marcus", "Lena", "José", "Kim"]),
        "last_name": f"Family{pid}",
        "phone": f"+1{5_100_000_000 + pid}",
        "language": rng.choice(["en", "en", "es"]),
        "time_zone": "America/Los_Angeles",
        "weekly_required_hours": rng.choice([20, 30, 35]),
        "family_type": "one_parent",
        "reporting_period": "weekly",
        "activities": [],
        "preferred_channel": "sms",
        "counselor_id": (pid - 1) // CASELOAD + 1
        if pid <= CASELOAD * UNIT
        else (pid - CASELOAD * UNIT - 1) // 100 + UNIT + 1,
        "status": "active" if rng.random() < 0.9 else rng.choice(["sanctioned", "exempt", "exited"]),
        "consent_state": "opted_out" if rng.random() < 0.03 else "confirmed",
        "enrolled_at": NOW - timedelta(days=730),
        "last_heard_at": heard,
        "transcript_read_at": heard - timedelta(hours=1) if rng.random() < 0.2 else heard,
        "check_in_day": rng.randrange(7),
    }


def _history(pid: int, rng: random.Random, weeks: int) -> tuple[list[dict[str, Any]], ...]:
    """About two texts each way a week, a fact every few weeks (some still open), weekly hours."""
    messages, events, hours = [], [], []
    phone = f"+1{5_100_000_000 + pid}"
    for week in range(weeks, 0, -1):
        monday = NOW - timedelta(days=7 * week + NOW.weekday())
        for k in range(2):
            at = monday + timedelta(days=k * 2, hours=rng.uniform(0, 8))
            messages.append(_message(pid, phone, "outbound", rng.choice(BODIES_OUT), at))
            messages.append(_message(pid, phone, "inbound", rng.choice(BODIES_IN), at + timedelta(minutes=7)))
        if rng.random() < 0.3:
            kind = rng.choice(NEEDS)
            open_item = week <= 2 and rng.random() < 0.5
            events.append(
                {
                    "participant_id": pid,
                    "kind": kind,
                    "payload": {"text": "I need help with childcare next week"} if kind == "counselor_message" else {},
                    "needs_counselor": True,
                    "urgent": False,
                    "seen_at": None if open_item else monday + timedelta(days=1),
                    "occurred_at": monday,
                }
            )
        hours.append(
            {
                "participant_id": pid,
                "day": (monday + timedelta(days=1)).date(),
                "whole_week": False,
                "activity": "job_search",
                "hours": float(rng.choice([4, 6, 8])),
                "state": "confirmed",
                "reported_at": monday,
                "confirmed_at": monday,
            }
        )
    return messages, events, hours


def _message(pid: int, phone: str, direction: str, body: str, at: datetime) -> dict[str, Any]:
    return {
        "participant_id": pid,
        "direction": direction,
        "channel": "sms",
        "address": phone,
        "body": body,
        "media": [],
        "status": "delivered" if direction == "outbound" else "processed",
        "attempts": 0,
        "created_at": at,
        "status_at": at,
    }


def timed(get: Callable[[], Response], requests: int) -> tuple[float, float]:
    for _ in range(5):
        assert get().status_code == 200
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        get()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", type=Path, help="a file seeded by an earlier run: measure again without seeding")
    args = parser.parse_args()
    if args.database:
        folder, url = args.database.parent, f"sqlite:///{args.database}"
    else:
        folder = Path(tempfile.mkdtemp(prefix="waypoint-console-bench-"))
        url = f"sqlite:///{folder / 'waypoint.sqlite3'}"
        started = time.perf_counter()
        seed(url, args.participants, random.Random(17))
        print(f"seeded {args.participants:,} participants in {time.perf_counter() - started:.1f} s ({url})")
    service = build_service(Settings(database_url=url, documents_dir=str(folder / "documents")), lambda: NOW)
    app = create_app(service, lambda: NOW)
    with service.sessions.begin() as session:
        secret = issue_token(session, session.get_one(Counselor, DANA), "session", NOW, SESSION_LIFETIME).secret
        viewer = Viewer(DANA, "Dana Lee", secret)
        rows = caseload(session, DANA, NOW, WEEK_START)
        items = queue(session, DANA)
        page = participant_page(session, DANA, 7, NOW, False, None)
        nora = session.scalars(select(Counselor).where(Counselor.email == "nora@example.org")).one()
        nora_secret = issue_token(session, nora, "session", NOW, SESSION_LIFETIME).secret
        unit = unit_of(session, nora.id)
        period = Period.at(NOW, ZONE)
        office = OfficeHours(parse_office_hours("Mon-Fri 08:00-17:00"), ZONE, service.calendar)
        figures = unit_figures(session, unit, period)
        alerts = unit_alerts(session, unit, office, service.calendar, NOW)
    bare_context = {
        "caseload.html": {"rows": rows, "q": "", "show": "all", "sort": "name", "filters": {}, "sorts": {}},
        "queue.html": {"items": items},
        "participant.html": {"page": page, "p": page.participant, "anchor": None, "telegram_bot": None},
        "unit.html": {"unit": unit, "period": period, "figures": figures, "titles": FIGURE_TITLES, "alerts": alerts},
    }

    def bare(name: str) -> Callable[[Request], Response]:
        def render(request: Request) -> Response:
            context = {"viewer": viewer, "open_count": len(items), "urgent_count": 0, "csrf_field": "csrf"}
            context |= {"zone": ZoneInfo("America/Los_Angeles"), "notice": "", "error": "", "week_start": WEEK_START}
            response = TEMPLATES.TemplateResponse(request, name, context | bare_context[name])
            no_store(response)
            return response

        return render

    for name in bare_context:
        app.add_api_route(f"/bare/{name}", bare(name), methods=["GET"])
    print(
        f"Dana's caseload: {len(rows)} participants, {len(items)} open items; "
        f"participant page shows {len(page.transcript)} of their messages (2 years on file)"
    )
    print(f"{'page':<34}{'p50 ms':>9}{'p95 ms':>9}   bare template, no queries: p50 / p95 ms")
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        client.cookies.set(COOKIE, secret)
        for label, path, name in [
            ("caseload (150)", "/caseload", "caseload.html"),
            ("caseload, search 'rosa'", "/caseload?q=rosa", "caseload.html"),
            ("caseload, needs me, by open items", "/caseload?show=needs_me&sort=open_items", "caseload.html"),
            ("needs me queue", "/queue", "queue.html"),
            ("participant page", "/participants/7", "participant.html"),
        ]:
            p50, p95 = timed(lambda path=path: client.get(path), args.requests)
            b50, b95 = timed(lambda name=name: client.get(f"/bare/{name}"), args.requests)
            print(f"{label:<34}{p50:>9.1f}{p95:>9.1f}   {b50:.1f} / {b95:.1f}")
        client.cookies.set(COOKIE, nora_secret)
        print(
            f"Unit North: {len(figures)} counselors, {sum(f.counts[Figure.CASELOAD] for f in figures)} participants, "
            f"{len(alerts.safety)} + {len(alerts.unread)} alerts"
        )
        p50, p95 = timed(lambda: client.get("/unit"), args.requests)
        b50, b95 = timed(lambda: client.get("/bare/unit.html"), args.requests)
        print(f"{'supervisor page (10 x 150)':<34}{p50:>9.1f}{p95:>9.1f}   {b50:.1f} / {b95:.1f}")
        p50, p95 = timed(lambda: client.get("/unit/counselors/2/no_contact"), args.requests)
        print(f"{'one figure, its list (of 150)':<34}{p50:>9.1f}{p95:>9.1f}")
    service.close()


if __name__ == "__main__":
    main()
