"""The shape every flow has: a table of steps, each with the question it asks and how it takes an answer."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from casefile.facts import Fact
from conversations.model import ConversationState, InboundText, Outcome, ParticipantView, Reply


@dataclass(frozen=True)
class Turn:
    """One inbound message in context: everything a step may look at."""

    participant: ParticipantView
    state: ConversationState
    inbound: InboundText
    now: datetime

    @property
    def text(self) -> str:
        return self.inbound.text.strip()

    def answer(
        self,
        *replies: Reply,
        state: ConversationState | None = None,
        facts: tuple[Fact, ...] = (),
    ) -> Outcome:
        """An outcome that keeps the current state unless another is given."""
        return Outcome(replies=replies, state=state if state is not None else self.state, facts=facts)


@dataclass(frozen=True)
class Step:
    #: The question this step asks; asked again after HELP, a language change or a blank answer.
    prompt: Callable[[Turn], Reply]
    handle: Callable[[Turn], Outcome]


@dataclass(frozen=True)
class Flow:
    name: str
    steps: Mapping[str, Step]
    #: A flow left alone this long is dropped: the next message starts afresh at the menu.
    stale_after: timedelta = timedelta(hours=24)

    def first_step(self) -> str:
        return next(iter(self.steps))

    def start(self, turn: Turn, *facts: Fact) -> Outcome:
        step = self.first_step()
        state = turn.state.at(self.name, step)
        moved = Turn(turn.participant, state, turn.inbound, turn.now)
        return Outcome(replies=(self.steps[step].prompt(moved),), state=state, facts=facts)
