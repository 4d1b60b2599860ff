"""The outreach attempts log: one note per participant per month for the texts that got no reply,
instead of one note per text (seed 004: every attempt is documented; a notice that gets no reply
is not a contact). A month's log is drafted when the month has ended on the participant's clock, or
earlier when the participant answers: then it covers the attempts before the answer.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from casefile.base import table_of
from casefile.contacts import Contact
from casefile.facts import EventRecord
from casefile.messages import Message
from casefile.outreach import TASK_ACTIONS, Outreach, OutreachTaskDone, ReengagementTask
from casefile.people import Participant
from casefile.vocabulary import Direction
from notes.check import check_note
from notes.compose import (
    DATE,
    DOCUMENTS,
    EFFECT,
    METHOD,
    METHODS,
    NEXT,
    OBSTACLES,
    PURPOSE,
    REPORTED,
    RULE_PURPOSES,
    WHO,
    BusinessDays,
    NoteBuilder,
)
from notes.render import RenderedNote, us_date

SUBJECT = "attempts"
_CONTACTS = table_of(Contact)
_MESSAGES = table_of(Message)
_EVENTS = table_of(EventRecord)


@dataclass
class Attempt:
    message_id: int
    at: datetime
    channel: str
    rule: str | None
    outcome: str = "sent"
    code: str | None = None


@dataclass
class AttemptLog:
    participant_id: int
    time_zone: str
    month: date
    contact_ids: list[int] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    #: When the participant answered (the log then ends there), if they did.
    answered_on: date | None = None
    answer_contact_id: int | None = None
    tasks: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)
    #: The counselor's calls, letters and visits recorded that month, with what came of them.
    follow_ups: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)

    @property
    def occurrence(self) -> str:
        month = self.month.strftime("%Y-%m")
        return f"{month} to contact {self.answer_contact_id}" if self.answer_contact_id else month


#: Participants whose logs are written in one transaction: a county's month-end is a few thousand
#: statements' worth of ids, past SQLite's limit on the variables of one statement if taken at once.
PARTICIPANTS_PER_BATCH = 200


def due_logs(
    session: Session, now: datetime, after: int = 0, limit: int = PARTICIPANTS_PER_BATCH
) -> tuple[list[AttemptLog], int | None]:
    """The logs that can be written now: unanswered outreach contacts not yet logged, by participant
    and month, whose month has ended or which the participant has since answered; for the next
    `limit` participants after the id `after`, with the last id looked at (None: none were left)."""
    inbound = exists().where(_MESSAGES.c.contact_id == _CONTACTS.c.id, _MESSAGES.c.direction == Direction.INBOUND)
    unlogged = (
        _CONTACTS.c.drafted_at.is_not(None),
        _CONTACTS.c.attempts_logged_at.is_(None),
        _CONTACTS.c.opened_by == "outreach",
    )
    batch = session.scalars(
        select(_CONTACTS.c.participant_id)
        .where(*unlogged, _CONTACTS.c.participant_id > after)
        .group_by(_CONTACTS.c.participant_id)
        .order_by(_CONTACTS.c.participant_id)
        .limit(limit)
    ).all()
    if not batch:
        return [], None
    people = table_of(Participant)
    pending = session.execute(
        select(_CONTACTS.c.id, _CONTACTS.c.participant_id, _CONTACTS.c.opened_at, people.c.time_zone)
        .join(people, people.c.id == _CONTACTS.c.participant_id)
        .where(*unlogged, _CONTACTS.c.participant_id.in_(batch), ~inbound)
        .order_by(_CONTACTS.c.participant_id, _CONTACTS.c.opened_at)
    ).all()
    groups: dict[tuple[int, date], AttemptLog] = {}
    opened: dict[int, datetime] = {}
    for row in pending:
        month = row.opened_at.astimezone(ZoneInfo(row.time_zone)).date().replace(day=1)
        log = groups.setdefault((row.participant_id, month), AttemptLog(row.participant_id, row.time_zone, month))
        log.contact_ids.append(row.id)
        opened[row.id] = row.opened_at
    answers = _answers(session, {participant for participant, _ in groups})
    ready = []
    for log in groups.values():
        local_now = now.astimezone(ZoneInfo(log.time_zone)).date()
        month_over = (local_now.year, local_now.month) > (log.month.year, log.month.month)
        # Each answer closes the log of the attempts before it; the attempts after the month's last
        # answer wait for the month's end. All in one pass, so that none waits for the next run.
        remaining = sorted(log.contact_ids, key=lambda contact_id: opened[contact_id])
        while remaining:
            first = opened[remaining[0]]
            answer = next((a for a in answers.get(log.participant_id, []) if a[1] > first), None)
            if answer is None:
                if month_over:
                    ready.append(AttemptLog(log.participant_id, log.time_zone, log.month, remaining))
                break
            before = [contact_id for contact_id in remaining if opened[contact_id] < answer[1]]
            answered = AttemptLog(log.participant_id, log.time_zone, log.month, before)
            answered.answer_contact_id = answer[0]
            answered.answered_on = answer[1].astimezone(ZoneInfo(log.time_zone)).date()
            ready.append(answered)
            remaining = remaining[len(before) :]
    _load_attempts(session, ready)
    return ready, batch[-1]


def _answers(session: Session, participants: set[int]) -> dict[int, list[tuple[int, datetime]]]:
    """Each participant's drafted contacts in which they wrote, oldest first."""
    if not participants:
        return {}
    inbound = exists().where(_MESSAGES.c.contact_id == _CONTACTS.c.id, _MESSAGES.c.direction == Direction.INBOUND)
    rows = session.execute(
        select(_CONTACTS.c.id, _CONTACTS.c.participant_id, _CONTACTS.c.opened_at)
        .where(_CONTACTS.c.participant_id.in_(participants), _CONTACTS.c.drafted_at.is_not(None), inbound)
        .order_by(_CONTACTS.c.opened_at)
    ).all()
    found: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for row in rows:
        found[row.participant_id].append((row.id, row.opened_at))
    return found


