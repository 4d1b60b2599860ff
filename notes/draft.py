"""Drafting: each closed contact becomes one draft case note per subject, from its stored facts.

Nothing here reads message text to guess what happened: the subjects, the participant's words and
the hours come from the facts the conversation flows recorded, and every sentence cites the
messages those facts came from. The drafts wait for the counselor (notes/review.py).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from casefile.base import UPSERT_INSERTS, dialect_of, table_of
from casefile.case_notes import CaseNote, NoteAudit
from casefile.contacts import DEFAULT_QUIET_SPELL, Contact, close_quiet_contacts
from casefile.facts import EventRecord
from casefile.messages import Message
from casefile.outreach import Outreach
from casefile.people import Participant
from casefile.timesheets import TimesheetEntry, week_of
from casefile.verification import verify_by
from casefile.vocabulary import Direction, EntryState, NoteState
from notes.check import check_note
from notes.render import NoteRenderer, RenderedNote

#: Which note a fact belongs in. Kinds not listed (an answered or edited outreach, a counselor
#: task) are the scheduler's bookkeeping, not something that happened in the contact.
SUBJECT_OF_KIND = {
    "safety_concern": "safety",
    **dict.fromkeys(
        [
            "goal_set",
            "goal_confirmed",
            "goal_revised",
            "goal_reached",
            "step_planned",
            "step_done",
            "step_missed",
            "date_revised",
            "step_changed",
        ],
        "checkin",
    ),
    **dict.fromkeys(["barrier_raised", "support_requested"], "barrier"),
    **dict.fromkeys(["hours_reported", "hours_corrected", "hours_confirmed", "hours_short"], "hours"),
    **dict.fromkeys(["document_received", "document_not_fetched"], "document"),
    "counselor_message": "counselor_message",
    **dict.fromkeys(
        ["consent_confirmed", "opted_out", "opted_in", "stop_request_flagged", "language_changed"], "consent"
    ),
    "outreach_attempt": "outreach",
    **dict.fromkeys(["handoff_requested", "handoff_message", "counselor_alerted", "handoff_closed"], "handoff"),
}
#: The order a counselor reads one contact's notes in: what cannot wait first.
SUBJECTS = (
    "safety",
    "handoff",
    "checkin",
    "barrier",
    "hours",
    "document",
    "counselor_message",
    "consent",
    "outreach",
    "contact",
)
METHODS = {"sms": "Text message (SMS)", "telegram": "Telegram chat", "console": "Chat through the Waypoint console"}
#: What each outreach rule's text was for, as a note says it (scheduler/rules.toml names the rules).
RULE_PURPOSES = {
    "welcome": "welcome text",
    "check_in": "weekly check-in text",
    "step_due": "reminder of a step due",
    "hours_due": "reminder to report hours",
    "hours_missing": "second reminder to report hours",
    "reengage": "re-engagement text",
    "sanctioned_monthly": "monthly text about the benefits of taking part",
    "exit_follow_up": "follow-up text after exit",
}
#: A draft not reviewed within this many business days is late (DOMAIN.md: within 1 business day).
REVIEW_BUSINESS_DAYS = 1
BATCH = 500


class BusinessDays(Protocol):
    """The county's working calendar (scheduler.timing.Calendar is one)."""

    def add_business_days(self, day: date, days: int) -> date: ...


@dataclass(frozen=True)
class FactView:
    kind: str
    data: dict[str, Any]
    #: The message the fact came from, as a list so templates can add them up.
    ids: list[int]


@dataclass
class ContactFile:
    """What the drafter reads about one closed contact."""

    id: int
    participant_id: int
    language: str
    time_zone: str
    channel: str
    opened_at: datetime
    last_message_at: datetime
    message_ids: list[int] = field(default_factory=list)
    inbound_ids: list[int] = field(default_factory=list)
    #: Outreach texts of the contact: message id and rule.
    outreach: list[tuple[int, str]] = field(default_factory=list)
    facts: list[FactView] = field(default_factory=list)
    #: Confirmed hours of the weeks this contact's report touched: week start -> (participated, excused, message ids).
    weeks: dict[date, tuple[float, float, list[int]]] = field(default_factory=dict)
    weekly_required: int = 0


@dataclass(frozen=True)
class NoteDraft:
    participant_id: int
    #: None for a note on records rather than one contact (the monthly hours verification).
    contact_id: int | None
    subject: str
    occurrence: str
    contact_date: date
    note: RenderedNote
    problems: list[str]


