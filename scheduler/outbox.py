"""The outbox: outbound messages that are not inline replies, recorded before they are sent.

The row is the truth (STYLE.md, after healthchecks): a message is written as QUEUED, claimed with a
conditional update ("another process got there first" when the row count is 0), handed to the
channel's transport, then completed with the provider's id or the error.
"""

import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from casefile.base import table_of
from casefile.database import reading
from casefile.facts import Fact, FactSource, record_facts
from casefile.identifiers import OutboundRefused, outbound_problems
from casefile.messages import Message
from casefile.outreach import Outreach, OutreachAttempt
from casefile.people import Participant
from casefile.prepared import Prepared
from casefile.vocabulary import Channel, Direction, MessageStatus
from scheduler.claim import Claimed, Held, claim, claim_all

# Named here too: the transports, the providers' webhooks and the reconciler take them from the
# outbox, with which they send.
from scheduler.failures import MAX_ATTEMPTS as MAX_ATTEMPTS
from scheduler.failures import DeliveryError as DeliveryError
from scheduler.failures import Failure as Failure
from scheduler.failures import record_attempt as record_attempt
from scheduler.failures import record_failure as record_failure
from scheduler.failures import record_reported_failure as record_reported_failure
from scheduler.failures import retry_delay as retry_delay

# Named here too: the service builds its senders' limiters with the rest of the outbox.
from scheduler.rate import RateLimiter as RateLimiter
from scheduler.timing import Calendar
from scheduler.turns import Turns

log = logging.getLogger(__name__)


class Transport(Protocol):
    """A channel's sender. Returns the provider's message id; raises DeliveryError."""

    def send(self, address: str, body: str) -> str: ...


@runtime_checkable
class KeepsConnections(Protocol):
    """A transport that keeps connections open to its provider: told how many threads send at once."""

    def keep_connections(self, senders: int) -> None: ...


def queue_message(
    session: Session,
    participant: Participant,
    channel: Channel,
    address: str,
    body: str,
    at: datetime,
    contact_id: int | None = None,
) -> Message:
    """Record a text to send; raises OutboundRefused (with the reasons) if it holds an identifier."""
    if problems := outbound_problems(body, participant, at.date()):
        raise OutboundRefused(problems)
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


@dataclass(frozen=True)
class OutreachTiming:
    """What the outbox needs to hold an outreach text back at sending time: a retry or a backlog
    must not carry it past 21:00 or onto a holiday its rule avoids."""

    calendar: Calendar
    #: The rules whose texts go on business days only.
    business_day_rules: frozenset[str]


#: Messages claimed in one transaction, and whose results are recorded in one: enough to make
#: the transactions' own cost small beside the sends, few enough to keep each one short.
CLAIM_ROWS = 32
#: How far ahead of its rate slot a message may be claimed. A STOP processed after the claim is not
#: seen before the text goes, as one processed while it is on its way: so this is kept short, and
#: a message that must wait longer for its slot waits unclaimed (QUEUED: a process killed meanwhile
#: leaves it to the next pass, which sends it once).
CLAIM_AHEAD = 0.2


class _Candidate(NamedTuple):
    id: int
    channel: Channel
    rule: str | None
    time_zone: str | None


