"""The shape every flow has: a table of steps, each with the question it asks and how it takes an answer."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from casefile.facts import Fact
from conversations.model import ConversationState, InboundText, Outcome, ParticipantView, Reply


@dataclass(frozen=True)
class Turn:
    """One inbound message in context: everything a step may look at."""

    participant: ParticipantView
    state: ConversationState
    inbound: InboundText
    now: datetime
    #: The flow the participant was in was dropped as stale just now: the menu says so.
    starting_fresh: bool = False

    @property
    def text(self) -> str:
        return self.inbound.text.strip()

    @property
    def today(self) -> date:
        """The participant's date, in their time zone."""
        return self.now.astimezone(_zone(self.participant.time_zone)).date()

    def moved(self, state: ConversationState) -> "Turn":
        """This turn as seen from another step, to ask that step's question."""
        return Turn(self.participant, state, self.inbound, self.now, self.starting_fresh)

    def to(self, flow: "Flow", step: str, **changes: Any) -> ConversationState:
        """The state at a step of a flow, carrying this flow's data along when it stays in it;
        a change to None drops that item."""
        kept = self.state.data if self.state.flow == flow.name else {}
        data = {key: value for key, value in {**kept, **changes}.items() if value is not None}
        return self.state.at(flow.name, step, **data)

    def ask(self, flow: "Flow", step: str, *before: Reply, facts: tuple[Fact, ...] = (), **changes: Any) -> Outcome:
        """Go to a step and ask its question, after any replies given first."""
        state = self.to(flow, step, **changes)
        return self.answer(*before, flow.steps[step].prompt(self.moved(state)), state=state, facts=facts)

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
        return Outcome(replies=(self.steps[step].prompt(turn.moved(state)),), state=state, facts=facts)


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