def _load_attempts(session: Session, logs: list[AttemptLog]) -> None:
    by_contact = {contact_id: log for log in logs for contact_id in log.contact_ids}
    if not by_contact:
        return
    outreach = table_of(Outreach)
    for message in session.execute(
        select(_MESSAGES.c.id, _MESSAGES.c.contact_id, _MESSAGES.c.created_at, _MESSAGES.c.channel, outreach.c.rule)
        .outerjoin(outreach, outreach.c.id == _MESSAGES.c.outreach_id)
        .where(_MESSAGES.c.contact_id.in_(list(by_contact)), _MESSAGES.c.direction == Direction.OUTBOUND)
        .order_by(_MESSAGES.c.created_at, _MESSAGES.c.id)
    ):
        by_contact[message.contact_id].attempts.append(
            Attempt(message.id, message.created_at, str(message.channel), message.rule)
        )
    attempts = {attempt.message_id: attempt for log in logs for attempt in log.attempts}
    for event in session.execute(
        select(_EVENTS.c.message_id, _EVENTS.c.payload).where(
            _EVENTS.c.contact_id.in_(list(by_contact)), _EVENTS.c.kind == "outreach_attempt"
        )
    ):
        attempt = attempts.get(event.message_id)
        if attempt is not None:
            attempt.outcome, attempt.code = event.payload.get("outcome", "sent"), event.payload.get("code")
    by_participant = defaultdict(list)
    for log in logs:
        by_participant[log.participant_id].append(log)
    for task in session.execute(
        select(_EVENTS.c.participant_id, _EVENTS.c.occurred_at, _EVENTS.c.payload, _EVENTS.c.kind).where(
            _EVENTS.c.participant_id.in_(list(by_participant)),
            _EVENTS.c.kind.in_([ReengagementTask.kind, OutreachTaskDone.kind]),
        )
    ):
        for log in by_participant[task.participant_id]:
            local = task.occurred_at.astimezone(ZoneInfo(log.time_zone)).date()
            if (local.year, local.month) == (log.month.year, log.month.month):
                kept = log.tasks if task.kind == ReengagementTask.kind else log.follow_ups
                kept.append((task.occurred_at, task.payload))


