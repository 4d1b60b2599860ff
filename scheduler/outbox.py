"""The outbox: outbound messages that are not inline replies, recorded before they are sent.

The row is the truth (STYLE.md, after healthchecks): a message is written as QUEUED, claimed with a
conditional update ("another process got there first" when the row count is 0), handed to the
channel's transport, then completed with the provider's id or the error.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from casefile.addresses import disable_address
from casefile.consent import record_consent
from casefile.facts import Fact, record_fact, register_fact
from casefile.messages import Message
from casefile.people import Participant
from casefile.vocabulary import Channel, ConsentAction, ConsentState, Direction, MessageStatus


class Failure(Enum):
    #: The recipient has opted out at the provider: record it and send nothing more.
    OPTED_OUT = "opted_out"
    #: The address cannot receive messages: a person must find another way to reach them.
    BAD_ADDRESS = "bad_address"
    #: Worth trying again later.
    TRANSIENT = "transient"
    #: The request may or may not have gone out (a timeout): never resend blindly.
    UNCERTAIN = "uncertain"
    #: This message cannot be sent (too long, refused as it is); the address itself is fine.
    REFUSED = "refused"


class DeliveryError(Exception):
    def __init__(self, failure: Failure, code: str) -> None:
        super().__init__(f"delivery failed: {failure.value} ({code})")
        self.failure = failure
        self.code = code

    @property
    def permanent(self) -> bool:
        return self.failure in (Failure.OPTED_OUT, Failure.BAD_ADDRESS, Failure.REFUSED)


class Transport(Protocol):
    """A channel's sender. Returns the provider's message id; raises DeliveryError."""

    def send(self, address: str, body: str) -> str: ...


@register_fact
@dataclass(frozen=True)
class DeliveryFailed(Fact):
    """A message could not reach the participant's number: the counselor should find another way."""

    kind = "delivery_failed"
    needs_counselor = True
    channel: str
    code: str


def queue_message(
    session: Session,
    participant: Participant,
    channel: Channel,
    address: str,
    body: str,
    at: datetime,
    contact_id: int | None = None,
) -> Message:
    message = Message(
        participant_id=participant.id,
        contact_id=contact_id,
        direction=Direction.OUTBOUND,
        channel=channel,
        address=address,
        body=body,
        media=[],
        status=MessageStatus.QUEUED,
        created_at=at,
        status_at=at,
    )
    session.add(message)
    session.flush()
    return message


def send_queued(
    sessions: sessionmaker[Session],
    transports: Mapping[Channel, Transport],
    clock: Callable[[], datetime],
    limit: int = 200,
) -> int:
    """One pass over queued messages on the channels given, oldest first: replies that could not be
    sent at once (a provider's blip) are sent now. The dispatcher (quiet hours, rates) builds on it."""
    with sessions.begin() as session:
        queued = session.execute(
            select(Message.id, Message.channel)
            .where(
                Message.direction == Direction.OUTBOUND,
                Message.status == MessageStatus.QUEUED,
                Message.channel.in_(list(transports)),
            )
            .order_by(Message.id)
            .limit(limit)
        ).all()
    return sum(deliver(sessions, row.id, transports[row.channel], clock) is MessageStatus.SENT for row in queued)


def deliver(
    sessions: sessionmaker[Session], message_id: int, transport: Transport, clock: Callable[[], datetime]
) -> MessageStatus | None:
    """Send one queued message. Returns its new status, or None if another process claimed it."""
    with sessions.begin() as session:
        claimed = session.execute(
            update(Message)
            .where(Message.id == message_id, Message.status == MessageStatus.QUEUED)
            .values(status=MessageStatus.SENDING, status_at=clock())
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            return None
        message = session.get_one(Message, message_id)
        address, body = message.address, message.body
    try:
        provider_id = transport.send(address, body)
    except DeliveryError as error:
        with sessions.begin() as session:
            return _record_failure(session, session.get_one(Message, message_id), error, clock())
    with sessions.begin() as session:
        message = session.get_one(Message, message_id)
        message.provider_id, message.status, message.status_at = provider_id, MessageStatus.SENT, clock()
        return message.status


def _record_failure(session: Session, message: Message, error: DeliveryError, at: datetime) -> MessageStatus:
    message.error_code, message.status_at = error.code, at
    if error.failure is Failure.TRANSIENT:
        # Back in the queue for the dispatcher's next pass; nothing is dropped.
        message.status = MessageStatus.QUEUED
        return message.status
    # An uncertain send stays SENDING: a status callback or a person settles it, not a blind resend.
    message.status = MessageStatus.SENDING if error.failure is Failure.UNCERTAIN else MessageStatus.FAILED
    participant = session.get(Participant, message.participant_id) if message.participant_id else None
    if participant is None:
        return message.status
    if error.failure is Failure.OPTED_OUT and participant.consent_state is not ConsentState.OPTED_OUT:
        record_consent(
            session,
            participant.id,
            ConsentAction.OPT_OUT,
            f"provider reported opt-out ({error.code})",
            message.channel,
            None,
            at,
            ConsentState.OPTED_OUT,
        )
    if error.failure is Failure.BAD_ADDRESS and message.channel is not Channel.SMS:
        # A chat that blocked the bot: that channel rests until they write on it again; SMS still works.
        disable_address(session, message.channel, message.address, error.code, at)
    if error.failure is Failure.BAD_ADDRESS:
        record_fact(
            session,
            DeliveryFailed(channel=message.channel.value, code=error.code),
            participant.id,
            message.contact_id,
            message.id,
            at,
        )
    return message.status
