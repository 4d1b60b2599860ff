"""Reporting participation hours: read, asked about where unclear, read back, corrected, saved.

```mermaid
stateDiagram-v2
    [*] --> ask: 2 / HOURS / HORAS at the menu
    [*] --> which: hours in any text at the menu ("worked 6 hrs today")
    ask --> which: the hours
    ask --> ask: an amount not settled ("2 or 3 hours") / one number asked for
    state which <<choice>>
    which --> which_date: a day that reads two ways ("2/3")
    which --> which_day: no day ("eight hours")
    which --> which_activity: no activity, and the plan has several
    which --> confirm: all clear / HoursReported (HoursCorrected after a fix)
    which_date --> which
    which_day --> which
    which_activity --> which
    confirm --> fix: NO
    confirm --> which: a correction ("change monday to 7", "remove tue")
    fix --> which: a correction
    confirm --> [*]: YES / HoursConfirmed; the week's total, kindly
    confirm --> barrier: YES, and a week ended short / HoursConfirmed, HoursShort
    barrier --> barrier_words: 8 / other (not said what)
    barrier --> support: 1-7, or their words / BarrierRaised
    barrier_words --> support: their words / BarrierRaised (other)
    support --> [*]: YES / SupportRequested, or NO
    barrier --> which: a text that is plainly a new report ("worked 30 hours monday"), here or at support
```
Nothing is guessed: a missing day or activity is asked, so is an amount for several days ("mon and
tue 8 hrs": each, or in all?); two amounts on one day and activity are one line of their sum.
Impossible hours (over 24 a day, 100 a week, below zero, a day to come or before the open period)
are answered with the reason. A week short of
the requirement is reported, with what got in the way; never a word about sanctions.

The report in progress is kept in the step's data as `draft`, a list of lines whose day or activity
may still be open; `readback` is the last version read back, which a correction that cannot be
taken falls back to.
"""

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from casefile.timesheets import (
    HoursConfirmed,
    HoursCorrected,
    HoursReported,
    HoursShort,
    TimesheetLine,
    WeekHours,
    lines_json,
    open_since,
    week_of,
)
from conversations.answers import read_choice, read_yes_no
from conversations.barriers import read_barrier
from conversations.dates import Toward, read_date
from conversations.flow import Flow, Step, Turn
from conversations.flows.hours_draft import Draft, merged, place
from conversations.flows.potholes import ask_barrier_words, ask_support, take_barrier, take_barrier_words, take_support
from conversations.hours import (
    days_to_remove,
    names_the_week,
    read_activity,
    read_amount,
    read_hours,
    vague_amount,
)
from conversations.model import Outcome, Reply

#: Hours in one week from this many up are not a week's hours (the issue's "100+").
WEEK_LIMIT = 100
#: Hours in one day above this cannot be.
DAY_LIMIT = 24


def _draft(turn: Turn) -> list[Draft]:
    return [Draft.from_json(item) for item in turn.state.data.get("draft", [])]


def _readback(turn: Turn) -> list[Draft]:
    return [Draft.from_json(item) for item in turn.state.data.get("readback", [])]


def _encoded(draft: list[Draft]) -> list[dict[str, Any]]:
    return [line.to_json() for line in draft]


# --- Starting ---------------------------------------------------------------------------------------


def report_in(turn: Turn) -> Outcome | None:
    """Hours sent at the menu without being asked ("worked 6 hrs today"), taken as a report. A bare
    whole number there is a menu choice that missed ("9"), not hours: the menu says so."""
    if turn.text.isdigit():
        return None
    return _report(turn)


def _report(turn: Turn) -> Outcome | None:
    entries = read_hours(turn.text, turn.today, turn.participant.language)
    if not entries and vague_amount(turn.text):
        # "2 or 3 hours": one number is asked for, never picked.
        return turn.answer(Reply("hours_ask_exact"), state=turn.to(HOURS_FLOW, "ask", draft=None))
    if not entries:
        return None
    return _go_on(turn, [Draft.of(entry, turn.today) for entry in entries])


