"""What a failed send does to the message and the case: the kinds of failure a transport reports,
the retry's backoff, and what each failure records (the message's state, an outreach attempt for
the notes, an opt-out, an address marked unreachable, a fact for the counselor). The outbox
(scheduler/outbox.py) records a send's failure here, and so do the providers' delivery reports.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.addresses import mark_unreachable
from casefile.consent import record_consent
from casefile.facts import Fact, record_fact, register_fact
from casefile.messages import Message
from casefile.outreach import Outreach, OutreachAttempt, cancel_queued
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
    #: A carrier filtered it (as spam, say): the number is fine, but a person should know.
    FILTERED = "filtered"


class DeliveryError(Exception):
    def __init__(self, failure: Failure, code: str) -> None:
        super().__init__(f"delivery failed: {failure.value} ({code})")
        self.failure = failure
        self.code = code

    @property
    def permanent(self) -> bool:
        return self.failure in (Failure.OPTED_OUT, Failure.BAD_ADDRESS, Failure.REFUSED, Failure.FILTERED)


@register_fact
@dataclass(frozen=True)
class DeliveryFailed(Fact):
    """A message could not reach the participant's number: the counselor should find another way."""

    kind = "delivery_failed"
    needs_counselor = True
    channel: str
    code: str


#: Transient failures before a message is given up (the backoff below spans about four hours).
MAX_ATTEMPTS = 8
_BACKOFF_BASE = timedelta(seconds=30)
_BACKOFF_CAP = timedelta(hours=1)
_JITTER = random.Random()


def retry_delay(attempts: int, rng: random.Random = _JITTER) -> timedelta:
    """Exponential backoff with jitter: 30 s, 1, 2, 4 ... minutes up to an hour, each drawn between
    half and all of that, so messages that failed together do not all come back together."""
    ceiling = min(_BACKOFF_CAP, _BACKOFF_BASE * 2 ** (attempts - 1))
    return timedelta(seconds=ceiling.total_seconds() * rng.uniform(0.5, 1.0))


def record_reported_failure(
    session: Session, channel: Channel, provider_id: str, error: DeliveryError, at: datetime
) -> None:
    """A provider's delivery report says a text it took did not arrive (issue 16, item 5): it
    counts as a refused send would (flag, mark the number, opt-out, or a bounded retry)."""
    message = session.scalars(
        select(Message).where(
            Message.channel == channel, Message.provider_id == provider_id, Message.direction == Direction.OUTBOUND
        )
    ).one_or_none()
    if message is not None:
        record_failure(session, message, error, at)


def record_attempt(session: Session, message: Message, outcome: str, code: str | None) -> None:
    """An outreach text's attempt, for the case notes: every one is documented (seeds 001, 004)."""
    if message.outreach_id is None or message.participant_id is None:
        return
    outreach = session.get_one(Outreach, message.outreach_id)
    attempt = OutreachAttempt(outreach.id, outreach.rule, outreach.template, message.channel.value, outcome, code)
    record_fact(session, attempt, message.participant_id, message.contact_id, message.id, message.status_at)


def record_failure(session: Session, message: Message, error: DeliveryError, at: datetime) -> MessageStatus:
    """What a failed send, or a provider's later report of one, does to the message and the case."""
    message.error_code, message.status_at = error.code, at
    if error.failure is Failure.TRANSIENT:
        message.attempts += 1
        if message.attempts < MAX_ATTEMPTS:
            # Back in the queue, for a pass after the backoff; nothing is dropped.
            message.status, message.retry_at = MessageStatus.QUEUED, at + retry_delay(message.attempts)
            return message.status
        message.status = MessageStatus.FAILED
        record_attempt(session, message, "failed", error.code)
        return message.status
    # An uncertain send stays SENDING: a status callback or a person settles it, not a blind resend.
    message.status = MessageStatus.SENDING if error.failure is Failure.UNCERTAIN else MessageStatus.FAILED
    if message.status is MessageStatus.FAILED:
        record_attempt(session, message, "failed", error.code)
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
        cancel_queued(session, participant.id, "opted_out", at)
    if error.failure is Failure.BAD_ADDRESS:
        # A chat that blocked the bot, a landline: that address rests until they write from it again
        # (scheduler/claim.py); their other channels still work.
        mark_unreachable(session, participant.id, message.channel, message.address, error.code, at)
    if error.failure in (Failure.BAD_ADDRESS, Failure.FILTERED):
        record_fact(
            session,
            DeliveryFailed(channel=message.channel.value, code=error.code),
            participant.id,
            message.contact_id,
            message.id,
            at,
        )
    return message.status
