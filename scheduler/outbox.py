"""The outbox: outbound messages that are not inline replies, recorded before they are sent.

The row is the truth (STYLE.md, after healthchecks): a message is written as QUEUED, claimed with a
conditional update ("another process got there first" when the row count is 0), handed to the
channel's transport, then completed with the provider's id or the error.
"""

import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from casefile.addresses import mark_unreachable
from casefile.consent import record_consent
from casefile.facts import Fact, record_fact, register_fact
from casefile.messages import Message
from casefile.outreach import Outreach, OutreachAttempt, cancel_queued
from casefile.people import Participant
from casefile.vocabulary import Channel, ConsentAction, ConsentState, Direction, MessageStatus
from scheduler.claim import Held, claim
from scheduler.timing import Calendar

log = logging.getLogger(__name__)


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


class RateLimiter:
    """At most `per_second` sends a second for one sender, spread evenly.

    Slots are 2% wider than 1/rate, so that a provider counting arrivals (which jitter by a few
    milliseconds) never sees rate + 1 in one second. Reserving a slot is under a lock; the wait is not.
    """

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        if per_second <= 0:
            raise ValueError("a sending rate must be above 0 messages a second")
        self._interval = 1.02 / per_second
        self._clock = clock
        self._next = 0.0
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take the next slot; the seconds to wait for it."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self._interval
            return slot - now

    def wait(self) -> None:
        time.sleep(self.reserve())


@dataclass(frozen=True)
class OutreachTiming:
    """What the outbox needs to hold an outreach text back at sending time: a retry or a backlog
    must not carry it past 21:00 or onto a holiday its rule avoids."""

    calendar: Calendar
    #: The rules whose texts go on business days only.
    business_day_rules: frozenset[str]


_Candidate = tuple[int, Channel, str | None, str | None]


def send_queued(
    sessions: sessionmaker[Session],
    transports: Mapping[Channel, Transport],
    clock: Callable[[], datetime],
    timing: OutreachTiming | None = None,
    limiters: Mapping[Channel, RateLimiter] | None = None,
    limit: int = 2000,
    workers: int = 1,
) -> Counter[MessageStatus]:
    """One pass over the queued messages that are due, oldest first, on the channels given: replies a
    provider could not take at once, and outreach texts. Returns how many ended in each status.

    A message waits for its sender's rate slot *before* it is claimed: a process killed while
    waiting leaves it QUEUED, and the next pass sends it once. Consent and the rest are checked
    when it is claimed (scheduler/claim.py), after that wait."""
    limiters = limiters or {}
    now = clock()
    with sessions.begin() as session:
        candidates: list[_Candidate] = [
            tuple(row)  # type: ignore[misc]
            for row in session.execute(
                select(Message.id, Message.channel, Outreach.rule, Participant.time_zone)
                .outerjoin(Outreach, Message.outreach_id == Outreach.id)
                .outerjoin(Participant, Message.participant_id == Participant.id)
                .where(
                    Message.status == MessageStatus.QUEUED,
                    or_(Message.retry_at.is_(None), Message.retry_at <= now),
                    Message.direction == Direction.OUTBOUND,
                    Message.channel.in_(list(transports)),
                )
                .order_by(Message.id)
                .limit(limit)
            )
        ]
        ready = [candidate for candidate in candidates if _may_go_now(session, candidate, timing, now)]

    def send(candidate: _Candidate) -> MessageStatus | None:
        limiter = limiters.get(candidate[1])
        if limiter is not None:
            limiter.wait()
        return deliver(sessions, candidate[0], transports[candidate[1]], clock)

    if workers <= 1:
        statuses = [send(candidate) for candidate in ready]
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="outbox") as pool:
            statuses = list(pool.map(send, ready))
    return Counter(status for status in statuses if status is not None)


def _may_go_now(session: Session, candidate: _Candidate, timing: OutreachTiming | None, now: datetime) -> bool:
    """Replies always may go (the participant just wrote). An outreach text outside the
    participant's hours stays QUEUED, for the next allowed time."""
    message_id, _, rule, time_zone = candidate
    if rule is None or time_zone is None or timing is None:
        return True
    zone, business_days = ZoneInfo(time_zone), rule in timing.business_day_rules
    if timing.calendar.is_allowed(now, zone, business_days):
        return True
    session.get_one(Message, message_id).retry_at = timing.calendar.next_allowed(now, zone, business_days)
    return False


def deliver(
    sessions: sessionmaker[Session], message_id: int, transport: Transport, clock: Callable[[], datetime]
) -> MessageStatus | None:
    """Send one queued message. Returns its new status, or None if another process claimed it.

    The claim (QUEUED → SENDING) is committed before the provider is called: a process killed
    after it leaves the message SENDING, which is reconciled with the provider (scheduler/reconcile.py),
    never resent blindly; one killed before it leaves it QUEUED, and the next pass sends it."""
    with sessions.begin() as session:
        claimed = claim(session, message_id, clock())
        if claimed is None:
            return None
        if isinstance(claimed, Held):
            return MessageStatus.FAILED
    try:
        provider_id = transport.send(claimed.address, claimed.body)
    except DeliveryError as error:
        failure = error
    except Exception:
        # A bug or a surprise in a transport: whether the text left is unknown, like a timeout.
        log.exception("sending message %s on %s failed unexpectedly", message_id, claimed.channel)
        failure = DeliveryError(Failure.UNCERTAIN, "exception")
    else:
        with sessions.begin() as session:
            message = session.get_one(Message, message_id)
            message.provider_id, message.status, message.status_at = provider_id, MessageStatus.SENT, clock()
            record_attempt(session, message, "sent", None)
            return message.status
    with sessions.begin() as session:
        return record_failure(session, session.get_one(Message, message_id), failure, clock())


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