def subjects_of(file: ContactFile) -> dict[str, list[FactView]]:
    """The contact's facts by note subject, in reading order; a contact in which the participant
    wrote but nothing was recorded still gets a note, and outreach gets one only if unanswered."""
    grouped: dict[str, list[FactView]] = defaultdict(list)
    for fact in file.facts:
        subject = SUBJECT_OF_KIND.get(fact.kind)
        if subject is not None:
            grouped[subject].append(fact)
    if file.inbound_ids:
        grouped.pop("outreach", None)
        if not grouped:
            grouped["contact"] = []
    return {subject: grouped[subject] for subject in SUBJECTS if subject in grouped}


def draft_contact(file: ContactFile, renderer: NoteRenderer) -> list[NoteDraft]:
    zone = ZoneInfo(file.time_zone)
    day = file.opened_at.astimezone(zone).date()
    contact = {
        "date": day,
        "method": METHODS.get(file.channel, file.channel),
        "language": file.language,
        "message_ids": file.message_ids,
        "inbound_ids": file.inbound_ids,
        "outreach": [RULE_PURPOSES.get(rule, "scheduled text") for _, rule in file.outreach],
        "outreach_ids": [message_id for message_id, _ in file.outreach],
    }
    subjects = subjects_of(file)
    documents = [fact for fact in file.facts if fact.kind == "document_received"]
    drafts = []
    for subject, facts in subjects.items():
        context = {
            "contact": contact,
            "facts": facts,
            "documents": documents,
            "barriers": subjects.get("barrier", []),
        }
        if subject == "hours":
            context |= _hours_context(file, facts)
        note = renderer.render(subject, context)
        problems = check_note(note.title, note.body, day)
        drafts.append(NoteDraft(file.participant_id, file.id, subject, str(file.id), day, note, problems))
    return drafts


def _hours_context(file: ContactFile, facts: list[FactView]) -> dict[str, Any]:
    days = [date.fromisoformat(line["day"]) for fact in facts for line in fact.data.get("lines", ())]
    last = max(days, default=file.opened_at.date())
    weeks = [
        {
            "start": start,
            "participated": totals[0],
            "excused": totals[1],
            "required": file.weekly_required,
            "ids": totals[2],
        }
        for start, totals in sorted(file.weeks.items())
    ]
    return {"weeks": weeks, "verify_by": verify_by(last)}


# --- The job: close quiet contacts, draft the closed ones --------------------------------------------

_CONTACTS = table_of(Contact)
_MESSAGES = table_of(Message)
_NOTES = table_of(CaseNote)


def draft_closed_contacts(
    sessions: sessionmaker[Session],
    renderer: NoteRenderer,
    calendar: BusinessDays,
    now: datetime,
    quiet_spell: timedelta = DEFAULT_QUIET_SPELL,
    batch: int = BATCH,
) -> int:
    """Close the contacts that have gone quiet, then draft every closed contact not drafted yet, a
    batch per transaction; the number of drafts made."""
    with sessions.begin() as session:
        close_quiet_contacts(session, now, quiet_spell)
    drafted = 0
    while True:
        with sessions.begin() as session:
            ids = session.scalars(
                select(_CONTACTS.c.id)
                .where(_CONTACTS.c.drafted_at.is_(None), _CONTACTS.c.closed_at.is_not(None))
                .order_by(_CONTACTS.c.id)
                .limit(batch)
            ).all()
            if not ids:
                return drafted
            files = load_contacts(session, ids)
            # Drafted now, so due at one moment per time zone.
            due = {zone: review_due(calendar, now, zone) for zone in {file.time_zone for file in files}}
            rows = [
                note_row(draft, due[file.time_zone], now) for file in files for draft in draft_contact(file, renderer)
            ]
            drafted += insert_notes(session, rows, now)
            session.execute(update(_CONTACTS).where(_CONTACTS.c.id.in_(ids)).values(drafted_at=now))