class _Slot(NamedTuple):
    """A message and the moment (time.monotonic) its sender's rate lets it go."""

    candidate: _Candidate
    at: float


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

    The messages are read without a write lock, then taken a group at a time: the group's rate
    slots are reserved, and it is claimed (one short transaction, scheduler/claim.py: consent and
    the rest checked then) when its first slot comes, so a message never waits for its slot claimed.
    Its texts go out on up to `workers` threads, each at its slot; their results are recorded in
    the short transaction that claims the next group."""
    limiters = limiters or {}
    now = clock()
    with reading(sessions) as session:
        candidates = [
            _Candidate(*row)
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
    # Whether a text may go now depends on its participant's zone and its rule's days only: worked
    # out once for each pair in a pass, not once a text.
    held: dict[tuple[str | None, str | None], datetime | None] = {}
    later = {}
    for candidate in candidates:
        key = (candidate.time_zone, candidate.rule)
        if key not in held:
            held[key] = _held_until(candidate, timing, now)
        if (until := held[key]) is not None:
            later[candidate.id] = until
    _hold_for_later(sessions, later)
    ready = [candidate for candidate in candidates if candidate.id not in later]
    for transport in transports.values():
        if isinstance(transport, KeepsConnections):
            transport.keep_connections(max(1, workers))
    statuses: Counter[MessageStatus] = Counter()
    turns = Turns()
    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="outbox") as pool:
        in_flight: deque[_OnItsWay] = deque()
        for group in _groups(ready, limiters):
            _sleep_until(group[0].at)
            # The group sent meanwhile is recorded in the transaction that claims this one: one wait
            # for the sends in flight and one write transaction a group, where there were two. And
            # recorded first, so that an opt-out the provider reported for it holds this group's text.
            results = in_flight.popleft().results() if in_flight else []
            try:
                with turns.writing(sessions) as session:
                    at = clock()
                    statuses.update(_record_results(session, results, at))
                    claims = claim_all(session, [slot.candidate.id for slot in group], at)
            except Exception:
                # The claim failed (a lock waited for in vain): what the provider said of the group
                # sent meanwhile is still recorded, on its own, not left to the reconciler to ask.
                _record_alone(sessions, results, clock, turns)
                raise
            statuses[MessageStatus.FAILED] += sum(isinstance(c, Held) for c in claims.values())
            sends = _OnItsWay(
                [
                    _Send(transports[claimed.channel], claimed, slot.at, limiters.get(claimed.channel))
                    for slot in group
                    if isinstance(claimed := claims.get(slot.candidate.id), Claimed)
                ],
                pool,
                workers,
                turns,
            )
            # One group on its way while the next waits for its rate slots; more would only hold
            # claims longer. With one thread its texts are recorded at once.
            if workers > 1:
                in_flight.append(sends)
            else:
                statuses.update(_record_alone(sessions, sends.results(), clock, turns))
        while in_flight:
            statuses.update(_record_alone(sessions, in_flight.popleft().results(), clock, turns))
    return +statuses


def _held_until(candidate: _Candidate, timing: OutreachTiming | None, now: datetime) -> datetime | None:
    """Replies always may go (the participant just wrote). An outreach text outside the
    participant's hours stays QUEUED, for the next allowed time (returned)."""
    if candidate.rule is None or candidate.time_zone is None or timing is None:
        return None
    zone, business_days = ZoneInfo(candidate.time_zone), candidate.rule in timing.business_day_rules
    if timing.calendar.is_allowed(now, zone, business_days):
        return None
    return timing.calendar.next_allowed(now, zone, business_days)


def _hold_for_later(sessions: sessionmaker[Session], later: Mapping[int, datetime]) -> None:
    """Set the retry time of texts that must wait for the participant's hours, in short transactions."""
    waiting = list(later.items())
    for start in range(0, len(waiting), CLAIM_ROWS * 4):
        with sessions.begin() as session:
            session.execute(
                _RETRY_LATER,
                [{"message_id": id_, "until": at} for id_, at in waiting[start : start + CLAIM_ROWS * 4]],
            )


_MESSAGES = table_of(Message)
_SENT = Prepared(
    update(_MESSAGES)
    .where(_MESSAGES.c.id == bindparam("message_id"))
    .values(provider_id=bindparam("provider_id"), status=MessageStatus.SENT, status_at=bindparam("at"))
)
_RETRY_LATER = (
    update(_MESSAGES)
    .where(_MESSAGES.c.id == bindparam("message_id"), _MESSAGES.c.status == MessageStatus.QUEUED)
    .values(retry_at=bindparam("until"))
)


def _groups(ready: list[_Candidate], limiters: Mapping[Channel, RateLimiter]) -> Iterator[list[_Slot]]:
    """The messages in groups of at most CLAIM_ROWS whose rate slots lie within CLAIM_AHEAD of the
    group's first. Slots are reserved one group ahead only, as the groups are asked for."""
    group: list[_Slot] = []
    for candidate in ready:
        limiter = limiters.get(candidate.channel)
        slot = _Slot(candidate, time.monotonic() + (limiter.reserve() if limiter is not None else 0.0))
        if group and (len(group) == CLAIM_ROWS or slot.at - group[0].at > CLAIM_AHEAD):
            yield group
            group = []
        group.append(slot)
    if group:
        yield group


def _sleep_until(moment: float) -> None:
    while (wait := moment - time.monotonic()) > 0:
        time.sleep(wait)


class _Send(NamedTuple):
    """A claimed text, its sender, and the moment (time.monotonic) its rate slot comes."""

    transport: Transport
    message: Claimed
    slot: float
    limiter: RateLimiter | None


