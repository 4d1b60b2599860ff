"""Drafting: each closed contact becomes one draft case note per subject, from its stored facts.

The subjects, the participant's words and the hours come from the facts the conversation flows
recorded, and every sentence cites the messages those facts came from. What no fact recorded is
quoted for the counselor, and news in passing (a job, a move, a court date) gets a note of its own
(notes/said.py). A subject is written by its builder (notes/subjects_*.py); a subject that has only
a template, templates/notes/<subject>.txt, is rendered from it (notes/render.py): adding a subject
takes one entry in SUBJECT_OF_KIND and SUBJECTS, and a builder or a template. The drafts wait for
the counselor (notes/review.py).
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from casefile.base import table_of
from casefile.case_notes import CaseNote
from casefile.contacts import DEFAULT_QUIET_SPELL, Contact, close_quiet_contacts
from casefile.database import reading
from casefile.vocabulary import NoteState
from notes import attempts, subjects_contact, subjects_plan
from notes.check import check_note
from notes.compose import METHODS, RULE_PURPOSES, BusinessDays, NoteBuilder, NoteContext, finish
from notes.load import ContactFile, FactView, load_contacts
from notes.render import NoteRenderer, RenderedNote
from notes.said import life_events, unrecorded
from notes.writes import insert_notes, write_in_turns

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
    "life_event",
    "checkin",
    "barrier",
    "hours",
    "document",
    "counselor_message",
    "consent",
    "outreach",
    "contact",
)
#: A draft not reviewed within this many business days is late (DOMAIN.md: within 1 business day).
REVIEW_BUSINESS_DAYS = 1
BATCH = 500


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


BUILDERS: dict[str, Callable[[NoteContext, list[FactView]], NoteBuilder]] = {
    "safety": subjects_contact.safety,
    "life_event": subjects_contact.life_event,
    "checkin": subjects_plan.checkin,
    "barrier": subjects_plan.barrier,
    "hours": subjects_plan.hours,
    "document": subjects_contact.document,
    "counselor_message": subjects_contact.counselor_message,
    "consent": subjects_contact.consent,
    "outreach": subjects_contact.outreach,
    "contact": subjects_contact.contact,
}


def subjects_of(file: ContactFile, has_life_events: bool = False) -> dict[str, list[FactView]]:
    """The contact's facts by note subject, in reading order. A contact in which the participant
    wrote but nothing was recorded still gets a note; unanswered outreach waits for the attempts log. The
    first YES to texts is not a note of its own when the contact has another: it is said there."""
    grouped: dict[str, list[FactView]] = defaultdict(list)
    for fact in file.facts:
        subject = SUBJECT_OF_KIND.get(fact.kind)
        if subject is not None:
            grouped[subject].append(fact)
    if has_life_events:
        grouped["life_event"] = []
    # Unanswered texts go in the month's attempts log (notes/attempts.py), not a note each.
    grouped.pop("outreach", None)
    if file.inbound and not grouped:
        grouped["contact"] = []
    return {subject: grouped[subject] for subject in SUBJECTS if subject in grouped}


def draft_contact(file: ContactFile, renderer: NoteRenderer, calendar: BusinessDays) -> list[NoteDraft]:
    day = file.opened_at.astimezone(ZoneInfo(file.time_zone)).date()
    events = life_events(file)
    newsworthy = {text.id for text, found in events if found}
    context = NoteContext(file, day, {}, calendar, events, [t for t in unrecorded(file) if t.id not in newsworthy])
    context.subjects = subjects_of(file, bool(newsworthy))
    folded = _folded_consent(context.subjects)
    # Notes of a contact in time order of what they are about; what cannot wait (safety) first.
    order = sorted(
        context.subjects, key=lambda subject: _first_message(subject, context) if subject != "safety" else -1
    )
    main = next((subject for subject in order if subject not in ("safety", "life_event")), order[0] if order else None)
    drafts = []
    for subject in order:
        facts = context.subjects[subject]
        builder = BUILDERS.get(subject)
        if builder is None:
            note = renderer.render(subject, template_context(context, facts))
        else:
            written = builder(context, facts)
            if subject == main and folded:
                subjects_contact.consent_sentences(context, written, folded)
            note = finish(context, written, subject == main)
        problems = check_note(note.title, note.body, day, [sentence.text for sentence in note.sentences])
        drafts.append(NoteDraft(file.participant_id, file.id, subject, str(file.id), day, note, problems))
    return drafts


def _folded_consent(subjects: dict[str, list[FactView]]) -> list[FactView]:
    """The consent YES, taken out of its own note when another note of the contact can carry it."""
    consent = subjects.get("consent", [])
    others = [subject for subject in subjects if subject not in ("consent", "safety")]
    if consent and others and all(fact.kind == "consent_confirmed" for fact in consent):
        del subjects["consent"]
        return consent
    return []


def _first_message(subject: str, context: NoteContext) -> int:
    if subject == "life_event":
        return min(text.id for text, found in context.events if found)
    ids = [i for fact in context.subjects[subject] for i in fact.content_ids]
    return min(ids, default=context.file.message_ids[0] if context.file.message_ids else 0)


def template_context(context: NoteContext, facts: list[FactView]) -> dict[str, Any]:
    """What a subject's Jinja2 template sees (templates/notes/_note.txt documents it)."""
    file = context.file
    return {
        "contact": {
            "date": context.day,
            "method": METHODS.get(file.channel, file.channel),
            "language": file.language,
            "message_ids": file.message_ids,
            "inbound_ids": file.inbound_ids,
            "outreach": [RULE_PURPOSES.get(text.rule, "scheduled text") for text in file.outreach],
            "outreach_ids": [text.message_id for text in file.outreach],
            "action_due": context.action_due(),
        },
        "facts": facts,
        "documents": context.facts("document_received"),
        "barriers": context.subjects.get("barrier", []),
    }


