"""Texts that arrive together are stored and processed in one write transaction (group commit).

Each webhook request puts its text in line and waits for its answer. One writer at a time takes
what is in line when it becomes free (at most MAX_BATCH texts) and hands it to
`Inbox.receive_together`: one BEGIN, savepoints for each text, one commit; then every request is
answered. Session set-up, BEGIN and the commit were about 18% of a text's CPU (issue 19) and are
now paid once a batch. A text that comes alone goes at once: the writer waits for no company,
it only lets the requests the event loop has in hand reach the line first (one pass of the loop,
and another only while the line still grows).

Where a batch runs is as for one text before: on the event loop while no other writer of this
process holds SQLite's write lock or waits for it (it then waits 50 ms at most for the lock), else
on a thread, in line at the write gate. While it runs on a thread the loop goes on reading requests,
which make the next batch. The batch stops taking texts once it has held the lock
`inbox.BATCH_HOLD_SECONDS`; those not taken go first in the next one.
"""

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.exc import OperationalError

from bot.inbox import RECEIVE_ATTEMPTS, Arrival, DatabaseBusy, Inbound, Inbox, ProcessingFailed, Receipt
from bot.offload import InlineWindow, Offload, within
from bot.processing import OutgoingText
from casefile.vocabulary import MessageStatus
from casefile.write_gate import WriteGate

log = logging.getLogger(__name__)

#: The most texts in one batch: wrk's and Twilio's bursts keep about 32 requests in flight. The
#: hold (inbox.BATCH_HOLD_SECONDS) is what bounds a batch under load; this bounds the line's passes.
MAX_BATCH = 32
#: The most passes of the event loop the writer lets go by while the line grows (each is one pass
#: over what the loop has ready, tens of microseconds): never a wait for requests not yet come.
GATHER_PASSES = 4

#: What a request gets: its replies, or why it must be answered 503.
Answer = tuple[OutgoingText, ...] | ProcessingFailed


@dataclass(eq=False)
class _Waiting:
    inbound: Inbound
    window: InlineWindow
    answer: "asyncio.Future[tuple[OutgoingText, ...]]" = field(default_factory=lambda: _future())


def _future() -> "asyncio.Future[tuple[OutgoingText, ...]]":
    future: asyncio.Future[tuple[OutgoingText, ...]] = asyncio.get_running_loop().create_future()
    # A request that gave up (its budget, or its client) no longer reads the answer: not an error.
    future.add_done_callback(lambda done: done.cancelled() or done.exception())
    return future


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
        self._line: deque[_Waiting] = deque()
        self._writer: asyncio.Task[None] | None = None

    async def receive(self, inbound: Inbound, window: InlineWindow) -> tuple[OutgoingText, ...]:
        """The replies that go back in the answer (none if the window closed first: they are
        queued); BudgetSpent at the window's deadline, ProcessingFailed if the text was not stored.
        Once in line the text is handled even if this request is cancelled meanwhile."""
        waiting = _Waiting(inbound, window)
        self._line.append(waiting)
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_all())
        return await within(window, waiting.answer)

    async def _write_all(self) -> None:
        try:
            while self._line:
                await self._gather()
                batch = [self._line.popleft() for _ in range(min(MAX_BATCH, len(self._line)))]
                answers = await self._write(batch)
                # Those a batch did not take (it had held the lock long enough) go first in the next.
                self._line.extendleft(reversed(batch[len(answers) :]))
                for waiting, answer in zip(batch, answers, strict=False):
                    if waiting.answer.done():
                        continue
                    if isinstance(answer, ProcessingFailed):
                        waiting.answer.set_exception(answer)
                    else:
                        waiting.answer.set_result(answer)
        finally:
            self._writer = None

    async def _gather(self) -> None:
        """Let the requests the loop has in hand join the line: no wait for any still to come."""
        for _ in range(GATHER_PASSES):
            before = len(self._line)
            await asyncio.sleep(0)
            if len(self._line) in (before, MAX_BATCH) or len(self._line) > MAX_BATCH:
                return

    async def _write(self, batch: list[_Waiting]) -> list[Answer]:
        arrivals = [Arrival(waiting.inbound, waiting.window.take) for waiting in batch]
        began = time.monotonic()
        try:
            answers = await self._answers(arrivals)
        except Exception:
            # Not one of the inbox's own outcomes: whether it committed is not known, so the
            # provider is asked to deliver again (a redelivery of a committed text is answered once).
            log.exception("a batch of %s inbound texts failed", len(batch))
            answers = [ProcessingFailed(None) for _ in batch]
        if len(answers) > 1:
            log.info("received %s texts in one transaction (%.1f ms)", len(answers), (time.monotonic() - began) * 1000)
        if self._observe is not None:
            self._observe(len(answers))
        return answers

    async def _answers(self, arrivals: list[Arrival]) -> list[Answer]:
        # Not tried on the loop while one of the process's writers holds the lock or waits for it:
        # the attempt would only fail (a transaction begun, an error, a rollback).
        if self._inline_inbox is not None and not (self._inline_gate is not None and self._inline_gate.taken()):
            try:
                return answer_together(self._inline_inbox, arrivals, 1)
            except DatabaseBusy:
                log.info("the database is busy: %s texts are handled on a thread", len(arrivals))
        try:
            return await self._offload.call(answer_together, self._inbox, arrivals, RECEIVE_ATTEMPTS)
        except DatabaseBusy as busy:
            return [busy for _ in arrivals]


def answer_together(inbox: Inbox, arrivals: Sequence[Arrival], attempts: int) -> list[Answer]:
    """Store and process texts together; for each one taken, the replies that go back in its answer
    (none if its window closed: they are queued). A stored text that could not be processed gets
    an apology, as when it comes alone."""
    outcomes = inbox.receive_together(arrivals, MessageStatus.SENT, attempts)
    return [_answer(inbox, arrival, outcome) for arrival, outcome in zip(arrivals, outcomes, strict=False)]


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