class _OnItsWay:
    """A group's texts on their way: each sender thread takes the next text, in slot order, until
    none is left. A future for each thread rather than for each text: a text's future, its work
    item and the wait for it were a tenth of the dispatcher's own CPU a text (bench/dispatch_cpu.py)."""

    def __init__(self, sends: list[_Send], pool: ThreadPoolExecutor, workers: int, turns: Turns) -> None:
        self._sends = sends
        self._turns = turns
        self._left = deque(enumerate(sends))
        self._outcomes: list[str | DeliveryError | None] = [None] * len(sends)
        self._senders = [pool.submit(self._send_the_rest) for _ in range(min(max(1, workers), len(sends)))]

    def _send_the_rest(self) -> None:
        while True:
            try:
                # deque.popleft is atomic: two threads never take one text.
                index, send = self._left.popleft()
            except IndexError:
                return
            self._outcomes[index] = _send(send, self._turns)

    def results(self) -> list[tuple[Claimed, str | DeliveryError]]:
        """Once every text has been sent: each one's provider id, or why it failed."""
        for sender in self._senders:
            sender.result()
        results = []
        for send, outcome in zip(self._sends, self._outcomes, strict=True):
            assert outcome is not None
            results.append((send.message, outcome))
        return results


def _send(send: _Send, turns: Turns) -> str | DeliveryError:
    """Send at the message's rate slot, between the outbox's write transactions: the provider's
    id, or why it failed."""
    message, limiter = send.message, send.limiter
    _sleep_until(send.slot)
    try:
        with turns.sending():
            # No sleep(0) when it may go now: that would hand the interpreter to another thread.
            if limiter is not None and (wait := limiter.admit()) > 0:
                time.sleep(wait)
            return send.transport.send(message.address, message.body)
    except DeliveryError as error:
        return error
    except Exception:
        # A bug or a surprise in a transport: whether the text left is unknown, like a timeout.
        log.exception("sending message %s on %s failed unexpectedly", message.id, message.channel)
        return DeliveryError(Failure.UNCERTAIN, "exception")


def _record_alone(
    sessions: sessionmaker[Session],
    results: list[tuple[Claimed, str | DeliveryError]],
    clock: Callable[[], datetime],
    turns: Turns,
) -> Counter[MessageStatus]:
    """Record a group's results in a transaction of their own."""
    if not results:
        return Counter()
    with turns.writing(sessions) as session:
        return _record_results(session, results, clock())


def _record_results(
    session: Session, results: list[tuple[Claimed, str | DeliveryError]], at: datetime
) -> Counter[MessageStatus]:
    """Record a group's results in the session's transaction: the texts sent, and their outreach
    attempts, in a statement each; a failure as `record_failure` says. A process killed before
    this commits leaves them SENDING: settled with the provider, never resent blindly."""
    statuses: Counter[MessageStatus] = Counter()
    sent = [(claimed, result) for claimed, result in results if not isinstance(result, DeliveryError)]
    if sent:
        _SENT.run_many(
            session,
            [{"message_id": claimed.id, "provider_id": provider_id, "at": at} for claimed, provider_id in sent],
        )
        record_facts(session, _attempts([claimed for claimed, _ in sent], at))
        statuses[MessageStatus.SENT] = len(sent)
    for claimed, result in results:
        if isinstance(result, DeliveryError):
            statuses[record_failure(session, session.get_one(Message, claimed.id), result, at)] += 1
    return statuses


def _attempts(sent: list[Claimed], at: datetime) -> list[tuple[Fact, FactSource]]:
    """The outreach attempts of texts just sent, for the case notes (their rules came with the claim)."""
    return [
        (
            OutreachAttempt(claimed.outreach_id, claimed.rule, claimed.template, claimed.channel.value, "sent", None),
            FactSource(claimed.participant_id, claimed.id, at, claimed.contact_id),
        )
        for claimed in sent
        if claimed.outreach_id is not None
        and claimed.participant_id is not None
        and claimed.rule is not None
        and claimed.template is not None
    ]


def deliver(
    sessions: sessionmaker[Session], message_id: int, transport: Transport, clock: Callable[[], datetime]
) -> MessageStatus | None:
    """Send one queued message now. Returns its new status, or None if another process claimed it.

    The claim (QUEUED → SENDING) is committed before the provider is called: a process killed
    after it leaves the message SENDING, which is reconciled with the provider (scheduler/reconcile.py),
    never resent blindly; one killed before it leaves it QUEUED, and the next pass sends it."""
    with sessions.begin() as session:
        claimed = claim(session, message_id, clock())
    if not isinstance(claimed, Claimed):
        return None if claimed is None else MessageStatus.FAILED
    turns = Turns()
    result = _send(_Send(transport, claimed, time.monotonic(), None), turns)
    [(status, _)] = _record_alone(sessions, [(claimed, result)], clock, turns).items()
    return status
