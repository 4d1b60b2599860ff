"""What the participant page shows, read for one counselor: a participant of another caseload is
never loaded (ParticipantNotFound, a 404 to the browser)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casefile.consent import ConsentEvent, consent_history
from casefile.documents import Document
from casefile.goals import Goal, GoalStep
from casefile.messages import Message
from casefile.outreach import Outreach, OutreachKind, OutreachState
from casefile.people import Participant
from casefile.verification import MonthTotals, month_totals
from casefile.vocabulary import Direction, MessageStatus
from console.attention import QueueItem, queue
from console.transfer import TransferMarker, transfer_markers

#: The transcript shows the latest messages unless the whole of it is asked for.
RECENT_MESSAGES = 150


class ParticipantNotFound(LookupError):
    """No participant with that id on the counselor's caseload."""


def own_participant(session: Session, counselor_id: int, participant_id: int) -> Participant:
    participant = session.scalars(
        select(Participant).where(Participant.id == participant_id, Participant.counselor_id == counselor_id)
    ).one_or_none()
    if participant is None:
        raise ParticipantNotFound(participant_id)
    return participant


@dataclass(frozen=True)
class TranscriptLine:
    id: int
    inbound: bool
    channel: str
    body: str
    at: datetime
    status: str
    has_media: bool


@dataclass(frozen=True)
class ParticipantPage:
    participant: Participant
    transcript: list[TranscriptLine]
    #: True when older messages are left out (the page offers the whole transcript).
    earlier: bool
    goals: list[tuple[Goal, list[GoalStep]]]
    month: MonthTotals
    documents: list[Document]
    consent: list[ConsentEvent]
    queued: list[Outreach]
    waiting_texts: list[Message]
    items: list[QueueItem]
    #: The participant's today: a week of hours is short only once it has ended.
    today: date
    #: Where the participant changed counselor: markers in the transcript.
    markers: list[TransferMarker] = field(default_factory=list)


#: The transcript's columns: two years of texts are read as rows, not as ORM objects.
_LINES = select(
    Message.id,
    Message.direction,
    Message.channel,
    Message.body,
    Message.created_at,
    Message.status,
    Message.error_code,
    Message.media,
)


def _transcript(
    session: Session, participant_id: int, whole: bool, around: int | None
) -> tuple[list[TranscriptLine], bool]:
    """The conversation in order: all of it, the latest RECENT_MESSAGES, or from a day before the
    message `around` on; and whether earlier messages were left out."""
    lines = _LINES.where(Message.participant_id == participant_id)
    oldest_first = (Message.created_at, Message.id)
    anchor_at = (
        session.scalar(select(Message.created_at).where(Message.id == around, Message.participant_id == participant_id))
        if around and not whole
        else None
    )
    if whole:
        rows, earlier = session.execute(lines.order_by(*oldest_first)).all(), False
    elif anchor_at is not None:
        since = anchor_at - timedelta(days=1)
        rows = session.execute(
            lines.where(Message.created_at >= since).order_by(*oldest_first).limit(RECENT_MESSAGES * 2)
        ).all()
        earlier = True
    else:
        newest = lines.order_by(Message.created_at.desc(), Message.id.desc()).limit(RECENT_MESSAGES + 1)
        rows = session.execute(newest).all()[::-1]
        earlier = len(rows) > RECENT_MESSAGES
        rows = rows[1:] if earlier else rows
    return [
        TranscriptLine(
            row.id,
            row.direction is Direction.INBOUND,
            row.channel.value,
            row.body,
            row.created_at,
            delivery_label(row.direction, row.status, row.error_code),
            bool(row.media),
        )
        for row in rows
    ], earlier


def delivery_label(direction: Direction, status: MessageStatus, error_code: str | None) -> str:
    """A message's state as a counselor reads it."""
    if direction is Direction.INBOUND:
        return "received"
    if error_code == "opted_out":
        return "opted out"
    return {
        MessageStatus.QUEUED: "queued",
        MessageStatus.SENDING: "sending",
        MessageStatus.SENT: "sent",
        MessageStatus.DELIVERED: "delivered",
        MessageStatus.READ: "read",
        MessageStatus.UNDELIVERED: "failed",
        MessageStatus.FAILED: "failed",
    }.get(status, status.value)


def participant_page(
    session: Session, counselor_id: int, participant_id: int, now: datetime, whole: bool, around: int | None
) -> ParticipantPage:
    participant = own_participant(session, counselor_id, participant_id)
    transcript, earlier = _transcript(session, participant.id, whole, around)
    today = now.astimezone(ZoneInfo(participant.time_zone)).date()
    goals = list(
        session.scalars(
            select(Goal).where(Goal.participant_id == participant.id).order_by(Goal.status, Goal.set_at.desc())
        )
    )
    steps: dict[int, list[GoalStep]] = {goal.id: [] for goal in goals}
    for step in session.scalars(select(GoalStep).where(GoalStep.goal_id.in_(list(steps))).order_by(GoalStep.position)):
        steps[step.goal_id].append(step)
    return ParticipantPage(
        participant,
        transcript,
        earlier,
        [(goal, steps[goal.id]) for goal in goals],
        month_totals(session, participant, today.year, today.month),
        list(
            session.scalars(
                select(Document).where(Document.participant_id == participant.id).order_by(Document.received_at.desc())
            )
        ),
        consent_history(session, participant.id),
        list(
            session.scalars(
                select(Outreach)
                .where(
                    Outreach.participant_id == participant.id,
                    Outreach.state == OutreachState.QUEUED,
                    Outreach.kind == OutreachKind.TEXT,
                )
                .order_by(Outreach.due_at)
            )
        ),
        list(
            session.scalars(
                select(Message)
                .where(
                    Message.participant_id == participant.id,
                    Message.direction == Direction.OUTBOUND,
                    Message.status == MessageStatus.QUEUED,
                )
                .order_by(Message.id)
            )
        ),
        queue(session, counselor_id, participant.id),
        today,
        transfer_markers(session, participant.id),
    )


def mark_read(session: Session, participant: Participant, now: datetime) -> None:
    """The counselor opened the transcript: what the participant wrote until now is read."""
    session.execute(update(Participant).where(Participant.id == participant.id).values(transcript_read_at=now))


def own_document(session: Session, counselor_id: int, participant_id: int, document_id: int) -> Document:
    document = session.scalars(
        select(Document)
        .join(Participant, Document.participant_id == Participant.id)
        .where(
            Document.id == document_id,
            Document.participant_id == participant_id,
            Participant.counselor_id == counselor_id,
        )
    ).one_or_none()
    if document is None or document.path is None:
        raise ParticipantNotFound(participant_id)
    return document
