"""A few weeks of a caseload's life for `waypoint demo`, made by the service itself.

The conversations are replayed through the real inbox and engine on a clock that starts weeks ago,
outreach goes through the real sweep and dispatcher (to a sender that only records), and notes are
drafted by the real notes job: what a county sees in the demo is what the service does, not rows
written to look like it. Jordan and Guadalupe (bot.demo) stay new, for the README's chat examples.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.app import Service
from bot.channels.console.chat import send_line
from bot.demo import DemoParticipant, enrol_demo
from bot.inbox import Inbox
from casefile.enrolment import add_counselor
from casefile.people import Counselor, find_counselor_by_email, find_participant_by_phone
from casefile.vocabulary import Activity, FamilyType, Language, NoteState, Role
from notes import review

DEMO_SUPERVISOR_EMAIL = "sam.ortiz@example.org"
DEMO_UNIT = "North"


#: Who the history is about, and how many days before today each was enrolled.
PEOPLE = (
    (DemoParticipant("Maria", "Lopez", "+15105550102", Language.ENGLISH, FamilyType.ONE_PARENT,
                     (Activity.JOB_SEARCH, Activity.EMPLOYMENT)), 24),
    (DemoParticipant("Keisha", "Brown", "+15105550103", Language.ENGLISH, FamilyType.ONE_PARENT,
                     (Activity.EDUCATION,)), 20),
    (DemoParticipant("Tomás", "Herrera", "+15105550104", Language.SPANISH, FamilyType.TWO_PARENT,
                     (Activity.JOB_SEARCH,)), 22),
    (DemoParticipant("Ana", "Cruz", "+15105550105", Language.SPANISH, FamilyType.ONE_PARENT,
                     (Activity.JOB_SEARCH,)), 60),
    (DemoParticipant("Marcus", "Reed", "+15105550106", Language.ENGLISH, FamilyType.ONE_PARENT,
                     (Activity.JOB_SEARCH, Activity.EDUCATION)), 9),
)


@dataclass(frozen=True)
class Exchange:
    """Texts one participant sent in one sitting, `days_ago` at `hour` on their clock."""

    phone: str
    days_ago: int
    hour: int
    texts: tuple[str, ...]


EXCHANGES = (
    Exchange("+15105550102", 23, 10, ("hi", "YES", "1", "get a job as a medical assistant", "ok", "I get hired",
                                     "in 3 months", "yes", "finish my resume", "in 1 week", "yes",
                                     "apply to 3 clinics", "in 2 weeks", "no")),
    Exchange("+15105550103", 19, 16, ("YES",)),
    Exchange("+15105550104", 21, 11, ("hola", "SÍ", "2", "trabajé 6 horas hoy", "1", "sí")),
    Exchange("+15105550102", 16, 18, ("done", "2", "8 hrs mon 6 tue 4 wed", "1", "yes")),
    Exchange("+15105550104", 14, 12, ("2", "trabajé 5 horas hoy", "1", "sí")),
    Exchange("+15105550103", 12, 9, ("3", "Can you call me about the bus pass? My card ran out")),
    Exchange("+15105550102", 9, 17, ("2", "5 hrs mon 4 tue", "1", "yes")),
    Exchange("+15105550106", 8, 15, ("YES",)),
    # A short week and a step that got stuck: childcare, and Dana's help asked for.
    Exchange("+15105550102", 6, 10, ("1", "3", "1", "yes", "1", "next friday")),
    Exchange("+15105550103", 2, 17, ("2", "3 hours school today", "yes")),
    Exchange("+15105550104", 1, 10, ("3", "Necesito hablar con usted sobre el horario de la escuela de mi hijo")),
)


class DemoClock:
    """The clock the history is made on: moved by hand from weeks ago up to now."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class RecordingSender:
    """The demo's SMS sender: it takes every text and sends nothing (no Twilio account needed)."""

    def send(self, address: str, body: str) -> str:
        return f"SMdemo{uuid.uuid4().hex[:26]}"


def seed_demo_history(service: Service, dana_email: str, now: datetime) -> bool:
    """Add the demo's weeks of history unless they are there already; True if they were added."""
    zone = ZoneInfo(service.settings.timezone)
    clock = DemoClock(now - timedelta(days=max(days for _, days in PEOPLE)))
    with service.sessions.begin() as session:
        if find_participant_by_phone(session, PEOPLE[0][0].phone) is not None:
            return False
        dana = find_counselor_by_email(session, dana_email)
        assert dana is not None, "seed the demo caseload first (bot.demo.seed_demo)"
        _make_unit(session, dana, clock())
        for person, days_ago in PEOPLE:
            enrol_demo(session, person, dana, service.settings.timezone, now - timedelta(days=days_ago))
    # A service on the demo's clock: the same parts, the texts "sent" by a recorder.
    past = replace(service, clock=clock, sms=RecordingSender(), inbox=_inbox_on(service, clock))
    for exchange in sorted(EXCHANGES, key=lambda e: -e.days_ago):
        day = (now - timedelta(days=exchange.days_ago)).astimezone(zone).date()
        _run_jobs_until(past, clock, datetime.combine(day, time(exchange.hour), zone))
        for text in exchange.texts:
            send_line(past.inbox, exchange.phone, text, clock)
            clock.now += timedelta(minutes=2)
    _run_jobs_until(past, clock, now)
    _approve_all_but_the_recent(service, dana_email, now)
    return True


def _make_unit(session: Session, dana: Counselor, at: datetime) -> None:
    dana.unit = DEMO_UNIT
    sam = add_counselor(session, "Sam", "Ortiz", DEMO_SUPERVISOR_EMAIL, "+15105550198", at)
    sam.role, sam.unit = Role.SUPERVISOR, DEMO_UNIT


def _inbox_on(service: Service, clock: Callable[[], datetime]) -> Inbox:
    stops = frozenset(rule.name for rule in service.rules if rule.stop_on_reply)
    return Inbox(service.sessions, service.renderer, clock, stops, service.office)


def _run_jobs_until(service: Service, clock: DemoClock, until: datetime) -> None:
    """Move the clock on half a day at a time, running the jobs as `serve` would between texts."""
    while clock.now < until:
        clock.now = min(until, clock.now + timedelta(hours=12))
        service.sweep()
        service.dispatch(workers=1)
        service.draft_notes()


def _approve_all_but_the_recent(service: Service, dana_email: str, now: datetime) -> None:
    """Dana has kept up with her queue until two days ago, save one draft she let go late."""
    with service.sessions.begin() as session:
        dana = find_counselor_by_email(session, dana_email)
        assert dana is not None
        drafts = [note for note, _ in review.queue(session, dana, now) if note.state is NoteState.DRAFT]
        older = [note for note in drafts if now - note.drafted_at > timedelta(days=2) and not note.problems]
        for note in older[1:]:
            review.approve(session, dana, note.id, now - timedelta(days=2))

