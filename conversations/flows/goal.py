"""Goal: the participant names a goal in their own words, and one short question at a time makes it
SMART (what exactly, how they will know, by when). It is read back as they said it, never rewritten.

```mermaid
stateDiagram-v2
    [*] --> what: menu "my goal" (no goal yet) / "change my goal"
    what --> details: their words / GoalSet
    details --> measure: more detail, or OK to keep it as it is
    measure --> target: how they will know it is done
    target --> target: no date, a past one, or over a year away (questioned)
    target --> confirm: a date
    confirm --> plan: YES / GoalConfirmed (new) or GoalRevised (changed)
    confirm --> fix: NO
    fix --> what: 1 the goal
    fix --> details: 2 the details
    fix --> measure: 3 how they will know
    fix --> target: 4 the date
```
While fixing, each answer goes straight back to `confirm`. A changed goal keeps its steps: it only
goes on to plan more if none is left to do.
"""

from datetime import date
from functools import partial
from typing import Any

from casefile.goals import GoalConfirmed, GoalRevised, GoalSet
from conversations.flow import Flow, Step, Turn
from conversations.flows.asking import choose, in_words, yes_or_no
from conversations.flows.plan import PLAN_FLOW
from conversations.flows.when import A_YEAR, Horizon, date_answered, take_date
from conversations.keywords import fold
from conversations.model import Outcome, Reply

_KEEP_AS_IS = frozenset(
    ["ok", "okay", "k", "same", "no", "none", "nothing", "its clear", "that s it", "thats it", "skip", "no more"]
    + ["igual", "nada", "asi", "asi esta bien", "esta bien", "eso es todo", "nada mas", "ninguno", "ya"]
)
_FIXABLE = ("what", "details", "measure", "target")


def start_goal(turn: Turn, revising: int | None = None) -> Outcome:
    """Set a new goal, or (with the active goal's id) change the one they have."""
    return turn.ask(GOAL_FLOW, "what", revising=revising)


def _ask_what(turn: Turn) -> Reply:
    return Reply("goal_ask_what")


def _take_what(turn: Turn) -> Outcome:
    return in_words(turn, lambda words: _next(turn, "details", GoalSet(words=words), words=words), _ask_what(turn))


def _ask_details(turn: Turn) -> Reply:
    return Reply("goal_ask_details", {"words": turn.state.data["words"]})


def _take_details(turn: Turn) -> Outcome:
    details = "" if fold(turn.text) in _KEEP_AS_IS else turn.text
    return _next(turn, "measure", details=details)


def _ask_measure(turn: Turn) -> Reply:
    return Reply("goal_ask_measure")


def _take_measure(turn: Turn) -> Outcome:
    return in_words(turn, lambda words: _next(turn, "target", measure=words), _ask_measure(turn))


def _ask_target(turn: Turn) -> Reply:
    return Reply("goal_ask_target")


def _take_target(turn: Turn) -> Outcome:
    target = take_date(turn, GOAL_FLOW, Horizon(turn.today + A_YEAR))
    if isinstance(target, Outcome):
        return target
    return turn.ask(GOAL_FLOW, "confirm", **date_answered(target=target.isoformat(), fixing=None))


def _next(turn: Turn, step: str, *facts: GoalSet, **answer: str) -> Outcome:
    """The next SMART question, or the read-back when this answer fixed one part."""
    if turn.state.data.get("fixing"):
        return turn.ask(GOAL_FLOW, "confirm", facts=facts, fixing=None, **answer)
    return turn.ask(GOAL_FLOW, step, facts=facts, **answer)


def _draft(turn: Turn) -> dict[str, Any]:
    """The goal as answered so far: what is read back, and what is confirmed."""
    data = turn.state.data
    return {
        "words": data["words"],
        "details": data["details"] or None,
        "measure": data["measure"],
        "target": date.fromisoformat(data["target"]),
    }


def _read_back(turn: Turn) -> Reply:
    return Reply("goal_readback", _draft(turn))


def _take_confirmation(turn: Turn) -> Outcome:
    return yes_or_no(turn, lambda: _confirmed(turn), lambda: turn.ask(GOAL_FLOW, "fix"), _read_back(turn))


def _confirmed(turn: Turn) -> Outcome:
    goal = _draft(turn)
    revising = turn.state.data.get("revising")
    current = turn.participant.goal
    if revising is not None and current is not None and current.id == revising:
        fact = GoalRevised(goal_id=revising, **goal)
        if current.pending:
            return turn.answer(Reply("goal_updated"), state=turn.state.reset(), facts=(fact,))
        return PLAN_FLOW.start(turn, fact)
    if current is not None:
        # A goal became active since this one was begun (another channel): keep theirs, say so.
        return turn.answer(Reply("goal_already_set"), state=turn.state.reset())
    return PLAN_FLOW.start(turn, GoalConfirmed(**goal))


def _ask_fix(turn: Turn) -> Reply:
    return Reply("goal_ask_fix")


def _take_fix(turn: Turn) -> Outcome:
    return choose(turn, [partial(turn.ask, GOAL_FLOW, part, fixing=True) for part in _FIXABLE], _ask_fix(turn))


GOAL_FLOW = Flow(
    name="goal",
    steps={
        "what": Step(prompt=_ask_what, handle=_take_what),
        "details": Step(prompt=_ask_details, handle=_take_details),
        "measure": Step(prompt=_ask_measure, handle=_take_measure),
        "target": Step(prompt=_ask_target, handle=_take_target),
        "confirm": Step(prompt=_read_back, handle=_take_confirmation),
        "fix": Step(prompt=_ask_fix, handle=_take_fix),
    },
)
