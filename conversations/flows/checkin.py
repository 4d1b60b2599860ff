"""Do and Revise: a check-in on the step that is due, and "potholes and detours" when one is stuck.

```mermaid
stateDiagram-v2
    [*] --> how: a step is due (they texted in, or the scheduler asks)
    how --> [*]: done / StepDone, celebrated; "next step: …"
    how --> how: done, and another step is due / StepDone, next check-in
    how --> review: done, and it was the last step / StepDone
    how --> [*]: not yet, before its date / "you have until …"
    how --> new_date: not yet, date come / StepMissed
    how --> barrier: stuck
    how --> support: an answer that says what got in the way ("no cuz my kid was sick") / StepMissed, BarrierRaised
    new_date --> [*]: a date / DateRevised
    barrier --> barrier_words: 8 / other (not said what)
    barrier --> support: 1-7, or their words / BarrierRaised
    barrier_words --> support: their words / BarrierRaised (other)
    support --> revise: YES / SupportRequested, or NO
    revise --> new_date: 1 same step, new date
    revise --> new_text: 2 a different step
    new_text --> new_text_date: the new step
    new_text_date --> [*]: a date / StepChanged
```
Missed steps are revised, never scolded. The step asked about is kept in the data (`step_id`); if
it is gone by the next message (changed from another channel), the check-in starts over.
"""

from collections.abc import Callable
from functools import partial

from casefile.goals import (
    DateRevised,
    PlannedStep,
    StepChanged,
    StepDone,
    StepMissed,
)
from conversations.answers import CheckIn
from conversations.barriers import read_step_answer
from conversations.flow import Flow, Step, Turn
from conversations.flows.asking import choose, in_words
from conversations.flows.hours import unless_hours
from conversations.flows.plan import step_horizon
from conversations.flows.potholes import (
    ask_barrier_words,
    ask_support,
    raise_barrier,
    take_barrier,
    take_barrier_words,
    take_support,
)
from conversations.flows.review import REVIEW_FLOW
from conversations.flows.when import take_date
from conversations.model import Outcome, Reply

Handler = Callable[[Turn], Outcome]
StepHandler = Callable[[Turn, PlannedStep], Outcome]


def check_in_on(turn: Turn, step: PlannedStep, *before: Reply) -> Outcome:
    return turn.ask(CHECKIN_FLOW, "how", *before, step_id=step.id)


def _step(turn: Turn) -> PlannedStep | None:
    goal = turn.participant.goal
    return goal.step(turn.state.data["step_id"]) if goal is not None else None


def _ask_how(turn: Turn) -> Reply:
    step = _step(turn)
    if step is None:
        return Reply("checkin_step_gone")
    return Reply(
        "checkin_ask",
        {"first_name": turn.participant.first_name, "text": step.text, "due": step.due, "late": step.due < turn.today},
    )


def _about_a_step(handle: StepHandler) -> Handler:
    """Run a handler only while the step it is about still exists; otherwise say so and stop."""

    def guarded(turn: Turn) -> Outcome:
        step = _step(turn)
        if step is None or step.done:
            return turn.answer(Reply("checkin_step_gone"), state=turn.state.reset())
        return handle(turn, step)

    return guarded


def _take_how(turn: Turn, step: PlannedStep) -> Outcome:
    answer, barrier = read_step_answer(turn.text)
    if answer is CheckIn.DONE:
        return _done(turn, step)
    # Not done (yet) on or after its date: the step is missed, and revised next.
    missed = (StepMissed(step_id=step.id, text=step.text, due=step.due),) if step.due <= turn.today else ()
    if barrier is not None:
        # "no cuz my kid was sick", "my car broke down": not done, and why; both are taken.
        return raise_barrier(turn, CHECKIN_FLOW, barrier, step.id, *missed)
    if answer is CheckIn.NOT_YET:
        if not missed:
            return turn.answer(Reply("not_due_yet", {"due": step.due}), state=turn.state.reset())
        return turn.ask(CHECKIN_FLOW, "new_date", facts=missed)
    if answer is CheckIn.STUCK:
        return turn.ask(CHECKIN_FLOW, "barrier", facts=missed)
    return turn.answer(Reply("checkin_not_understood"))


