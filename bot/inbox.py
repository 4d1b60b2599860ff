"""The one path every inbound message takes, whichever channel brought it.

One transaction (DESIGN.md, "Data flow of one inbound text"):
1. Store it first, de-duplicated on the provider's message id.
2. In a savepoint, with the participant's row locked so one person's messages are handled in
   order: run the engine, then store the replies, the new state, consent and the facts.
If step 2 fails only the savepoint is undone: the message still commits, RECEIVED, and a second
delivery of it, or `process_pending`, processes it then. The provider is answered after the commit.
`receive_together` does the same for several messages in one transaction (bot.group_commit, for
the SMS webhook), in order, with one commit for all; one that cannot be stored or processed costs
only itself. There a savepoint is paid only where needed: on SQLite a failed INSERT is undone alone,
and a failed processing has the batch done again with a savepoint around each text's processing.

Every inbound message passes here, so the statements are few and written as SQL expressions
(no unit-of-work flush): bench/webhook.py measures this path.
"""

import logging
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

# What a channel hands over and gets back is named here too, as every channel imports it from here.
from bot.inbound import Arrival as Arrival
from bot.inbound import DatabaseBusy as DatabaseBusy
from bot.inbound import Inbound as Inbound
from bot.inbound import ProcessingFailed as ProcessingFailed
from bot.inbound import Receipt as Receipt
from bot.processing import Media as Media
from bot.processing import MessageProcessor, OutgoingText, Stored
from bot.senders import participant_for
from casefile.contacts import current_contact
from casefile.identifiers import mask_ssns
from casefile.messages import Message, failed_again, find_message, requeue, store_inbound
from casefile.prepared import failed_statement_undoes_itself, savepoint, still_in_transaction
from casefile.vocabulary import Channel, ConsentState, Direction, MessageStatus
from conversations.model import Reply
from conversations.rendering import MessageRenderer
from scheduler.office_hours import OfficeHours

log = logging.getLogger(__name__)

#: Attempts at receiving a message when the database says try again (lock timeouts, deadlocks).
RECEIVE_ATTEMPTS = 3
#: How long a batch of messages received together (group commit) may hold the write lock before it
#: takes no more: issue 19 wants no write transaction over ~50 ms, as every writer in line waits as
#: long, and the message in hand and the commit come on top of this. 25 ms rather than 10: on a quiet
#: machine (bench/webhook.py --runs alone,jobs at 100k, two alternating pairs) batches of up to 32
#: rather than 16 cost 1.04-1.16 ms of CPU a message against 1.30-1.46, with the jobs' p99 no worse
#: (92.8-97.4 ms against 95.9-98.2); 10 ms only looked better while other processes held the cores.
BATCH_HOLD_SECONDS = 0.025
#: The most messages one transaction takes: about what a burst keeps in flight (wrk and Twilio, ~32).
BATCH_MOST = 32


class _Redo(Exception):
    """A text's processing failed in a batch with no savepoint around it: the batch is done again."""


class _BatchFailed(Exception):
    def __init__(self, taken: int) -> None:
        super().__init__(f"{taken} messages taken")
        self.taken = taken


