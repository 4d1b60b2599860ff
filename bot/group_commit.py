"""Texts that arrive together are stored and processed in one write transaction (group commit).

Each webhook request puts its text in line and waits for its answer. A batch takes the texts at
the front of the line once the write lock is its own, and hands them to `Inbox.receive_together`:
one BEGIN, savepoints for each text, one commit (they leave the line just before it); then every
request is answered. Session set-up, BEGIN and the commit were about 18% of a text's CPU (issue
19) and are now paid once a batch. A text that comes alone goes at once: the writer waits for no
company, it only lets the requests the event loop has in hand reach the line first (one pass of
the loop, and another only while the line still grows).

Where a batch runs is as for one text before: on the event loop while no other writer of this
process holds SQLite's write lock or waits for it (it then waits 50 ms at most for the lock), else
on a thread, in line at the write gate, while the loop goes on reading requests. A batch takes no
more texts once it has held the lock `inbox.BATCH_HOLD_SECONDS` or taken `inbox.BATCH_MOST`.

Only on SQLite, where one writer writes at a time anyway. On PostgreSQL each text keeps a
transaction of its own (a batch would hold several participants' row locks at once).
"""

import asyncio
import contextlib
import itertools
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.exc import OperationalError

from bot.inbox import BATCH_MOST, RECEIVE_ATTEMPTS, Arrival, DatabaseBusy, Inbound, Inbox, ProcessingFailed, Receipt
from bot.offload import InlineWindow, Offload, within
from bot.processing import OutgoingText
from casefile.vocabulary import MessageStatus
from casefile.write_gate import WriteGate

log = logging.getLogger(__name__)

#: The most passes of the event loop the writer lets go by while the line grows (each is one pass
#: over what the loop has ready, tens of microseconds): never a wait for requests not yet come.
GATHER_PASSES = 4

#: What a request gets: its replies, or why it must be answered 503.
Answer = tuple[OutgoingText, ...] | ProcessingFailed


def _future() -> "asyncio.Future[tuple[OutgoingText, ...]]":
    future: asyncio.Future[tuple[OutgoingText, ...]] = asyncio.get_running_loop().create_future()
    # A request that gave up (its budget, or its client) no longer reads the answer: not an error.
    future.add_done_callback(lambda done: done.cancelled() or done.exception())
    return future


@dataclass(frozen=True, eq=False)
class _Waiting(Arrival):
    answer: "asyncio.Future[tuple[OutgoingText, ...]]" = field(default_factory=_future)


class GroupCommit:
    def __init__(
        self,
        inbox: Inbox,
        offload: Offload,
        inline_inbox: Inbox | None = None,
        inline_gate: WriteGate | None = None,
        observe: Callable[[int], None] | None = None,
    ) -> None:
        self._inbox = inbox
        self._offload = offload
        self._inline_inbox = inline_inbox
        self._inline_gate = inline_gate
        #: Told each batch's size (bot.metrics: waypoint_inbound_batch_size).
        self._observe = observe
        #: Texts waiting, oldest first. Only the loop appends; only a batch that holds the write
        #: lock (or the loop, when no batch is under way) takes from the front.
        self._line: deque[_Waiting] = deque()
        self._writer: asyncio.Task[None] | None = None
        # A second batch waits in line at SQLite's gate behind the one writing, so that its commit
        # hands the lock to texts, not to a job that came meanwhile (the jobs let texts in line go
        # first). Each batch reads the line only once the lock is its own, so texts keep their order.
        self._depth = 2
        #: PostgreSQL: each sender's latest text under way.
        self._last: dict[str, asyncio.Task[tuple[OutgoingText, ...]]] = {}

    async def receive(self, inbound: Inbound, window: InlineWindow) -> tuple[OutgoingText, ...]:
        """The replies that go back in the answer (none if the window closed first: they are
        queued); BudgetSpent at the window's deadline, ProcessingFailed if the text was not stored.
        Once in line the text is handled even if this request is cancelled meanwhile."""
        waiting = _Waiting(inbound, window.take)
        if self._inline_gate is None:
            # PostgreSQL: each text in a transaction of its own, at once on the pool's threads, as
            # before group commit. A batch held each sender's row lock until its commit, taken in
            # the order the texts came: against the dispatcher's claim, which locks by id, that could
            # deadlock, and one person's row held by another transaction held up everyone's texts.
            return await within(window, self._in_turn(waiting))
        self._line.append(waiting)
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_all())
        return await within(window, waiting.answer)

    def _in_turn(self, waiting: _Waiting) -> "asyncio.Task[tuple[OutgoingText, ...]]":
        """The text's own transaction, begun once the same sender's text before it is done, so
        that one person's texts are handled in the order they came."""
        address = waiting.inbound.address
        before = self._last.get(address)
        task = asyncio.ensure_future(self._after(before, waiting))
        self._last[address] = task
        task.add_done_callback(lambda done: self._last.get(address) is done and self._last.pop(address))
        # A request that gave up no longer reads the outcome: not an error.
        task.add_done_callback(lambda done: done.cancelled() or done.exception())
        return task

    async def _after(
        self, before: "asyncio.Task[tuple[OutgoingText, ...]] | None", waiting: _Waiting
    ) -> tuple[OutgoingText, ...]:
        if before is not None:
            await asyncio.wait([before])  # its outcome is its own request's
        replies = await self._offload.call(_alone, self._inbox, waiting)
        if self._observe is not None:
            self._observe(1)  # a transaction of one text, as the metric counts them on SQLite
        return replies

    async def _write_all(self) -> None:
        writing: set[asyncio.Future[list[tuple[_Waiting, Answer]]]] = set()
        failed = False
        try:
            while self._line or writing:
                if not writing:
                    await self._gather()
                    if failed:
                        self._answer([(waiting, ProcessingFailed(None)) for waiting in self._take_all()])
                        failed = False
                        continue
                    inline = self._inline_free()
                    if inline is not None:
                        try:
                            self._answer(take_together(inline, self._line, 1))
                            continue
                        except DatabaseBusy:
                            log.info("the database is busy: the texts are handled on a thread")
                while self._line and len(writing) < self._depth and not failed:
                    writing.add(asyncio.ensure_future(self._offload.call(take_or_busy, self._inbox, self._line)))
                if writing:
                    done, writing = await asyncio.wait(writing, return_when=asyncio.FIRST_COMPLETED)
                    for batch in done:
                        try:
                            self._answer(batch.result())
                        except Exception:
                            # Not one of the inbox's own outcomes (it answers those): a fault here.
                            # The texts still in line are answered 503, so that Twilio retries them.
                            log.exception("a batch of inbound texts failed")
                            failed = True
        finally:
            self._writer = None

    def _inline_free(self) -> Inbox | None:
        """The inbox to write on the loop with, if the lock is free. Not tried while one of the
        process's writers holds it or waits for it: that would only fail (BEGIN, an error, a rollback)."""
        if self._inline_gate is not None and self._inline_gate.taken():
            return None
        return self._inline_inbox

    def _take_all(self) -> list[_Waiting]:
        taken = list(self._line)
        self._line.clear()
        return taken

    async def _gather(self) -> None:
        """Let the requests the loop has in hand join the line: no wait for any still to come."""
        for _ in range(GATHER_PASSES):
            before = len(self._line)
            await asyncio.sleep(0)
            if len(self._line) == before or len(self._line) >= BATCH_MOST:
                return

    def _answer(self, answers: list[tuple[_Waiting, Answer]]) -> None:
        if not answers:
            return  # a batch that found the line empty once the lock was its own
        if len(answers) > 1:
            log.info("received %s texts in one transaction", len(answers))
        if self._observe is not None:
            self._observe(len(answers))
        for waiting, answer in answers:
            if waiting.answer.done():
                continue
            if isinstance(answer, ProcessingFailed):
                waiting.answer.set_exception(answer)
            else:
                waiting.answer.set_result(answer)


