"""The monthly hours verification draft: on the 1st, for everyone taking part, the prior month's
hours against the requirement and the documents received, for the counselor to verify by the 20th."""

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, sessionmaker

from casefile.base import table_of
from casefile.case_notes import CaseNote
from casefile.database import reading
from casefile.people import Participant
from casefile.timesheets import Period, week_of
from casefile.verification import MonthRecords, MonthTotals, month_period, month_records, totals_of, verify_by
from casefile.vocabulary import EntryState, ProgrammeStatus
from notes.check import check_note
from notes.draft import NoteDraft, note_row
from notes.render import NoteRenderer, us_date
from notes.writes import store_notes

SUBJECT = "verification"
#: Whose hours are verified: everyone with a participation requirement.
VERIFIED = (ProgrammeStatus.ACTIVE, ProgrammeStatus.SANCTIONED)
BATCH = 200


def draft_verifications(
    sessions: sessionmaker[Session],
    renderer: NoteRenderer,
    now: datetime,
    stopping: Callable[[], bool] = lambda: False,
) -> int:
    """Draft the prior month's verification for everyone who has none yet, by the month on their
    own clock (a service that was down on the 1st catches up the next day); the number drafted.
    A batch of participants is read and drafted in a read-only transaction (on SQLite it holds no
    write lock), then stored a few notes per short transaction; a note is stored whole or not at
    all and never twice, so a process killed in between leaves the rest for the next run.
    `stopping` is asked between batches, as the notes job's other passes do."""
    with reading(sessions) as session:
        zones = session.scalars(select(Participant.time_zone).distinct()).all()
    drafted = 0
    for zone_name in zones:
        zone = ZoneInfo(zone_name)
        first_of_month = now.astimezone(zone).date().replace(day=1)
        month = (first_of_month - timedelta(days=1)).replace(day=1)
        occurrence = month.strftime("%Y-%m")
        month_ended = datetime.combine(first_of_month, time.min, zone)
        # Late once the day to verify by has passed on the participant's clock.
        due = datetime.combine(verify_by(month) + timedelta(days=1), time.min, zone)
        after = 0
        while not stopping():
            with reading(sessions) as session:
                batch = _without_verification(session, zone_name, occurrence, month_ended, after)
                if not batch:
                    break
                drafts = verification_drafts(session, renderer, batch, month, now)
                rows = [note_row(draft, due, now) for draft in drafts]
                after = batch[-1].id
            drafted += store_notes(sessions, rows, now)
    return drafted


def _without_verification(
    session: Session, zone_name: str, occurrence: str, month_ended: datetime, after: int
) -> list[Participant]:
    """The next batch of participants after the id `after` whose month is to be verified and is not yet."""
    notes = table_of(CaseNote)
    return list(
        session.scalars(
            select(Participant)
            .where(
                Participant.time_zone == zone_name,
                Participant.status.in_(VERIFIED),
                Participant.enrolled_at < month_ended,
                Participant.id > after,
                ~exists().where(
                    and_(
                        notes.c.participant_id == Participant.id,
                        notes.c.subject == SUBJECT,
                        notes.c.occurrence == occurrence,
                    )
                ),
            )
            .order_by(Participant.id)
            .limit(BATCH)
        )
    )


def verification_drafts(
    session: Session, renderer: NoteRenderer, participants: Sequence[Participant], month: date, now: datetime
) -> list[NoteDraft]:
    """The month's verification drafts of a batch of participants, from three queries for the
    whole batch (timesheet entries, documents, the month's other notes), not a few each."""
    records = month_records(session, participants, month.year, month.month)
    notes = _month_notes(
        session, [participant.id for participant in participants], month_period(month.year, month.month)
    )
    return [
        _draft(renderer, participant, records[participant.id], notes.get(participant.id, []), now)
        for participant in participants
    ]


def _draft(
    renderer: NoteRenderer, participant: Participant, records: MonthRecords, month_notes: list[str], now: datetime
) -> NoteDraft:
    totals = totals_of(participant, records)
    note = renderer.render(SUBJECT, _context(participant, records, totals, month_notes, now))
    prepared = now.astimezone(ZoneInfo(participant.time_zone)).date()
    return NoteDraft(
        participant.id,
        None,
        SUBJECT,
        totals.month.start.strftime("%Y-%m"),
        prepared,
        note,
        check_note(note.title, note.body, prepared, [sentence.text for sentence in note.sentences]),
    )


