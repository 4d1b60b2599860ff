"""Review: every step is done, so was the goal reached? A reached goal is celebrated, then a new
one is offered; one not reached yet gets another step or a changed goal, never a scolding.

```mermaid
stateDiagram-v2
    [*] --> reached: the last step is done / the menu, with every step done
    reached --> new_goal: YES / GoalReached, celebrated
    reached --> next_move: NOT YET
    next_move --> plan: 1 add a step
    next_move --> goal: 2 change my goal
    new_goal --> goal: YES
    new_goal --> [*]: NO / "text GOAL any time"
```
"""

from casefile.goals import GoalPlan, GoalReached
from conversations.flow import Flow, Step, Turn
from conversations.flows.asking import choose, yes_or_no
from conversations.flows.goal import start_goal
from conversations.flows.plan import PLAN_FLOW
from conversations.model import Outcome, Reply


def _ask_reached(turn: Turn) -> Reply:
    goal = turn.participant.goal
    return Reply("goal_review", {"words": goal.words if goal is not None else ""})


def _take_reached(turn: Turn) -> Outcome:
    goal = turn.participant.goal
    if goal is None:
        return turn.ask(REVIEW_FLOW, "new_goal")
    return yes_or_no(
        turn,
        lambda: _celebrate(turn, goal),
        lambda: turn.ask(REVIEW_FLOW, "next_move"),
        _ask_reached(turn),
        "yes_or_not_yet",
    )


def _celebrate(turn: Turn, goal: GoalPlan) -> Outcome:
    return turn.answer(
        Reply("goal_reached", {"first_name": turn.participant.first_name, "words": goal.words}),
        state=turn.to(REVIEW_FLOW, "new_goal"),
        facts=(GoalReached(goal_id=goal.id, words=goal.words),),
    )


def _ask_next_move(turn: Turn) -> Reply:
    return Reply("review_ask_next")


def _take_next_move(turn: Turn) -> Outcome:
    goal = turn.participant.goal
    if goal is None:
        # Reached or changed from another channel meanwhile: a new goal is what is left to do.
        return start_goal(turn)
    return choose(
        turn, [lambda: PLAN_FLOW.start(turn), lambda: start_goal(turn, revising=goal.id)], _ask_next_move(turn)
    )


def _ask_new_goal(turn: Turn) -> Reply:
    return Reply("goal_offer_new")


def _take_new_goal(turn: Turn) -> Outcome:
    return yes_or_no(
        turn,
        lambda: start_goal(turn),
        lambda: turn.answer(Reply("new_goal_later"), state=turn.state.reset()),
        _ask_new_goal(turn),
    )


REVIEW_FLOW = Flow(
    name="review",
    steps={
        "reached": Step(prompt=_ask_reached, handle=_take_reached),
        "next_move": Step(prompt=_ask_next_move, handle=_take_next_move),
        "new_goal": Step(prompt=_ask_new_goal, handle=_take_new_goal),
    },
)