def take_together(
    inbox: Inbox, line: "deque[_Waiting]", attempts: int = RECEIVE_ATTEMPTS
) -> list[tuple[_Waiting, Answer]]:
    """Store and process the texts at the front of the line together, taking them out of it just
    before the commit; for each, the replies that go back in its answer (none if its window closed:
    they are queued). A stored text that could not be processed gets an apology, as when alone.
    DatabaseBusy (every attempt waited in vain) leaves the line as it was."""
    taken: list[_Waiting] = []

    def taking(count: int) -> None:
        taken.extend(line.popleft() for _ in range(count))

    outcomes = inbox.receive_together(line, MessageStatus.SENT, attempts, taking=taking)
    return [(waiting, _answer_of(inbox, waiting, outcome)) for waiting, outcome in zip(taken, outcomes, strict=True)]


def take_or_busy(inbox: Inbox, line: "deque[_Waiting]") -> list[tuple[_Waiting, Answer]]:
    """take_together on a thread. When every attempt waited for the lock in vain, the texts that were
    in line when it began have waited all of them: those are answered busy (Twilio may retry). Texts
    that came meanwhile stay in line, for attempts of their own."""
    waited = list(itertools.islice(line, BATCH_MOST))
    try:
        return take_together(inbox, line)
    except DatabaseBusy:
        busy: list[tuple[_Waiting, Answer]] = []
        for waiting in waited:
            with contextlib.suppress(ValueError):  # taken meanwhile by the batch ahead
                line.remove(waiting)
                busy.append((waiting, DatabaseBusy()))
        return busy


def _alone(inbox: Inbox, waiting: _Waiting) -> tuple[OutgoingText, ...]:
    """One text in a transaction of its own (PostgreSQL: see GroupCommit.receive), as `Inbox.receive`
    handles it: no savepoint around its storing, which a batch needs and a lone text does not."""
    outcome: Receipt | ProcessingFailed
    try:
        outcome = inbox.receive(waiting.inbound, MessageStatus.SENT, waiting.inline, RECEIVE_ATTEMPTS)
    except DatabaseBusy:
        raise
    except ProcessingFailed as failure:
        outcome = failure
    answer = _answer_of(inbox, waiting, outcome)
    if isinstance(answer, ProcessingFailed):
        raise answer
    return answer


def _answer_of(inbox: Inbox, arrival: Arrival, outcome: Receipt | ProcessingFailed) -> Answer:
    if isinstance(outcome, Receipt):
        return outcome.replies
    if outcome.message_id is None:
        return outcome
    try:
        apology = inbox.apologise(outcome.message_id, MessageStatus.SENT, arrival.inline)
    except OperationalError:
        # The text is stored, RECEIVED: the inbox's pending pass processes it and queues the replies.
        log.warning("the apology for a stored text waited for the database in vain; it is handled later")
        return ()
    return (apology,) if apology else ()
