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
"""

import asyncio
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
        # With SQLite's gate, a second batch waits in line for the lock behind the one writing, so
        # that its commit hands the lock to texts, not to a job that came meanwhile (the jobs let
        # texts in line go first). Each batch reads the line only once the lock is its own, so
        # texts keep their order. Without a gate (PostgreSQL) two batches would run at once, and
        # one person's texts could be handled out of order: one at a time there.
        self._depth = 2 if inline_gate is not None else 1

    async def receive(self, inbound: Inbound, window: InlineWindow) -> tuple[OutgoingText, ...]:
        """The replies that go back in the answer (none if the window closed first: they are
        queued); BudgetSpent at the window's deadline, ProcessingFailed if the text was not stored.
        Once in line the text is handled even if this request is cancelled meanwhile."""
        waiting = _Waiting(inbound, window.take)
        self._line.append(waiting)
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_all())
        return await within(window, waiting.answer)

    async def _write_all(self) -> None:
        writing: set[asyncio.Future[list[tuple[_Waiting, Answer]]]] = set()
        busy = False
        try:
            while self._line or writing:
                if not writing:
                    await self._gather()
                    if busy:
                        # Every attempt waited for the database in vain: Twilio is asked to retry.
                        self._answer([(waiting, DatabaseBusy()) for waiting in self._take_all()])
                        busy = False
                        continue
                    inline = self._inline_free()
                    if inline is not None:
                        try:
                            self._answer(take_together(inline, self._line, 1))
                            continue
                        except DatabaseBusy:
                            log.info("the database is busy: the texts are handled on a thread")
                while self._line and len(writing) < self._depth and not busy:
                    writing.add(asyncio.ensure_future(self._offload.call(take_together, self._inbox, self._line)))
                if writing:
                    done, writing = await asyncio.wait(writing, return_when=asyncio.FIRST_COMPLETED)
                    for batch in done:
                        try:
                            self._answer(batch.result())
                        except DatabaseBusy:
                            busy = True
                        except Exception:
                            # Not one of the inbox's own outcomes (it answers those): a fault here.
                            # The texts still in line are answered 503, so that Twilio retries them.
                            log.exception("a batch of inbound texts failed")
                            busy = True
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
    return [(waiting, _answer(inbox, waiting, outcome)) for waiting, outcome in zip(taken, outcomes, strict=True)]


def _answer(inbox: Inbox, arrival: Arrival, outcome: Receipt | ProcessingFailed) -> Answer:
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