def _ask(turn: Turn) -> Reply:
    return Reply("hours_ask")


def _take_report(turn: Turn) -> Outcome:
    return _report(turn) or turn.answer(Reply("hours_not_read"), _ask(turn))


# --- Asking what is not clear -------------------------------------------------------------------------


def _go_on(turn: Turn, draft: list[Draft]) -> Outcome:
    """Ask the next thing the report leaves open, or read it back once nothing is."""
    problem = _problem(turn, draft)
    if problem is not None:
        return _refuse(turn, problem)
    if any(line.choices for line in draft):
        return turn.ask(HOURS_FLOW, "which_date", draft=_encoded(draft))
    if any(line.day is None for line in draft):
        return turn.ask(HOURS_FLOW, "which_day", draft=_encoded(draft))
    if any(line.activity is None for line in draft):
        options = turn.participant.hours.choices()
        if len(options) > 1:
            return turn.ask(HOURS_FLOW, "which_activity", draft=_encoded(draft))
        draft = [line if line.activity else replace(line, activity=options[0]) for line in draft]
    draft = merged(draft)
    problem = _total_problem(turn, [line.line() for line in draft])
    if problem is not None:
        return _refuse(turn, problem)
    lines = tuple(line.line() for line in draft)
    fact = HoursCorrected(lines_json(lines)) if "readback" in turn.state.data else HoursReported(lines_json(lines))
    return turn.ask(HOURS_FLOW, "confirm", facts=(fact,), draft=_encoded(draft), readback=_encoded(draft))


def _refuse(turn: Turn, problem: Reply) -> Outcome:
    """Impossible hours are not taken: a first report is asked for again, a correction falls back
    to the report as it was last read back."""
    readback = _readback(turn)
    if readback:
        return turn.ask(HOURS_FLOW, "confirm", problem, draft=_encoded(readback))
    return turn.ask(HOURS_FLOW, "ask", problem, draft=None)


def _problem(turn: Turn, draft: list[Draft]) -> Reply | None:
    """A line that cannot be right, whatever else the report says."""
    since = open_since(turn.today, turn.participant.hours.period)
    for line in draft:
        if line.hours < 0:
            return Reply("hours_negative")
        if line.whole_week and line.hours >= WEEK_LIMIT:
            return Reply("hours_over_week", {"hours": line.hours})
        if line.day is None:
            continue
        if not line.whole_week and line.hours > DAY_LIMIT:
            return Reply("hours_over_day", {"hours": line.hours, "day": line.day})
        if line.day > turn.today:
            return Reply("hours_future", {"day": line.day})
        if line.day < since and not (line.whole_week and week_of(line.day).end >= since):
            return Reply("hours_too_old", {"day": line.day, "since": since})
    return None


def _total_problem(turn: Turn, lines: list[TimesheetLine]) -> Reply | None:
    """Hours that add up to too many, with what is on file already."""
    plan = turn.participant.hours
    for day in sorted({line.day for line in lines if not line.whole_week}):
        if (total := plan.day_hours(day, lines)) > DAY_LIMIT:
            return Reply("hours_over_day", {"hours": total, "day": day})
    for week in sorted({line.week for line in lines}, key=lambda week: week.start):
        hours = plan.week_hours(week, lines)
        if hours.participated + hours.excused >= WEEK_LIMIT:
            return Reply("hours_over_week", {"hours": hours.participated + hours.excused})
    return None


def _ask_which_date(turn: Turn) -> Reply:
    line = next(line for line in _draft(turn) if line.choices)
    return Reply("date_which", {"days": list(line.choices)})


def _take_which_date(turn: Turn) -> Outcome:
    draft = _draft(turn)
    index = next(i for i, line in enumerate(draft) if line.choices)
    picked = read_choice(turn.text, len(draft[index].choices))
    if picked is None:
        return turn.answer(Reply("not_a_choice"), _ask_which_date(turn))
    draft[index] = replace(draft[index], day=draft[index].choices[picked - 1], choices=())
    return _go_on(turn, draft)


