"""The one path every inbound message takes, whichever channel brought it.

One transaction (DESIGN.md, "Data flow of one inbound text"):
1. Store it first, de-duplicated on the provider's message id.
2. In a savepoint, with the participant's row locked so one person's messages are handled in
   order: run the engine, then store the replies, the new state, consent and the facts.
If step 2 fails only the savepoint is undone: the message still commits, RECEIVED, and a second
delivery of it, or `process_pending`, processes it then. The provider is answered after the commit.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, joinedload, sessionmaker

from casefile.consent import record_consent
from casefile.contacts import current_contact
from casefile.conversation import load_conversation, save_conversation
from casefile.facts import record_fact
from casefile.messages import Message, find_message, note_unknown_sender, store_inbound
from casefile.people import Participant
from casefile.phones import display_phone
from casefile.vocabulary import Channel, ConsentAction, ConsentState, Direction, Language, MessageStatus
from conversations.engine import respond
from conversations.keywords import Keyword, keyword_in
from conversations.model import ConversationState, InboundText, Outcome, ParticipantView, Reply
from conversations.rendering import MessageRenderer

log = logging.getLogger(__name__)

#: Attempts at receiving a message when the database says try again (lock timeouts, deadlocks).
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
    """The message could not be processed now. With an id it is stored, RECEIVED, for a retry;
    without one even storing it failed (the database is unreachable) and the provider must retry."""

    def __init__(self, message_id: int | None) -> None:
        super().__init__(f"message {message_id} not processed")
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
        for attempt in range(1, PROCESS_ATTEMPTS + 1):
            try:
                return self._receive_once(inbound, reply_status)
            except OperationalError:
                # A lock timeout or a deadlock (PostgreSQL): nothing was committed; try again.
                log.warning("receiving %s message failed (attempt %s)", inbound.channel, attempt, exc_info=True)
        raise ProcessingFailed(None)

    def process_pending(self, reply_status: MessageStatus) -> list[Receipt]:
        """Process messages left RECEIVED by an earlier failure, oldest first."""
        with self._sessions.begin() as session:
            pending = session.execute(
                select(Message.channel, Message.provider_id)
                .where(Message.direction == Direction.INBOUND, Message.status == MessageStatus.RECEIVED)
                .order_by(Message.id)
            ).all()
        receipts = []
        for channel, provider_id in pending:
            with self._sessions.begin() as session:
                message = find_message(session, channel, provider_id, lock=True)
                assert message is not None
                replies = self._process_in_savepoint(session, message, reply_status)
            receipts.append(self._receipt(message, replies))
        return receipts

    def _receive_once(self, inbound: Inbound, reply_status: MessageStatus) -> Receipt:
        with self._sessions.begin() as session:
            message = store_inbound(
                session,
                channel=inbound.channel,
                address=inbound.address,
                body=inbound.text,
                media=[{"url": m.url, "content_type": m.content_type} for m in inbound.media],
                provider_id=inbound.provider_id,
                created_at=inbound.received_at,
                status_at=inbound.received_at,
            )
            if message is None:
                message = find_message(session, inbound.channel, inbound.provider_id, lock=True)
                assert message is not None
                if message.status is not MessageStatus.RECEIVED:
                    return Receipt(message.id, duplicate=True)
            replies = self._process_in_savepoint(session, message, reply_status)
        return self._receipt(message, replies)

    def _process_in_savepoint(
        self, session: Session, message: Message, reply_status: MessageStatus
    ) -> list[Message] | None:
        """Process a stored message; None if that failed, in which case only the savepoint is undone
        and the message itself is still committed, RECEIVED, for a later attempt."""
        try:
            # One flush at the savepoint's end instead of one before every query.
            with session.begin_nested(), session.no_autoflush:
                return self._process(session, message, reply_status)
        except OperationalError:
            raise
        except Exception:
            log.exception("processing message %s failed; it is stored for a later attempt", message.id)
            return None

    def _receipt(self, message: Message, replies: list[Message] | None) -> Receipt:
        """Built after the commit, when every reply has its id."""
        if replies is None:
            raise ProcessingFailed(message.id)
        return Receipt(message.id, duplicate=False,
                       replies=tuple(OutgoingText(r.id, r.address, r.body) for r in replies))

    def _process(self, session: Session, message: Message, reply_status: MessageStatus) -> list[Message]:
        participant = _participant_for(session, message, lock=True)
        message.status, message.status_at = MessageStatus.PROCESSED, self._clock()
        if participant is None:
            return self._answer_unknown_sender(session, message, reply_status)
        return self._converse(session, message, participant, reply_status)

    def _converse(
        self, session: Session, message: Message, participant: Participant, reply_status: MessageStatus
    ) -> list[Message]:
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
    ) -> list[Message]:
        """One polite reply per unknown number, with no programme details; staff see the list."""
        sender = note_unknown_sender(session, message.channel, message.address, message.created_at)
        if keyword_in(message.body) is Keyword.OPT_OUT and sender.opted_out_at is None:
            sender.opted_out_at = message.created_at
        if sender.answered_at is not None or sender.opted_out_at is not None:
            return []
        sender.answered_at = message.created_at
        return self._reply(session, message, (Reply("unknown_number"),), Language.ENGLISH, reply_status)

    def _reply(
        self,
        session: Session,
        message: Message,
        replies: tuple[Reply, ...],
        language: Language,
        status: MessageStatus,
    ) -> list[Message]:
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
        return rows

    def apologise(self, message_id: int | None, status: MessageStatus) -> OutgoingText | None:
        """Record the apology for a stored message that could not be processed (none if opted out)."""
        if message_id is None:
            return None
        with self._sessions.begin() as session:
            message = session.get_one(Message, message_id)
            participant = _participant_for(session, message, lock=False)
            if participant is None or participant.consent_state is ConsentState.OPTED_OUT:
                return None
            [apology] = self._reply(session, message, (Reply("error_apology"),), participant.language, status)
        return OutgoingText(apology.id, apology.address, apology.body)


def _participant_for(session: Session, message: Message, lock: bool) -> Participant | None:
    """The participant a message's address belongs to. SMS and the console chat address by phone."""
    if message.channel not in (Channel.SMS, Channel.CONSOLE):
        return None
    query = (
        select(Participant)
        .where(Participant.phone == message.address)
        .options(joinedload(Participant.counselor))
    )
    # Locking the participant's row makes one person's messages take turns; the counselor's row
    # is only read, so PostgreSQL is told to lock the participant alone.
    return session.scalars(query.with_for_update(of=Participant) if lock else query).one_or_none()


def participant_view(participant: Participant) -> ParticipantView:
    counselor = participant.counselor
    return ParticipantView(
        first_name=participant.first_name,
        language=participant.language,
        consent=participant.consent_state,
        counselor_name=counselor.display_name,
        counselor_phone=display_phone(counselor.phone) if counselor.phone else None,
    )
