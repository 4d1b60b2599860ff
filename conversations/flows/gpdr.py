"""Goal–Plan–Do–Review as one cycle: where a participant's goal stands decides which flow goes on.

| where the goal stands          | "GOAL" from the menu        | any other text at the menu           |
| ------------------------------ | --------------------------- | ------------------------------------ |
| no goal                        | set one (goal flow)         | the menu                             |
| a goal with no steps           | plan them (plan flow)       | the menu                             |
| a step whose date has come     | check in on it              | check in on it (or take "done" etc.) |
| steps pending, none due yet    | check in on the next one    | the menu                             |
| every step done                | review the goal             | the menu                             |

"MY GOAL" / "MI META" works anywhere: the goal and its steps, then the question in progress again.
"""

from casefile.goals import GoalPlan
from conversations.answers import read_check_in
from conversations.flow import Turn
from conversations.flows.checkin import CHECKIN_FLOW, check_in_on
from conversations.flows.goal import start_goal
from conversations.flows.plan import PLAN_FLOW
from conversations.flows.review import REVIEW_FLOW
from conversations.model import Outcome, Reply


def work_on_goal(turn: Turn) -> Outcome:
    goal = turn.participant.goal
    if goal is None:
        return start_goal(turn)
    if not goal.steps:
        return PLAN_FLOW.start(turn)
    if goal.all_done:
        return REVIEW_FLOW.start(turn)
    return check_in_on(turn, goal.due_step(turn.today) or goal.pending[0])


def check_in_if_due(turn: Turn) -> Outcome | None:
    """At the menu, a step whose date has come is asked about first; an answer to that question
    ("done", "not yet", "stuck") sent before it was asked is taken as the answer."""
    goal = turn.participant.goal
    step = goal.due_step(turn.today) if goal is not None else None
    if step is None:
        return None
    if read_check_in(turn.text) is not None:
        return CHECKIN_FLOW.steps["how"].handle(turn.moved(turn.to(CHECKIN_FLOW, "how", step_id=step.id)))
    return check_in_on(turn, step)


def goal_summary(turn: Turn) -> Reply:
    goal = turn.participant.goal
    if goal is None:
        return Reply("no_goal")
    return Reply("goal_summary", _summary_params(goal))


def _summary_params(goal: GoalPlan) -> dict[str, object]:
    return {
        "words": goal.words,
        "target": goal.target,
        "steps": [{"text": step.text, "due": step.due, "done": step.done} for step in goal.steps],
    }