def _ask_which_day(turn: Turn) -> Reply:
    line = next(line for line in _draft(turn) if line.day is None)
    return Reply("hours_ask_day", {"hours": line.hours})


def _take_which_day(turn: Turn) -> Outcome:
    draft = _draft(turn)
    index = next(i for i, line in enumerate(draft) if line.day is None)
    if names_the_week(turn.text):
        draft[index] = replace(draft[index], day=week_of(turn.today).start, whole_week=True)
        return _go_on(turn, draft)
    reading = read_date(turn.text, turn.today, Toward.PAST, turn.participant.language)
    if reading.ambiguous:
        draft[index] = replace(draft[index], choices=tuple(sorted(reading.days)[:2]))
    elif reading.day is not None:
        draft[index] = replace(draft[index], day=reading.day)
    else:
        return turn.answer(Reply("hours_day_not_understood"), _ask_which_day(turn))
    return _go_on(turn, draft)


def _ask_which_activity(turn: Turn) -> Reply:
    open_lines = [line for line in _draft(turn) if line.activity is None]
    return Reply(
        "hours_ask_activity",
        {
            "hours": open_lines[0].hours if len(open_lines) == 1 else None,
            "activities": [activity.value for activity in turn.participant.hours.choices()],
        },
    )


def _take_which_activity(turn: Turn) -> Outcome:
    options = turn.participant.hours.choices()
    picked = read_choice(turn.text, len(options))
    activity = options[picked - 1] if picked is not None else read_activity(turn.text)
    if activity is None or activity not in options:
        return turn.answer(Reply("not_a_choice"), _ask_which_activity(turn))
    return _go_on(turn, [line if line.activity else replace(line, activity=activity) for line in _draft(turn)])


# --- Reading back and correcting ----------------------------------------------------------------------


def _ask_confirm(turn: Turn) -> Reply:
    lines = sorted((line.line() for line in _draft(turn)), key=lambda line: (line.day, not line.whole_week))
    plan = turn.participant.hours
    weeks = sorted({line.week for line in lines}, key=lambda week: week.start)
    replaced = {line.key: line.hours for line in plan.recorded}
    return Reply(
        "hours_readback",
        {
            "lines": [_line_params(line, replaced.get(line.key)) for line in lines],
            "one_activity": lines[0].activity.value if len({line.activity for line in lines}) == 1 else None,
            "weeks": [_week_params(turn, plan.week_hours(week, lines)) for week in weeks],
        },
    )


def _line_params(line: TimesheetLine, was: float | None) -> dict[str, Any]:
    """A line as the read-back shows it; `was`: the confirmed hours it replaces, if any."""
    return {
        "day": line.day,
        "whole_week": line.whole_week,
        "hours": line.hours,
        "activity": line.activity.value,
        "excuse": line.excuse.value if line.excuse else None,
        "was": was,
    }


def _week_params(turn: Turn, hours: WeekHours) -> dict[str, Any]:
    return {
        "start": hours.week.start,
        "current": turn.today in hours.week,
        "participated": hours.participated,
        "excused": hours.excused,
        "required": hours.required,
    }


def _take_check(turn: Turn) -> Outcome:
    """The answer to the read-back, or to "what should I change?": YES saves, a correction is read
    back again, NO asks what to change."""
    answer = read_yes_no(turn.text)
    if answer is True:
        return _save(turn, [line.line() for line in _draft(turn)])
    corrected = _corrected(turn, _draft(turn))
    if corrected == []:
        return turn.answer(Reply("hours_nothing_left"), state=turn.state.reset(), facts=(HoursCorrected(lines=()),))
    if corrected is not None:
        return _go_on(turn, corrected)
    if answer is False:
        return turn.ask(HOURS_FLOW, "fix")
    return turn.answer(Reply("hours_yes_or_fix"))


def _ask_fix(turn: Turn) -> Reply:
    return Reply("hours_ask_fix")