def load_contacts(session: Session, ids: Sequence[int]) -> list[ContactFile]:
    """Everything the drafts of these contacts need, in one query per table."""
    people = table_of(Participant)
    rows = session.execute(
        select(
            _CONTACTS.c.id,
            _CONTACTS.c.participant_id,
            _CONTACTS.c.channel,
            _CONTACTS.c.opened_at,
            _CONTACTS.c.last_message_at,
            people.c.language,
            people.c.time_zone,
            people.c.weekly_required_hours,
        )
        .join(people, people.c.id == _CONTACTS.c.participant_id)
        .where(_CONTACTS.c.id.in_(ids))
        .order_by(_CONTACTS.c.id)
    ).all()
    files = {
        row.id: ContactFile(
            row.id,
            row.participant_id,
            row.language,
            row.time_zone,
            row.channel,
            row.opened_at,
            row.last_message_at,
            weekly_required=row.weekly_required_hours,
        )
        for row in rows
    }
    outreach = table_of(Outreach)
    messages = session.execute(
        select(_MESSAGES.c.id, _MESSAGES.c.contact_id, _MESSAGES.c.direction, outreach.c.rule)
        .outerjoin(outreach, outreach.c.id == _MESSAGES.c.outreach_id)
        .where(_MESSAGES.c.contact_id.in_(ids))
        .order_by(_MESSAGES.c.id)
    ).all()
    for message in messages:
        file = files[message.contact_id]
        file.message_ids.append(message.id)
        if message.direction == Direction.INBOUND:
            file.inbound_ids.append(message.id)
        if message.rule is not None:
            file.outreach.append((message.id, message.rule))
    events = table_of(EventRecord)
    for event in session.execute(
        select(events.c.contact_id, events.c.kind, events.c.payload, events.c.message_id)
        .where(events.c.contact_id.in_(ids))
        .order_by(events.c.id)
    ):
        ids_of = [event.message_id] if event.message_id is not None else []
        files[event.contact_id].facts.append(FactView(event.kind, event.payload, ids_of))
    _load_weeks(session, [file for file in files.values() if any(f.kind == "hours_confirmed" for f in file.facts)])
    return list(files.values())


def _load_weeks(session: Session, files: list[ContactFile]) -> None:
    """The confirmed totals of every week an hours report in these contacts touched, as they stood
    when the contact ended: a later report belongs in a later note."""
    if not files:
        return
    weeks_of: dict[int, set[date]] = defaultdict(set)
    for file in files:
        for fact in file.facts:
            for line in fact.data.get("lines", ()) if fact.kind == "hours_confirmed" else ():
                weeks_of[file.id].add(week_of(date.fromisoformat(line["day"])).start)
    entries = table_of(TimesheetEntry)
    confirmed = session.execute(
        select(
            entries.c.participant_id,
            entries.c.day,
            entries.c.hours,
            entries.c.excuse,
            entries.c.confirmed_message_id,
            entries.c.confirmed_at,
        ).where(
            entries.c.participant_id.in_({file.participant_id for file in files}),
            entries.c.state == EntryState.CONFIRMED,
            entries.c.day >= min(start for starts in weeks_of.values() for start in starts),
        )
    ).all()
    by_participant: dict[int, list[Any]] = defaultdict(list)
    for entry in confirmed:
        by_participant[entry.participant_id].append(entry)
    for file in files:
        for start in sorted(weeks_of[file.id]):
            in_week = [
                entry
                for entry in by_participant[file.participant_id]
                if week_of(entry.day).start == start and entry.confirmed_at <= file.last_message_at
            ]
            file.weeks[start] = (
                sum(entry.hours for entry in in_week if not entry.excuse),
                sum(entry.hours for entry in in_week if entry.excuse),
                sorted({entry.confirmed_message_id for entry in in_week if entry.confirmed_message_id is not None}),
            )


def insert_notes(session: Session, rows: list[dict[str, Any]], now: datetime) -> int:
    """Insert drafts, each with an audit record; a draft already made for the same participant,
    subject and occurrence is left alone (drafting twice, or from two processes). The number inserted."""
    if not rows:
        return 0
    statement = UPSERT_INSERTS[dialect_of(session)](_NOTES).on_conflict_do_nothing(
        index_elements=["participant_id", "subject", "occurrence"]
    )
    inserted = session.execute(statement.returning(_NOTES.c.id, _NOTES.c.draft_body), rows).all()
    if inserted:
        session.execute(
            insert(table_of(NoteAudit)),
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


def note_row(draft: NoteDraft, due_at: datetime, now: datetime) -> dict[str, Any]:
    return {
        "participant_id": draft.participant_id,
        "contact_id": draft.contact_id,
        "subject": draft.subject,
        "occurrence": draft.occurrence,
        "title": draft.note.title,
        "contact_date": draft.contact_date,
        "draft_body": draft.note.body,
        "sources": draft.note.sources(),
        "problems": draft.problems,
        "state": NoteState.DRAFT,
        "drafted_at": now,
        "due_at": due_at,
        "final_body": None,
        "edited": False,
        "reviewed_by": None,
        "reviewed_at": None,
        "reject_reason": None,
    }


def review_due(calendar: BusinessDays, drafted_at: datetime, time_zone: str) -> datetime:
    """The end of the next business day on the participant's clock: after it, the draft is late."""
    zone = ZoneInfo(time_zone)
    day = calendar.add_business_days(drafted_at.astimezone(zone).date(), REVIEW_BUSINESS_DAYS)
    return datetime.combine(day + timedelta(days=1), time.min, zone)