def _done(turn: Turn, step: PlannedStep) -> Outcome:
    goal = turn.participant.goal
    assert goal is not None
    fact = StepDone(step_id=step.id, text=step.text)
    after = goal.with_step_done(step.id)
    if after.all_done:
        return turn.ask(REVIEW_FLOW, "reached", Reply("step_done", {"text": step.text}), facts=(fact,))
    due = after.due_step(turn.today)
    if due is not None:
        return turn.ask(CHECKIN_FLOW, "how", Reply("step_done", {"text": step.text}), facts=(fact,), step_id=due.id)
    following = after.pending[0]
    return turn.answer(
        Reply("step_done_next", {"text": step.text, "next_text": following.text, "next_due": following.due}),
        state=turn.state.reset(),
        facts=(fact,),
    )


def _ask_new_date(turn: Turn) -> Reply:
    return Reply("checkin_ask_new_date")


def _take_new_date(turn: Turn, step: PlannedStep) -> Outcome:
    due = take_date(turn, CHECKIN_FLOW, step_horizon(turn))
    if isinstance(due, Outcome):
        return due
    return turn.answer(
        Reply("date_revised", {"text": step.text, "due": due}),
        state=turn.state.reset(),
        facts=(DateRevised(step_id=step.id, text=step.text, previous_due=step.due, due=due),),
    )


def _ask_barrier(turn: Turn) -> Reply:
    return Reply("barrier_ask")


def _take_barrier(turn: Turn, step: PlannedStep) -> Outcome:
    return take_barrier(turn, CHECKIN_FLOW, step.id)


def _take_barrier_words(turn: Turn, step: PlannedStep) -> Outcome:
    return take_barrier_words(turn, CHECKIN_FLOW, step.id)


def _take_support(turn: Turn, step: PlannedStep) -> Outcome:
    return take_support(
        turn,
        step.id,
        lambda requested: turn.ask(CHECKIN_FLOW, "revise", facts=(requested,), told_counselor=True),
        lambda: turn.ask(CHECKIN_FLOW, "revise"),
    )


def _ask_revise(turn: Turn) -> Reply:
    return Reply(
        "revise_ask",
        {
            "told_counselor": bool(turn.state.data.get("told_counselor")),
            "counselor_name": turn.participant.counselor_name,
        },
    )


def _take_revise(turn: Turn, step: PlannedStep) -> Outcome:
    return choose(
        turn,
        [partial(turn.ask, CHECKIN_FLOW, then, told_counselor=None) for then in ("new_date", "new_text")],
        _ask_revise(turn),
    )


def _ask_new_text(turn: Turn) -> Reply:
    return Reply("revise_ask_step")


def _take_new_text(turn: Turn, step: PlannedStep) -> Outcome:
    return in_words(turn, lambda words: turn.ask(CHECKIN_FLOW, "new_text_date", text=words), _ask_new_text(turn))


def _ask_new_text_date(turn: Turn) -> Reply:
    return Reply("plan_ask_step_date", {"text": turn.state.data["text"]})


def _take_new_text_date(turn: Turn, step: PlannedStep) -> Outcome:
    due = take_date(turn, CHECKIN_FLOW, step_horizon(turn))
    if isinstance(due, Outcome):
        return due
    text = turn.state.data["text"]
    fact = StepChanged(step_id=step.id, previous_text=step.text, text=text, due=due)
    return turn.answer(
        Reply("step_changed", {"text": text, "due": due}),
        state=turn.state.reset(),
        facts=(fact,),
    )


CHECKIN_FLOW = Flow(
    name="checkin",
    steps={
        "how": Step(prompt=_ask_how, handle=_about_a_step(_take_how)),
        "new_date": Step(prompt=_ask_new_date, handle=_about_a_step(_take_new_date)),
        "barrier": Step(prompt=_ask_barrier, handle=unless_hours(_about_a_step(_take_barrier))),
        "barrier_words": Step(prompt=ask_barrier_words, handle=unless_hours(_about_a_step(_take_barrier_words))),
        "support": Step(prompt=ask_support, handle=unless_hours(_about_a_step(_take_support))),
        "revise": Step(prompt=_ask_revise, handle=_about_a_step(_take_revise)),
        "new_text": Step(prompt=_ask_new_text, handle=_about_a_step(_take_new_text)),
        "new_text_date": Step(prompt=_ask_new_text_date, handle=_about_a_step(_take_new_text_date)),
    },
)
