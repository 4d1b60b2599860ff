"""Settling messages left SENDING: a provider timeout, a 500 after the request arrived, a process
killed between the claim and the provider's answer, a transport that raised something unexpected.

Such a message may or may not have left, so it is never resent blindly (issue 16, item 4). Once it
has been SENDING for `SETTLE_AFTER`, a provider that can be asked (Twilio: the texts it holds to
that number) settles it: found, it is SENT with the provider's id; not there, it never left and is
queued again (a bounded retry). A provider that cannot be asked (Telegram), or one that could not
answer for `GIVE_UP_AFTER`, leaves it unknown: FAILED with code "unknown" and a flag for the
counselor, who can ask the participant. Either way the message stops holding its contact open.
"""

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casefile.facts import Fact, record_fact, register_fact
from casefile.messages import Message
from casefile.vocabulary import Channel, Direction, MessageStatus
from scheduler.outbox import DeliveryError, Failure, record_attempt, record_failure

#: How long a message stays SENDING before it is looked up: past any provider's own timeout, and
#: long enough for a provider's list of messages to show one it took.
SETTLE_AFTER = timedelta(minutes=2)
#: How long a provider that cannot answer is asked before the message is called unknown.
GIVE_UP_AFTER = timedelta(hours=1)


class LookupFailed(Exception):
    """The provider could not say whether it holds the message (unreachable, an error)."""


@runtime_checkable
class Traceable(Protocol):
    """A transport that can look up what it sent."""

    def find_sent(self, address: str, body: str, claimed_at: datetime) -> str | None:
        """The provider's id of that text if it took it since `claimed_at`, None if it did not."""
        ...


@register_fact
@dataclass(frozen=True)
class DeliveryUnknown(Fact):
    """A text may or may not have reached the participant: the counselor may want to ask them."""

    kind = "delivery_unknown"
    needs_counselor = True
    channel: str


def reconcile_sending(
    sessions: sessionmaker[Session],
    transports: Mapping[Channel, object],
    clock: Callable[[], datetime],
    limit: int = 200,
) -> Counter[str]:
    """Settle the messages SENDING for longer than SETTLE_AFTER; how many went each way."""
    now = clock()
    with sessions.begin() as session:
        stuck = session.execute(
            select(Message.id, Message.channel, Message.address, Message.body, Message.status_at)
            .where(
                Message.status == MessageStatus.SENDING,
                Message.direction == Direction.OUTBOUND,
                Message.status_at < now - SETTLE_AFTER,
                Message.channel.in_(list(transports)),
            )
            .order_by(Message.id)
            .limit(limit)
        ).all()
    settled: Counter[str] = Counter()
    for message_id, channel, address, body, since in stuck:
        transport = transports[channel]
        provider_id: str | None = None
        if isinstance(transport, Traceable) and now - since < GIVE_UP_AFTER:
            try:
                provider_id = transport.find_sent(address, body, since)
            except LookupFailed:
                settled["unsettled"] += 1
                continue
            outcome = "sent" if provider_id is not None else "requeued"
        else:
            outcome = "unknown"
        with sessions.begin() as session:
            # Under a row lock, and only if still SENDING: a status callback or another
            # dispatcher may have settled it meanwhile.
            message = session.scalars(
                select(Message)
                .where(Message.id == message_id, Message.status == MessageStatus.SENDING)
                .with_for_update()
                .execution_options(populate_existing=True)
            ).one_or_none()
            if message is None:
                continue
            if outcome == "sent":
                _settle_sent(session, message, provider_id, clock())
            elif outcome == "requeued":
                # It never left: an attempt spent (so a bound holds), but nothing to wait out.
                error = DeliveryError(Failure.TRANSIENT, "not_sent")
                if record_failure(session, message, error, now) is MessageStatus.QUEUED:
                    message.retry_at = None
            else:
                _settle_unknown(session, message, clock())
        settled[outcome] += 1
    return settled


def _settle_sent(session: Session, message: Message, provider_id: str | None, at: datetime) -> None:
    message.provider_id, message.status, message.error_code, message.status_at = (
        provider_id,
        MessageStatus.SENT,
        None,
        at,
    )
    record_attempt(session, message, "sent", None)


def _settle_unknown(session: Session, message: Message, at: datetime) -> None:
    message.status, message.error_code, message.status_at = MessageStatus.FAILED, "unknown", at
    record_attempt(session, message, "unknown", "unknown")
    if message.participant_id is not None:
        fact = DeliveryUnknown(channel=message.channel.value)
        record_fact(session, fact, message.participant_id, message.contact_id, message.id, at)