# --- The job: close quiet contacts, draft the closed ones --------------------------------------------

_CONTACTS = table_of(Contact)
#: Built once: building an IN over a step's ids each time cost more CPU than the update itself.
#: A mark another process made stays. Not a `drafted_at IS NULL` condition: SQLite would then
#: search every undrafted contact by ix_contacts_to_draft, not the ids.
_MARK_DRAFTED = (
    update(_CONTACTS)
    .where(_CONTACTS.c.id.in_(bindparam("ids", expanding=True)))
    .values(drafted_at=func.coalesce(_CONTACTS.c.drafted_at, bindparam("now", type_=_CONTACTS.c.drafted_at.type)))
)
_NOTES = table_of(CaseNote)


def draft_closed_contacts(
    sessions: sessionmaker[Session],
    renderer: NoteRenderer,
    calendar: BusinessDays,
    now: datetime,
    quiet_spell: timedelta = DEFAULT_QUIET_SPELL,
    batch: int = BATCH,
    stopping: Callable[[], bool] = lambda: False,
) -> int:
    """Close the contacts that have gone quiet, then draft every closed contact not drafted yet, then
    the outreach attempts logs that are due; the number of drafts made. A batch is read and drafted
    in a read-only transaction (on SQLite it holds no write lock, so webhook messages go on), then
    written a few contacts per short transaction, each contact's notes with its mark: a process
    killed in between leaves every contact either drafted and marked or neither, and the next run
    drafts only the latter. `stopping` is asked between batches: a service shutting down leaves the
    rest for its next run."""
    with sessions.begin() as session:
        close_quiet_contacts(session, now, quiet_spell)
    drafted, after = 0, 0
    while not stopping():
        with reading(sessions) as session:
            ids = session.scalars(
                select(_CONTACTS.c.id)
                .where(_CONTACTS.c.drafted_at.is_(None), _CONTACTS.c.closed_at.is_not(None), _CONTACTS.c.id > after)
                .order_by(_CONTACTS.c.id)
                .limit(batch)
            ).all()
            if not ids:
                break
            files = load_contacts(session, ids)
        after = ids[-1]
        # Drafted now, so due at one moment per time zone.
        due = {zone: review_due(calendar, now, zone) for zone in {file.time_zone for file in files}}
        drafts = {
            file.id: [note_row(draft, due[file.time_zone], now) for draft in draft_contact(file, renderer, calendar)]
            for file in files
        }
        drafted += write_in_turns(sessions, ids, partial(_store_contacts, drafts=drafts, now=now))
    last: int | None = 0
    while last is not None and not stopping():
        with reading(sessions) as session:
            logs, last = attempts.write_logs(session, calendar, now, last)
        drafted += write_in_turns(sessions, logs, partial(_store_logs, calendar=calendar, now=now))
    return drafted


def _store_contacts(
    session: Session, ids: Sequence[int], drafts: dict[int, list[dict[str, Any]]], now: datetime
) -> int:
    """Contacts' notes with their marks (a contact drafted and marked, or neither)."""
    drafted = insert_notes(session, [row for contact_id in ids for row in drafts.get(contact_id, [])], now)
    session.execute(_MARK_DRAFTED, {"ids": list(ids), "now": now})
    return drafted


def _store_logs(session: Session, logs: Sequence[attempts.LogDraft], calendar: BusinessDays, now: datetime) -> int:
    """Outreach attempts logs with their marks."""
    rows = [
        note_row(
            NoteDraft(
                d.log.participant_id, None, attempts.SUBJECT, d.log.occurrence, d.contact_date, d.note, d.problems
            ),
            review_due(calendar, now, d.log.time_zone),
            now,
        )
        for d in logs
        if d.note is not None
    ]
    drafted = insert_notes(session, rows, now)
    attempts.mark_logged(session, [d.log for d in logs], now)
    return drafted


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