def _corrected(turn: Turn, draft: list[Draft]) -> list[Draft] | None:
    """The report with a correction applied ("change monday to 7", "no, tuesday was 5", "remove
    wed", "it was job search"); None when the text is no correction that can be placed."""
    language = turn.participant.language
    removed = days_to_remove(turn.text, turn.today, language)
    if removed:
        return [line for line in draft if line.day not in removed]
    entries = read_hours(turn.text, turn.today, language)
    amount = read_amount(turn.text)
    if not entries and amount is not None and len(draft) == 1:
        # A report of one line: "no, it was 7" can only be about it.
        return [replace(draft[0], hours=amount)]
    if not entries:
        activity = read_activity(turn.text)
        return [replace(line, activity=activity) for line in draft] if activity else None
    for entry in entries:
        placed = place(draft, Draft.of(entry, turn.today))
        if placed is None:
            return None
        draft = placed
    return draft


# --- Saving, and the week against the requirement ----------------------------------------------------


def _save(turn: Turn, lines: list[TimesheetLine]) -> Outcome:
    plan = turn.participant.hours
    weeks = [plan.week_hours(week, lines) for week in sorted({line.week for line in lines}, key=lambda w: w.start)]
    confirmed = HoursConfirmed(lines_json(lines))
    ended_short = [week for week in weeks if week.week.end < turn.today and week.short_by > 0]
    short = tuple(HoursShort(w.week.start, w.participated, w.excused, w.required) for w in ended_short)
    latest = weeks[-1]
    saved = Reply(
        "hours_saved",
        {
            **_week_params(turn, latest),
            "short_by": latest.short_by,
            "until": latest.week.end,
            "ended": latest.week.end < turn.today,
        },
    )
    if not short:
        return turn.answer(saved, state=turn.state.reset(), facts=(confirmed,))
    return turn.ask(
        HOURS_FLOW,
        "barrier",
        saved,
        facts=(confirmed, *short),
        draft=None,
        readback=None,
    )


def _ask_barrier(turn: Turn) -> Reply:
    return Reply("hours_short_ask")


def unless_hours(handle: Callable[[Turn], Outcome]) -> Callable[[Turn], Outcome]:
    """A pending question ("what got in the way?", "shall your counselor help?") does not swallow a
    text that is plainly a new hours report ("worked 30 hours monday"): it is taken as one."""

    def guarded(turn: Turn) -> Outcome:
        plainly_hours = not turn.text.strip().isdigit() and read_barrier(turn.text) is None
        report = _report(turn) if plainly_hours and read_yes_no(turn.text) is None else None
        return report or handle(turn)

    return guarded


def _take_barrier(turn: Turn) -> Outcome:
    return take_barrier(turn, HOURS_FLOW, None)


def _take_barrier_words(turn: Turn) -> Outcome:
    return take_barrier_words(turn, HOURS_FLOW, None)


def _take_support(turn: Turn) -> Outcome:
    told = Reply("hours_support_sent", {"counselor_name": turn.participant.counselor_name})
    return take_support(
        turn,
        None,
        lambda requested: turn.answer(told, state=turn.state.reset(), facts=(requested,)),
        lambda: turn.answer(Reply("hours_noted"), state=turn.state.reset()),
    )


HOURS_FLOW = Flow(
    name="hours",
    steps={
        "ask": Step(prompt=_ask, handle=_take_report),
        "which_date": Step(prompt=_ask_which_date, handle=_take_which_date),
        "which_day": Step(prompt=_ask_which_day, handle=_take_which_day),
        "which_activity": Step(prompt=_ask_which_activity, handle=_take_which_activity),
        "confirm": Step(prompt=_ask_confirm, handle=_take_check),
        "fix": Step(prompt=_ask_fix, handle=_take_check),
        "barrier": Step(prompt=_ask_barrier, handle=unless_hours(_take_barrier)),
        "barrier_words": Step(prompt=ask_barrier_words, handle=unless_hours(_take_barrier_words)),
        "support": Step(prompt=ask_support, handle=unless_hours(_take_support)),
    },
)
