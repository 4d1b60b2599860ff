"""Asking "by when?": shared by every step that takes a date (a goal's, a step's, a new date).

A date in the past is questioned and not taken; one far off (or after the goal's own date) is read
back and taken only on a YES; two possible readings ("5/12" from a Spanish speaker) are offered
as 1 and 2. The question in progress lives in the step's data (`pending`, `choices`), so the step
itself stays the same and HELP or a language change re-asks it unchanged.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from conversations.answers import read_choice, read_yes_no
from conversations.dates import Toward, read_date
from conversations.flow import Flow, Turn
from conversations.model import Outcome, Reply

#: Further off than this, a date is read back before it is taken.
A_YEAR = timedelta(days=365)


@dataclass(frozen=True)
class Horizon:
    """The latest date taken without a question, and the reply that asks about a later one."""

    latest: date
    question: str = "date_far"
    #: Extra parameters of that question (the goal's date, for "after your goal's date").
    target: date | None = None


def take_date(turn: Turn, flow: Flow, horizon: Horizon) -> date | Outcome:
    """The date the participant gave, or the outcome that questions their answer."""
    data = turn.state.data
    choices = data.get("choices")
    if choices:
        picked = read_choice(turn.text, len(choices))
        if picked is not None:
            return date.fromisoformat(choices[picked - 1])
    pending = data.get("pending")
    if pending:
        agreed = read_yes_no(turn.text)
        if agreed:
            return date.fromisoformat(pending)
        if agreed is False:
            return _ask_again(turn, flow, Reply("date_ask_other"))
    reading = read_date(turn.text, turn.today, Toward.FUTURE, turn.participant.language)
    if reading.ambiguous:
        days = sorted(reading.days)[:2]
        return turn.answer(
            Reply("date_which", {"days": days}),
            state=turn.to(flow, turn.state.step, choices=[day.isoformat() for day in days], pending=None),
        )
    day = reading.day
    if day is None:
        return _ask_again(turn, flow, Reply("date_not_understood"))
    if day < turn.today:
        return _ask_again(turn, flow, Reply("date_passed", {"day": day}))
    if day > horizon.latest:
        return turn.answer(
            Reply(horizon.question, {"day": day, "target": horizon.target}),
            state=turn.to(flow, turn.state.step, pending=day.isoformat(), choices=None),
        )
    return day


def _ask_again(turn: Turn, flow: Flow, reply: Reply) -> Outcome:
    return turn.answer(reply, state=turn.to(flow, turn.state.step, pending=None, choices=None))


def date_answered(**changes: Any) -> dict[str, Any]:
    """The data changes that close a date question once a date is taken."""
    return {"pending": None, "choices": None, **changes}