def attempts_note(log: AttemptLog, action_due: date) -> RenderedNote:
    zone = ZoneInfo(log.time_zone)
    count = len(log.attempts)
    month = log.month.strftime("%B %Y")
    ids = [attempt.message_id for attempt in log.attempts]
    outcome = f"answered {us_date(log.answered_on)}" if log.answered_on else "no reply"
    note = NoteBuilder(f"Outreach attempts log, {month}: {count} text{'s' if count != 1 else ''}, {outcome}")
    first, last = (log.attempts[0].at.astimezone(zone), log.attempts[-1].at.astimezone(zone)) if ids else (None, None)
    span = f" from {us_date(first.date())} to {us_date(last.date())}" if first and last else ""
    note.say(DATE, f"No two-way contact; {count} attempt{'s' if count != 1 else ''}{span}.", ids)
    methods = sorted({METHODS.get(attempt.channel, attempt.channel) for attempt in log.attempts})
    note.say(METHOD, f"{', '.join(methods) or 'Text message'}.", ids)
    note.say(WHO, "The Waypoint text service sent automated messages; the counselor did not take part.")
    note.say(PURPOSE, "Scheduled outreach and re-engagement texts; a text that gets no reply is not a contact.")
    for attempt in log.attempts:
        local = attempt.at.astimezone(zone)
        what = RULE_PURPOSES.get(attempt.rule or "", "scheduled text")
        result = "not delivered" if attempt.outcome == "failed" else "sent, no reply"
        text = f"{us_date(local.date())} {local:%I:%M %p}, {METHODS.get(attempt.channel, attempt.channel)}: {what}; {result}."
        note.say(REPORTED, text, [attempt.message_id])
    if log.answered_on:
        note.say(REPORTED, f"The participant answered on {us_date(log.answered_on)}; that contact has its own notes.")
    for attempt in log.attempts:
        if attempt.outcome == "failed":
            note.say(
                OBSTACLES, f"The text was not delivered (provider code {attempt.code or 'none'}).", [attempt.message_id]
            )
    for at, done in sorted(log.follow_ups, key=lambda follow_up: follow_up[0]):
        what = TASK_ACTIONS.get(str(done.get("action")), "followed up")
        note.say(OBSTACLES, f"On {us_date(at.astimezone(zone).date())} the counselor {what}: {done.get('result', '')}")
    if not note.says(OBSTACLES):
        note.say(OBSTACLES, "None known.")
    for at, task in log.tasks:
        text = (
            f"After {task.get('attempts', 'several')} unanswered texts the counselor was asked on "
            f"{us_date(at.astimezone(zone).date())} to call, send a letter or plan a home visit, "
            f"and to record the result by {us_date(action_due)}."
        )
        note.say(NEXT, text)
    if not note.says(NEXT):
        note.say(
            NEXT,
            "Further attempts follow the outreach schedule; after unanswered texts the counselor is asked to call, send a letter or plan a home visit.",
        )
    note.say(EFFECT, "No change to the employment plan.")
    note.say(DOCUMENTS, "None.")
    return note.build()


@dataclass(frozen=True)
class LogDraft:
    log: AttemptLog
    #: None for a log whose texts are all gone (its contacts are marked logged all the same).
    note: RenderedNote | None
    contact_date: date
    problems: list[str]


def write_logs(
    session: Session, calendar: BusinessDays, now: datetime, after: int = 0
) -> tuple[list[LogDraft], int | None]:
    """The logs that are due for the next batch of participants after the id `after`, written and
    checked, with the last id looked at (None: done). Only reads: the caller stores each draft with
    `mark_logged` of its log in one transaction."""
    drafts = []
    logs, last = due_logs(session, now, after)
    for log in logs:
        zone = ZoneInfo(log.time_zone)
        today = now.astimezone(zone).date()
        if not log.attempts:
            drafts.append(LogDraft(log, None, today, []))
            continue
        note = attempts_note(log, calendar.add_business_days(today, 1))
        problems = check_note(note.title, note.body, today, [sentence.text for sentence in note.sentences])
        drafts.append(LogDraft(log, note, log.attempts[-1].at.astimezone(zone).date(), problems))
    return drafts, last


def mark_logged(session: Session, logs: list[AttemptLog], now: datetime) -> None:
    """Mark the logs' contacts as logged (not found by `due_logs` again); a contact already marked
    by another process keeps its mark."""
    contact_ids = [contact_id for log in logs for contact_id in log.contact_ids]
    if contact_ids:
        session.execute(
            update(_CONTACTS)
            .where(_CONTACTS.c.id.in_(contact_ids), _CONTACTS.c.attempts_logged_at.is_(None))
            .values(attempts_logged_at=now)
        )
