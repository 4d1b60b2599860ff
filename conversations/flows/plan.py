"""Plan: one to three small steps toward the goal, each with the date to check on it.

```mermaid
stateDiagram-v2
    [*] --> step_text: goal confirmed / "add a step"
    step_text --> step_date: the step, in their words
    step_date --> step_date: no date, a past one, or a far one (questioned)
    step_date --> more: a date / StepPlanned, "Got it. Another step?"
    step_date --> [*]: a date, third step / StepPlanned, "Your plan is ready"
    more --> step_text: YES
    more --> [*]: NO / "Your plan is ready; I'll check in on <first date>"
```
A step's date is questioned when it falls after the goal's own date (or over a year away).
"""

from casefile.goals import StepPlanned
from conversations.flow import Flow, Step, Turn
from conversations.flows.asking import in_words, yes_or_no
from conversations.flows.when import A_YEAR, Horizon, date_answered, take_date
from conversations.model import Outcome, Reply

#: "One to three small steps" at a time; after a review, more can be added the same way.
MOST_STEPS_AT_ONCE = 3


def _ask_step(turn: Turn) -> Reply:
    goal = turn.participant.goal
    first = not turn.state.data.get("planned") and (goal is None or not goal.steps)
    return Reply("plan_ask_first_step" if first else "plan_ask_next_step")


def _take_step(turn: Turn) -> Outcome:
    return in_words(turn, lambda words: turn.ask(PLAN_FLOW, "step_date", text=words), _ask_step(turn))


def _ask_step_date(turn: Turn) -> Reply:
    return Reply("plan_ask_step_date", {"text": turn.state.data["text"]})


def step_horizon(turn: Turn) -> Horizon:
    """How far off a step's date may be before it is questioned: the goal's date, or a year."""
    goal = turn.participant.goal
    a_year = turn.today + A_YEAR
    if goal is not None and turn.today <= goal.target < a_year:
        return Horizon(goal.target, "date_after_goal", goal.target)
    return Horizon(a_year)


def _take_step_date(turn: Turn) -> Outcome:
    goal = turn.participant.goal
    if goal is None:
        # The goal was reached or replaced elsewhere since this plan started.
        return turn.answer(Reply("plan_no_goal"), state=turn.state.reset())
    due = take_date(turn, PLAN_FLOW, step_horizon(turn))
    if isinstance(due, Outcome):
        return due
    text = turn.state.data["text"]
    planned = turn.state.data.get("planned", 0) + 1
    soonest = min([due, *(step.due for step in goal.pending)])
    fact = StepPlanned(goal_id=goal.id, text=text, due=due)
    if planned >= MOST_STEPS_AT_ONCE:
        return turn.answer(Reply("plan_done", {"day": soonest}), state=turn.state.reset(), facts=(fact,))
    return turn.answer(
        Reply("plan_step_saved", {"text": text, "due": due}),
        state=turn.to(PLAN_FLOW, "more", **date_answered(planned=planned, text=None)),
        facts=(fact,),
    )


def _ask_more(turn: Turn) -> Reply:
    return Reply("plan_ask_more")


def _take_more(turn: Turn) -> Outcome:
    return yes_or_no(turn, lambda: turn.ask(PLAN_FLOW, "step_text"), lambda: _plan_done(turn), _ask_more(turn))


def _plan_done(turn: Turn) -> Outcome:
    goal = turn.participant.goal
    if goal is None or not goal.pending:
        return turn.answer(Reply("plan_no_goal"), state=turn.state.reset())
    return turn.answer(Reply("plan_done", {"day": goal.pending[0].due}), state=turn.state.reset())


PLAN_FLOW = Flow(
    name="plan",
    steps={
        "step_text": Step(prompt=_ask_step, handle=_take_step),
        "step_date": Step(prompt=_ask_step_date, handle=_take_step_date),
        "more": Step(prompt=_ask_more, handle=_take_more),
    },
)
