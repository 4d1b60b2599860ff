"""The needs-me queue: every fact a person must look at, for the counselor whose caseload it is.

Safety concerns first, then oldest first. An item stays until a counselor marks it handled, which
records who and when on the event and appends a `queue_item_handled` fact as the audit trail.
Every query names the counselor: an item of another caseload is never loaded, so it is a 404.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, TextClause, func, select, text, update
from sqlalchemy.orm import Session

from casefile.facts import EventRecord, QueueItemHandled, record_fact
from casefile.outreach import TASK_ACTIONS, OutreachTaskDone, ReengagementTask
from casefile.people import Participant
from conversations.life_events import EVENT_NAMES

#: What each kind of item is called on the page; a kind added later shows as its own name.
LABELS = {
    "safety_concern": "Safety concern",
    "counselor_message": "Message to you",
    "barrier_raised": "Barrier",
    "support_requested": "Support requested",
    "hours_short": "Hours short",
    "document_not_fetched": "Document not fetched",
    "delivery_failed": "Delivery failed",
    "stop_request_flagged": "Asked for fewer texts",
    "reengagement_task": "No answer: call, letter or visit",
    "life_event_reported": "News to act on",
    "not_understood_twice": "Not understood twice",
    "handoff_requested": "Asked for a person",
    "handoff_message": "Wrote while handed to you",
    "message_not_processed": "A text the service could not process",
}


@dataclass(frozen=True)
class QueueItem:
    id: int
    participant_id: int
    participant_name: str
    kind: str
    urgent: bool
    message_id: int | None
    occurred_at: datetime
    payload: dict[str, Any]

    @property
    def label(self) -> str:
        return LABELS.get(self.kind, self.kind.replace("_", " ").capitalize())

    @property
    def summary(self) -> str:
        """The participant's own words, or what the fact says, in one line."""
        payload = self.payload
        for key in ("text", "words"):
            if payload.get(key):
                return str(payload[key])
        if self.kind == "hours_short":
            return f"Week of {payload.get('week_start')}: {payload.get('participated')} of {payload.get('required')} h"
        if self.kind == "support_requested":
            return f"Asked for help with {str(payload.get('category', '')).replace('_', ' ')}"
        if self.kind == "delivery_failed":
            return f"A {payload.get('channel')} text could not be delivered (code {payload.get('code')})"
        if self.kind == "life_event_reported":
            return EVENT_NAMES.get(str(payload.get("event")), "news").capitalize()
        if self.kind == "reengagement_task":
            return f"{payload.get('attempts')} texts unanswered since {payload.get('quiet_since')}"
        return ""


def open_items_of(counselor_id: int) -> tuple[ColumnElement[bool] | TextClause, ...]:
    """The WHERE terms of "open items on this counselor's caseload". Written as the partial index
    ix_events_open_items states its condition (a bare `needs_counselor`), so that SQLite and
    PostgreSQL use it, driven from the caseload's participants: not every open item of the county."""
    caseload = select(Participant.id).where(Participant.counselor_id == counselor_id)
    return (EventRecord.participant_id.in_(caseload), text("events.needs_counselor"), EventRecord.seen_at.is_(None))


def _open_items(counselor_id: int) -> Any:
    return (
        select(EventRecord, Participant.first_name, Participant.last_name)
        .join(Participant, EventRecord.participant_id == Participant.id)
        .where(*open_items_of(counselor_id))
    )


def queue(session: Session, counselor_id: int, participant_id: int | None = None) -> list[QueueItem]:
    """The counselor's open items: urgent first, then oldest first."""
    statement = _open_items(counselor_id).order_by(EventRecord.urgent.desc(), EventRecord.occurred_at, EventRecord.id)
    if participant_id is not None:
        statement = statement.where(EventRecord.participant_id == participant_id)
    return [
        QueueItem(
            event.id,
            event.participant_id,
            f"{first} {last}",
            event.kind,
            event.urgent,
            event.message_id,
            event.occurred_at,
            event.payload,
        )
        for event, first, last in session.execute(statement)
    ]


def open_count(session: Session, counselor_id: int) -> tuple[int, int]:
    """How many items wait for the counselor, and how many of them are urgent (every page shows it)."""
    row = session.execute(
        select(func.count(EventRecord.id), func.count(EventRecord.id).filter(EventRecord.urgent.is_(True))).where(
            *open_items_of(counselor_id)
        )
    ).one()
    return int(row[0]), int(row[1])


class ItemNotFound(LookupError):
    """No open item with that id on the counselor's caseload (or handled already)."""


class TaskResultRefused(ValueError):
    """The result cannot be recorded as given; says why, for the counselor."""


def record_task_result(
    session: Session, counselor_id: int, event_id: int, action: str, result: str, now: datetime
) -> int:
    """Close a re-engagement task with what the counselor did (call, letter, home visit) and what
    came of it, a fact the month's attempts log records; the participant's id."""
    if action not in TASK_ACTIONS:
        raise TaskResultRefused("Pick what you did: a call, a letter or a home visit.")
    if not result.strip():
        raise TaskResultRefused("Say what came of it, for the case note.")
    kind = session.scalar(select(EventRecord.kind).where(EventRecord.id == event_id, *open_items_of(counselor_id)))
    if kind != ReengagementTask.kind:
        raise ItemNotFound(event_id)
    participant_id = mark_handled(session, counselor_id, event_id, now)
    record_fact(session, OutreachTaskDone(action, result.strip()[:500], counselor_id), participant_id, None, None, now)
    return participant_id


def mark_handled(session: Session, counselor_id: int, event_id: int, now: datetime) -> int:
    """Mark an item handled by this counselor; the participant's id. One conditional UPDATE, so two
    counselors' clicks cannot both count, and an item of another caseload is not found."""
    handled = session.execute(
        update(EventRecord)
        .where(EventRecord.id == event_id, *open_items_of(counselor_id))
        .values(seen_at=now, seen_by=counselor_id)
        .returning(EventRecord.participant_id, EventRecord.kind, EventRecord.contact_id)
    ).one_or_none()
    if handled is None:
        raise ItemNotFound(event_id)
    record_fact(
        session, QueueItemHandled(event_id, handled.kind, counselor_id), handled.participant_id, None, None, now
    )
    return int(handled.participant_id)