def _context(
    participant: Participant, records: MonthRecords, totals: MonthTotals, month_notes: list[str], now: datetime
) -> dict[str, Any]:
    """The month's figures, with the messages each came from: the participant's confirmations."""
    confirmed = [
        entry for entry in records.entries if entry.state is EntryState.CONFIRMED and entry.day in totals.month
    ]
    activity_ids: dict[str, list[int]] = defaultdict(list)
    excuse_ids: dict[str, list[int]] = defaultdict(list)
    for entry in confirmed:
        if entry.confirmed_message_id is not None:
            ids = excuse_ids[entry.excuse] if entry.excuse else activity_ids[entry.activity]
            ids.append(entry.confirmed_message_id)
    zone = ZoneInfo(participant.time_zone)
    documents = [
        {
            "day": document.received_at.astimezone(zone).date(),
            "content_type": document.content_type,
            "message_id": document.message_id,
        }
        for document in totals.documents
    ]
    weeks, required = _weeks_from_enrolment(participant, records, totals)
    confirmed_ids = {entry.confirmed_message_id for entry in confirmed if entry.confirmed_message_id is not None}
    source_ids = sorted(confirmed_ids | {document.message_id for document in totals.documents})
    return {
        "month": totals.month,
        "prepared": now.astimezone(zone).date(),
        "verify_by": totals.verify_by,
        "by_activity": totals.by_activity,
        "by_excuse": totals.by_excuse,
        "activity_ids": activity_ids,
        "excuse_ids": excuse_ids,
        "unconfirmed": totals.unconfirmed,
        "unassigned": totals.unassigned,
        "week_lines": weeks,
        "enrolled_in_month": participant.enrolled_at.astimezone(zone).date() > totals.month.start,
        "enrolled_on": participant.enrolled_at.astimezone(zone).date(),
        "month_notes": month_notes,
        "participated": totals.participated,
        "required": required,
        "weekly_average": totals.weekly_average,
        "weekly_required": totals.weekly_required,
        "month_documents": documents,
        "source_ids": source_ids,
    }


def _weeks_from_enrolment(
    participant: Participant, records: MonthRecords, totals: MonthTotals
) -> tuple[list[dict[str, Any]], float]:
    """Each week of the month from the enrolment date, counted by its days in this month only (a
    week that runs into the next month is counted there for its other days), with "no report
    received" apart from a reported zero; and the requirement for those days."""
    zone = ZoneInfo(participant.time_zone)
    first = max(totals.month.start, participant.enrolled_at.astimezone(zone).date())
    since = week_of(first).start
    lines = [entry for entry in records.entries if since <= entry.day <= totals.month.end]
    weeks, required, start = [], 0.0, week_of(first).start
    while start <= totals.month.end:
        days = [start + timedelta(days=n) for n in range(7)]
        counted = [day for day in days if first <= day <= totals.month.end]
        if counted:
            span = f"{us_date(counted[0])}-{us_date(counted[-1])}"
            share = round(participant.weekly_required_hours * len(counted) / 7, 1)
            required += share
            mine = [line for line in lines if line.day in counted and not line.whole_week]
            whole = [line for line in lines if line.whole_week and line.day == start]
            confirmed = [line for line in mine if line.state == EntryState.CONFIRMED]
            ids = sorted({line.message_id for line in mine + whole if line.message_id is not None})
            if not mine and not whole:
                text = f"Week of {us_date(start)} ({span}): no report received, against {share:g} hours required for these days."
            else:
                worked = sum(line.hours for line in confirmed if not line.excuse)
                excused = sum(line.hours for line in confirmed if line.excuse)
                text = (
                    f"Week of {us_date(start)} ({span}): {worked:g} participation hours and {excused:g} excused hours "
                    f"confirmed (self-reported), against {share:g} hours required for these days"
                )
                if whole:
                    text += f"; a weekly total of {sum(line.hours for line in whole):g} hours is for the counselor to assign by day"
                if len(confirmed) < len(mine):
                    text += f"; {len(mine) - len(confirmed)} reported line(s) never confirmed"
                text += "."
            weeks.append({"text": text, "ids": ids})
        start += timedelta(days=7)
    return weeks, round(required, 1)


#: What else of the month the counselor should read beside the hours.
RELATED_SUBJECTS = ("safety", "life_event", "barrier", "attempts", "consent", "document")


def _month_notes(session: Session, participant_ids: list[int], month: Period) -> dict[int, list[str]]:
    """The month's other notes a counselor should read beside the hours, by participant."""
    found: dict[int, list[str]] = defaultdict(list)
    for note in session.execute(
        select(CaseNote.participant_id, CaseNote.id, CaseNote.title, CaseNote.contact_date)
        .where(
            CaseNote.participant_id.in_(participant_ids),
            CaseNote.subject.in_(RELATED_SUBJECTS),
            CaseNote.contact_date.between(month.start, month.end),
        )
        .order_by(CaseNote.participant_id, CaseNote.contact_date, CaseNote.id)
    ):
        found[note.participant_id].append(f"note {note.id} of {us_date(note.contact_date)}, {note.title}")
    return found
