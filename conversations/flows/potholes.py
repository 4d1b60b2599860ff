""" "Potholes and detours" (seed 002): what got in the way, in a category or the participant's own
words, then the counselor's help offered. Shared by the check-in on a step and the hours report;
each flow names its own steps "barrier", "barrier_words" and "support", and says what follows.
"""

from collections.abc import Callable

from casefile.goals import BarrierRaised, StepMissed, SupportRequested
from casefile.vocabulary import Barrier
from conversations.barriers import names_only_other, read_barrier
from conversations.flow import Flow, Turn
from conversations.flows.asking import yes_or_no
from conversations.model import Outcome, Reply


def take_barrier(turn: Turn, flow: Flow, step_id: int | None) -> Outcome:
    """The answer to "what got in the way?": a number, their words, or "something else" (then asked)."""
    if names_only_other(turn.text):
        return turn.ask(flow, "barrier_words")
    return raise_barrier(turn, flow, read_barrier(turn.text) or Barrier.OTHER, step_id)


def take_barrier_words(turn: Turn, flow: Flow, step_id: int | None) -> Outcome:
    return raise_barrier(turn, flow, read_barrier(turn.text) or Barrier.OTHER, step_id)


def raise_barrier(turn: Turn, flow: Flow, category: Barrier, step_id: int | None, *earlier: StepMissed) -> Outcome:
    fact = BarrierRaised(category=category, words=turn.text, step_id=step_id)
    return turn.ask(flow, "support", facts=(*earlier, fact), category=category.value)


def ask_barrier_words(turn: Turn) -> Reply:
    return Reply("barrier_ask_words")


def ask_support(turn: Turn) -> Reply:
    return Reply("support_offer", {"counselor_name": turn.participant.counselor_name})


def take_support(
    turn: Turn, step_id: int | None, on_yes: Callable[[SupportRequested], Outcome], on_no: Callable[[], Outcome]
) -> Outcome:
    """YES: the counselor is asked to help (SupportRequested, passed to `on_yes`); NO: `on_no`."""
    requested = SupportRequested(category=Barrier(turn.state.data["category"]), step_id=step_id)
    return yes_or_no(turn, lambda: on_yes(requested), on_no, ask_support(turn))
