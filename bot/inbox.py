"""The one path every inbound message takes, whichever channel brought it.

1. Store it (its own transaction), de-duplicated on the provider's message id: once it is
   committed nothing that fails later can lose it.
2. In a second transaction, with the participant's row locked so one person's messages are handled
   in order: run the engine, then store the replies, the new state, consent and the facts.
A message whose processing failed stays RECEIVED; a second delivery of it, or
`process_pending`, processes it then.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from casefile.consent import record_consent
from casefile.contacts import current_contact
from casefile.conversation import load_conversation, save_conversation
from casefile.facts import record_fact
from casefile.messages import Message, find_message, note_unknown_sender
from casefile.people import Participant
from casefile.phones import display_phone
from casefile.vocabulary import Channel, ConsentAction, ConsentState, Direction, Language, MessageStatus
from conversations.engine import respond
from conversations.keywords import Keyword, keyword_in
from conversations.model import ConversationState, InboundText, Outcome, ParticipantView, Reply
from conversations.rendering import MessageRenderer

log = logging.getLogger(__name__)

#: Attempts at processing before a message is left RECEIVED for later (lock timeouts, races).
PROCESS_ATTEMPTS = 3


@dataclass(frozen=True)
class Media:
    url: str
    content_type: str


@dataclass(frozen=True)
class Inbound:
    """One message as a channel adapter hands it over, already authenticated."""

    channel: Channel
    address: str
    text: str
    provider_id: str
    received_at: datetime
    media: tuple[Media, ...] = ()


@dataclass(frozen=True)
class OutgoingText:
    message_id: int
    address: str
    body: str


@dataclass(frozen=True)
class Receipt:
    message_id: int
    #: True when this delivery was a repeat of one already handled: nothing was changed.
    duplicate: bool
    replies: tuple[OutgoingText, ...] = ()


class ProcessingFailed(RuntimeError):
    """The message is stored but could not be processed now; it stays RECEIVED for a retry."""

    def __init__(self, message_id: int) -> None:
        super().__init__(f"message {message_id} stored but not processed")
        self.message_id = message_id


def utc_now() -> datetime:
    return datetime.now(UTC)


class Inbox:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        renderer: MessageRenderer,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._sessions = sessions
        self._renderer = renderer
        self._clock = clock

    def receive(self, inbound: Inbound, reply_status: MessageStatus) -> Receipt:
        """Store and process one message; `reply_status` is what the adapter does with the replies
        (SENT when they go back inline, QUEUED when the outbox must send them)."""
        message_id = self._store(inbound)
        if message_id is None:
            with self._sessions.begin() as session:
                existing = find_message(session, inbound.channel, inbound.provider_id)
                assert existing is not None
                message_id, pending = existing.id, existing.status is MessageStatus.RECEIVED
            if not pending:
                return Receipt(message_id, duplicate=True)
        return self._process_with_retries(message_id, reply_status)

    def process_pending(self, reply_status: MessageStatus) -> list[Receipt]:
        """Process messages left RECEIVED by an earlier failure, oldest first."""
        with self._sessions.begin() as session:
            pending = session.scalars(
                select(Message.id)
                .where(Message.direction == Direction.INBOUND, Message.status == MessageStatus.RECEIVED)
                .order_by(Message.id)
            ).all()
        return [self._process_with_retries(message_id, reply_status) for message_id in pending]

    def _store(self, inbound: Inbound) -> int | None:
        """Commit the inbound message; None if this provider id was stored before."""
        message = Message(
            direction=Direction.INBOUND,
            channel=inbound.channel,
            address=inbound.address,
            body=inbound.text,
            media=[{"url": m.url, "content_type": m.content_type} for m in inbound.media],
            provider_id=inbound.provider_id,
            status=MessageStatus.RECEIVED,
            created_at=inbound.received_at,
            status_at=inbound.received_at,
        )
        try:
            with self._sessions.begin() as session:
                session.add(message)
        except IntegrityError:
            return None
        return message.id

    def _process_with_retries(self, message_id: int, reply_status: MessageStatus) -> Receipt:
        for attempt in range(1, PROCESS_ATTEMPTS + 1):
            try:
                with self._sessions.begin() as session:
                    return self._process(session, message_id, reply_status)
            except (IntegrityError, OperationalError):
                log.warning("processing message %s failed (attempt %s)", message_id, attempt, exc_info=True)
        raise ProcessingFailed(message_id)

    def _process(self, session: Session, message_id: int, reply_status: MessageStatus) -> Receipt:
        message = session.get_one(Message, message_id)
        participant = _participant_for(session, message, lock=True)
        # Re-read under the lock: another delivery of this message may have processed it meanwhile.
        session.refresh(message)
        if message.status is not MessageStatus.RECEIVED:
            return Receipt(message_id, duplicate=True)
        message.status, message.status_at = MessageStatus.PROCESSED, self._clock()
        if participant is None:
            return self._answer_unknown_sender(session, message, reply_status)
        return self._converse(session, message, participant, reply_status)

    def _converse(
        self, session: Session, message: Message, participant: Participant, reply_status: MessageStatus
    ) -> Receipt:
        at = message.created_at
        contact = current_contact(session, participant.id, message.channel, at)
        message.participant_id, message.contact_id = participant.id, contact.id
        record = load_conversation(session, participant.id)
        state = (
            ConversationState(record.flow, record.step, dict(record.data), record.updated_at)
            if record is not None
            else ConversationState()
        )
        outcome = respond(
            participant_view(participant),
            state,
            InboundText(message.body, tuple(m["content_type"] for m in message.media)),
            at,
        )
        self._apply(session, participant, message, outcome)
        save_conversation(
            session, record, participant.id, outcome.state.flow, outcome.state.step, outcome.state.data, at
        )
        return self._reply(session, message, outcome.replies, participant.language, reply_status)

    def _apply(self, session: Session, participant: Participant, message: Message, outcome: Outcome) -> None:
        if outcome.language is not None:
            participant.language = outcome.language
        if outcome.consent is not None and outcome.consent is not participant.consent_state:
            action = ConsentAction.OPT_OUT if outcome.consent is ConsentState.OPTED_OUT else ConsentAction.OPT_IN
            record_consent(
                session, participant, action, message.body, message.channel, message.provider_id,
                message.created_at, outcome.consent,
            )
        for fact in outcome.facts:
            record_fact(session, fact, participant.id, message.contact_id, message.id, message.created_at)

    def _answer_unknown_sender(
        self, session: Session, message: Message, reply_status: MessageStatus
    ) -> Receipt:
        """One polite reply per unknown number, with no programme details; staff see the list."""
        sender = note_unknown_sender(session, message.channel, message.address, message.created_at)
        if keyword_in(message.body) is Keyword.OPT_OUT and sender.opted_out_at is None:
            sender.opted_out_at = message.created_at
        if sender.answered_at is not None or sender.opted_out_at is not None:
            return Receipt(message.id, duplicate=False)
        sender.answered_at = message.created_at
        return self._reply(session, message, (Reply("unknown_number"),), Language.ENGLISH, reply_status)

    def _reply(
        self,
        session: Session,
        message: Message,
        replies: tuple[Reply, ...],
        language: Language,
        status: MessageStatus,
    ) -> Receipt:
        now = self._clock()
        rows = [
            Message(
                participant_id=message.participant_id,
                contact_id=message.contact_id,
                direction=Direction.OUTBOUND,
                channel=message.channel,
                address=message.address,
                body=self._renderer.render(reply, language),
                media=[],
                status=status,
                in_reply_to_id=message.id,
                created_at=now,
                status_at=now,
            )
            for reply in replies
        ]
        session.add_all(rows)
        session.flush()
        return Receipt(
            message.id, duplicate=False, replies=tuple(OutgoingText(r.id, r.address, r.body) for r in rows)
        )

    def apologise(self, message_id: int, status: MessageStatus) -> OutgoingText | None:
        """Record the apology for a stored message that could not be processed (none if opted out)."""
        with self._sessions.begin() as session:
            message = session.get_one(Message, message_id)
            participant = _participant_for(session, message, lock=False)
            if participant is None or participant.consent_state is ConsentState.OPTED_OUT:
                return None
            receipt = self._reply(session, message, (Reply("error_apology"),), participant.language, status)
        return receipt.replies[0]


def _participant_for(session: Session, message: Message, lock: bool) -> Participant | None:
    """The participant a message's address belongs to. SMS and the console chat address by phone."""
    if message.channel not in (Channel.SMS, Channel.CONSOLE):
        return None
    query = select(Participant).where(Participant.phone == message.address)
    return session.scalars(query.with_for_update() if lock else query).one_or_none()


def participant_view(participant: Participant) -> ParticipantView:
    counselor = participant.counselor
    return ParticipantView(
        first_name=participant.first_name,
        language=participant.language,
        consent=participant.consent_state,
        counselor_name=counselor.display_name,
        counselor_phone=display_phone(counselor.phone) if counselor.phone else None,
    )