@dataclass(frozen=True)
class _Handled:
    #: None when even storing the message failed (in a batch: the others in it go on).
    message_id: int | None
    duplicate: bool
    #: None when processing failed (the message is stored, RECEIVED).
    replies: tuple[OutgoingText, ...] | None

    def receipt(self) -> Receipt:
        if self.replies is None:
            raise self.failure()
        assert self.message_id is not None  # replies are made only for a stored message
        return Receipt(self.message_id, self.duplicate, self.replies)

    def failure(self) -> ProcessingFailed:
        return ProcessingFailed(self.message_id)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Inbox:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        renderer: MessageRenderer,
        clock: Callable[[], datetime] = utc_now,
        stops_on_reply: frozenset[str] = frozenset(),
        office_hours: OfficeHours | None = None,
    ) -> None:
        self._sessions = sessions
        self._renderer = renderer
        self._clock = clock
        self._stops_on_reply = stops_on_reply
        self._office_hours = office_hours
        self._processor = MessageProcessor(renderer, clock, stops_on_reply, office_hours)

    def using(self, sessions: sessionmaker[Session]) -> "Inbox":
        """The same inbox on other sessions (the webhook's inline path, which waits little for a lock)."""
        return Inbox(sessions, self._renderer, self._clock, self._stops_on_reply, self._office_hours)

    def receive(
        self,
        inbound: Inbound,
        reply_status: MessageStatus,
        inline: Callable[[], bool] | None = None,
        attempts: int = RECEIVE_ATTEMPTS,
    ) -> Receipt:
        """Store and process one message; `reply_status` is what the adapter does with the replies
        (SENT when they go back inline, QUEUED when the outbox must send them). With SENT, `inline`
        is asked just before the commit whether the answer can still carry them; if not, they are
        QUEUED instead and the receipt has none."""
        for attempt in range(1, attempts + 1):
            try:
                return self._receive_once(inbound, reply_status, inline)
            except OperationalError as error:
                # A lock timeout or a deadlock (PostgreSQL): nothing was committed; try again. The
                # webhook's inline path makes one attempt, only when no other writer holds the lock
                # or waits, and hands over to a thread: routine whenever a job writes (the webhook
                # logs that it did), not a warning, nor a traceback of 70 lines.
                log.log(
                    logging.DEBUG if attempts == 1 else logging.WARNING,
                    "receiving a %s message waited for the database in vain (attempt %s of %s): %s",
                    inbound.channel,
                    attempt,
                    attempts,
                    _first_line(error.orig if error.orig is not None else error),
                )
            except ProcessingFailed:
                raise
            except Exception:
                # Storing the message itself failed: the provider must be told, so that it retries.
                log.exception("a %s message could not be stored", inbound.channel)
                raise ProcessingFailed(None) from None
        raise DatabaseBusy()

    def process_pending(self, reply_status: MessageStatus, limit: int = 500) -> list[Receipt]:
        """Process messages left RECEIVED by an earlier failure, oldest first: on start and
        periodically (the scheduler's `inbox` job), so that a STOP that came during a fault takes
        effect. One person's messages are taken in order: after one fails again, their later ones
        wait for the next pass. The replies are `reply_status` (QUEUED: the outbox sends them)."""
        with self._sessions.begin() as session:
            pending = session.execute(
                select(Message.id, Message.channel, Message.address, Message.provider_id)
                .where(Message.direction == Direction.INBOUND, Message.status == MessageStatus.RECEIVED)
                .order_by(Message.id)
                .limit(limit)
            ).all()
        receipts = []
        stalled: set[tuple[Channel, str]] = set()
        for message_id, channel, address, provider_id in pending:
            assert provider_id is not None  # every inbound message has its provider's id
            if (channel, address) in stalled:
                continue
            try:
                with self._sessions.begin() as session:
                    handled = self._resume(session, channel, provider_id, reply_status)
                receipts.append(handled.receipt())
            except (ProcessingFailed, OperationalError):
                if not self._given_up(message_id, channel, address):
                    log.warning("a pending %s message failed again; it waits for the next pass", channel)
                    stalled.add((channel, address))
        return receipts

    def _given_up(self, message_id: int, channel: Channel, address: str) -> bool:
        """After PROCESSING_ATTEMPTS passes a text that keeps failing goes to a person, so that it
        holds neither the participant's later texts nor the oldest-first window of every pass."""
        try:
            with self._sessions.begin() as session:
                participant = participant_for(session, channel, address)
                given_up = failed_again(session, message_id, participant.id if participant else None, self._clock())
        except OperationalError:
            return False  # the database itself is failing: the next pass counts it
        if given_up:
            log.error("a pending %s message kept failing; it is passed to the counselor", channel)
        return given_up

    def _receive_once(
        self, inbound: Inbound, reply_status: MessageStatus, inline: Callable[[], bool] | None
    ) -> Receipt:
        with self._sessions.begin() as session:
            handled = self._take(session, Arrival(inbound, inline), reply_status, guard_store=False)
        return handled.receipt()

    def receive_together(
        self,
        arrivals: Sequence[Arrival],
        reply_status: MessageStatus,
        attempts: int = RECEIVE_ATTEMPTS,
        hold: float = BATCH_HOLD_SECONDS,
        taking: Callable[[int], None] | None = None,
    ) -> list[Receipt | ProcessingFailed]:
        """Store and process several messages, in order, in one transaction with one commit (group
        commit): each as `receive` does, so that one message that cannot be stored or processed
        costs only itself (with savepoints of its own, once one has failed: see below). The outcomes are those of the first
        arrivals, in order: fewer than all when the transaction had held the write lock `hold`
        seconds or taken BATCH_MOST; the rest were not taken. `arrivals` is read once the lock is
        held, so it may be a line that grows meanwhile; `taking` is told, just before the commit,
        how many of its first arrivals the transaction holds (the line lets them go).

        DatabaseBusy if every attempt waited for the database in vain (nothing was taken); and
        ProcessingFailed(None) for each message taken if the batch could not be committed for
        another reason: nothing of it was, so no text is answered as if it had been."""
        # First with no savepoint around each text's processing (two statements a text fewer): a
        # text whose processing fails then has the whole transaction rolled back, and the batch is
        # done again, every text's processing in a savepoint, so that its failure costs only itself.
        guarded = False
        for attempt in range(1, attempts + 1):
            while True:
                outcomes: list[Receipt | ProcessingFailed] = []
                committing = False
                try:
                    with self._sessions.begin() as session:
                        try:
                            self._receive_batch_once(
                                session, arrivals, reply_status, hold, outcomes, taking is not None, guarded
                            )
                        except (OperationalError, _Redo):
                            raise
                        except Exception as error:
                            # Out of the line before the rollback lets the lock go (the message in
                            # hand counts): answered, not tried again behind later ones.
                            failed = min(len(outcomes) + 1, len(arrivals))
                            if taking is not None:
                                taking(failed)
                            raise _BatchFailed(failed) from error
                        committing = True
                        if taking is not None:
                            taking(len(outcomes))
                    return outcomes
                except _Redo as redo:
                    # Nothing of it was kept (the rollback): not an attempt, the database did not refuse.
                    # Said here, as the redo may succeed: a failure that comes and goes is still seen.
                    log.warning(
                        "a text's processing failed in a batch (%s); the batch is done again, each text on its own",
                        type(redo.__cause__).__name__,
                    )
                    guarded = True
                except _BatchFailed as failure:
                    return self._not_committed(failure.taken)
                except OperationalError as error:
                    if committing:
                        return self._not_committed(len(outcomes))
                    # As in `receive`: nothing was committed; the whole batch is tried again.
                    log.log(
                        logging.DEBUG if attempts == 1 else logging.WARNING,
                        "receiving messages together waited for the database in vain (attempt %s of %s): %s",
                        attempt,
                        attempts,
                        _first_line(error.orig if error.orig is not None else error),
                    )
                    break
                except Exception:
                    return self._not_committed(len(outcomes))
        raise DatabaseBusy()

    @staticmethod
    def _not_committed(taken: int) -> list[Receipt | ProcessingFailed]:
        log.exception("a batch of %s inbound messages could not be committed", taken)
        return [ProcessingFailed(None) for _ in range(taken)]

    def _receive_batch_once(
        self,
        session: Session,
        arrivals: Sequence[Arrival],
        reply_status: MessageStatus,
        hold: float,
        outcomes: list[Receipt | ProcessingFailed],
        live: bool,
        guarded: bool,
    ) -> None:
        # BEGIN (IMMEDIATE on SQLite) now: the hold is counted from when the write lock is ours.
        session.connection()
        began = time.monotonic()
        while len(outcomes) < min(len(arrivals), BATCH_MOST):
            if outcomes and time.monotonic() - began > hold:
                break
            # A lone message needs no savepoint around its storing (if that fails, it is all there
            # is), unless others may join it in a line that grows meanwhile.
            guard = live or len(arrivals) > 1
            handled = self._take(session, arrivals[len(outcomes)], reply_status, guard, guarded)
            outcomes.append(handled.receipt() if handled.replies is not None else handled.failure())
            # The next message reads every row afresh: a message loaded here (a redelivery) was
            # changed since by SQL statements that the session's identity map does not see.
            session.expunge_all()

    def _take(
        self,
        session: Session,
        arrival: Arrival,
        reply_status: MessageStatus,
        guard_store: bool,
        guard_processing: bool = True,
    ) -> _Handled:
        """Store a message (de-duplicated on its provider's id) and process it in a savepoint.
        With `guard_store`, storing it is in a savepoint too, and a failure to store it leaves the
        transaction usable for the others in it: the handled message then has no id. Without
        `guard_processing`, a failure to process it raises _Redo (the caller rolls back)."""
        inbound, inline = arrival.inbound, arrival.inline
        # An SSN texted in is masked before it is stored: neither the message nor any fact, note
        # or reply made from it holds the number; the flag says one was sent (issue 16, item 13).
        text, ssn_masked = mask_ssns(inbound.text)
        # Storing is one statement: where a failed statement is undone alone (SQLite), that is the
        # savepoint already, and two statements a message fewer.
        own_savepoint = guard_store and not failed_statement_undoes_itself(session)
        try:
            with savepoint(session) if own_savepoint else nullcontext():
                message_id = store_inbound(
                    session,
                    channel=inbound.channel,
                    address=inbound.address,
                    body=text,
                    ssn_masked=ssn_masked,
                    media=[{"url": m.url, "content_type": m.content_type} for m in inbound.media],
                    provider_id=inbound.provider_id,
                    created_at=inbound.received_at,
                    status_at=inbound.received_at,
                )
        except OperationalError:
            raise
        except Exception:
            if not guard_store or not (own_savepoint or still_in_transaction(session)):
                # Alone, or the others' work is lost with the transaction: the batch fails whole.
                raise
            log.exception("a %s message could not be stored; the others with it go on", inbound.channel)
            return _Handled(None, False, None)
        if message_id is None:
            handled = self._resume(session, inbound.channel, inbound.provider_id, reply_status, guard_processing)
        else:
            stored = Stored(
                message_id,
                inbound.channel,
                inbound.address,
                text,
                inbound.provider_id,
                inbound.received_at,
                inbound.media,
            )
            handled = _Handled(message_id, False, self._process(session, stored, reply_status, guard_processing))
        if handled.replies and reply_status is MessageStatus.SENT and inline is not None and not inline():
            requeue(session, [reply.message_id for reply in handled.replies])
            handled = _Handled(handled.message_id, handled.duplicate, ())
        return handled

    def _resume(
        self, session: Session, channel: Channel, provider_id: str, reply_status: MessageStatus, guarded: bool = True
    ) -> _Handled:
        """Process a message stored earlier, unless someone already did: it is re-read under a row
        lock, so a redelivery and `process_pending` racing for it process it once."""
        message = find_message(session, channel, provider_id, lock=True)
        assert message is not None
        if message.status is not MessageStatus.RECEIVED:
            return _Handled(message.id, True, ())
        stored = Stored.from_row(message)
        return _Handled(message.id, False, self._process(session, stored, reply_status, guarded))

    def _process(
        self, session: Session, message: Stored, reply_status: MessageStatus, guarded: bool
    ) -> tuple[OutgoingText, ...] | None:
        if guarded:
            return self._process_in_savepoint(session, message, reply_status)
        try:
            return self._processor.process(session, message, reply_status)
        except OperationalError:
            raise
        except Exception as error:
            raise _Redo() from error

    def _process_in_savepoint(
        self, session: Session, message: Stored, reply_status: MessageStatus
    ) -> tuple[OutgoingText, ...] | None:
        """Process a stored message; None if that failed, in which case only the savepoint is undone
        and the message itself is still committed, RECEIVED, for a later attempt."""
        try:
            # A savepoint on the connection: processing writes only through SQL statements, never
            # through ORM objects, so there is nothing for the session's own (slower) savepoint to track.
            with savepoint(session):
                return self._processor.process(session, message, reply_status)
        except OperationalError:
            raise
        except Exception:
            log.exception("processing message %s failed; it is stored for a later attempt", message.id)
            return None

    def apologise(
        self, message_id: int | None, status: MessageStatus, inline: Callable[[], bool] | None = None
    ) -> OutgoingText | None:
        """Record the apology for a stored message that could not be processed (none if opted out);
        `inline` as for `receive`."""
        if message_id is None:
            return None
        with self._sessions.begin() as session:
            message = Stored.from_row(session.get_one(Message, message_id))
            participant = participant_for(session, message.channel, message.address)
            if participant is None or participant.consent_state is ConsentState.OPTED_OUT:
                return None
            contact_id = current_contact(session, participant.id, message.channel, message.received_at)
            [apology] = self._processor.reply(
                session, message, participant.id, contact_id, (Reply("error_apology"),), participant.language, status
            )
            if status is MessageStatus.SENT and inline is not None and not inline():
                requeue(session, [apology.message_id])
                return None
        return apology


def _first_line(error: BaseException) -> str:
    """What a database error says, on one line (its name when it says nothing)."""
    lines = str(error).splitlines()
    return lines[0] if lines else type(error).__name__
