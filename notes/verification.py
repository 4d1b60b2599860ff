"""The monthly hours verification draft: on the 1st, for everyone taking part, the prior month's
hours against the requirement and the documents received, for the counselor to verify by the 20th."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, sessionmaker

from casefile.base import table_of
from casefile.case_notes import CaseNote
from casefile.people import Participant
from casefile.timesheets import TimesheetEntry
from casefile.verification import MonthTotals, month_totals, verify_by
from casefile.vocabulary import EntryState, ProgrammeStatus
from notes.check import check_note
from notes.draft import NoteDraft, insert_notes, note_row
from notes.render import NoteRenderer

SUBJECT = "verification"
#: Whose hours are verified: everyone with a participation requirement.
VERIFIED = (ProgrammeStatus.ACTIVE, ProgrammeStatus.SANCTIONED)
BATCH = 200


def draft_verifications(sessions: sessionmaker[Session], renderer: NoteRenderer, now: datetime) -> int:
    """Draft the prior month's verification for everyone who has none yet, by the month on their
    own clock (a service that was down on the 1st catches up the next day); the number drafted."""
    with sessions.begin() as session:
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
        while True:
            with sessions.begin() as session:
                batch = _without_verification(session, zone_name, occurrence, month_ended)
                if not batch:
                    break
                rows = [
                    note_row(verification_draft(session, renderer, person, month, now), due, now) for person in batch
                ]
                drafted += insert_notes(session, rows, now)
    return drafted


def _without_verification(
    session: Session, zone_name: str, occurrence: str, month_ended: datetime
) -> list[Participant]:
    notes = table_of(CaseNote)
    return list(
        session.scalars(
            select(Participant)
            .where(
                Participant.time_zone == zone_name,
                Participant.status.in_(VERIFIED),
                Participant.enrolled_at < month_ended,
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


def verification_draft(
    session: Session, renderer: NoteRenderer, participant: Participant, month: date, now: datetime
) -> NoteDraft:
    totals = month_totals(session, participant, month.year, month.month)
    context = _context(session, participant, totals, now)
    note = renderer.render(SUBJECT, context)
    prepared = now.astimezone(ZoneInfo(participant.time_zone)).date()
    return NoteDraft(
        participant.id,
        None,
        SUBJECT,
        month.strftime("%Y-%m"),
        prepared,
        note,
        check_note(note.title, note.body, prepared),
    )


def _context(session: Session, participant: Participant, totals: MonthTotals, now: datetime) -> dict[str, Any]:
    """The month's figures, with the messages each came from: the participant's confirmations."""
    entries = session.execute(
        select(TimesheetEntry.activity, TimesheetEntry.excuse, TimesheetEntry.confirmed_message_id).where(
            TimesheetEntry.participant_id == participant.id,
            TimesheetEntry.state == EntryState.CONFIRMED,
            TimesheetEntry.day.between(totals.month.start, totals.month.end),
        )
    ).all()
    activity_ids: dict[str, list[int]] = defaultdict(list)
    excuse_ids: dict[str, list[int]] = defaultdict(list)
    for activity, excuse, message_id in entries:
        if message_id is not None:
            (excuse_ids[excuse] if excuse else activity_ids[activity]).append(message_id)
    zone = ZoneInfo(participant.time_zone)
    documents = [
        {
            "day": document.received_at.astimezone(zone).date(),
            "content_type": document.content_type,
            "message_id": document.message_id,
        }
        for document in totals.documents
    ]
    confirmed_ids = {message_id for _, _, message_id in entries if message_id is not None}
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
        "short_weeks": [week for week in totals.weeks if not week.met],
        "participated": totals.participated,
        "required": totals.required,
        "weekly_average": totals.weekly_average,
        "weekly_required": totals.weekly_required,
        "month_documents": documents,
        "source_ids": source_ids,
    }
