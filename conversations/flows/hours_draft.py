"""A report in progress: its lines, whose day or activity may still be open, and how a correction
or a second amount for the same day changes them. Pure values, kept in the conversation's data as JSON.
"""

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from casefile.timesheets import TimesheetLine, week_of
from casefile.vocabulary import Activity, Excuse
from conversations.hours import HoursEntry


@dataclass(frozen=True)
class Draft:
    """One line of a report in progress: the day or activity may not be known yet."""

    hours: float
    day: date | None = None
    whole_week: bool = False
    activity: Activity | None = None
    excuse: Excuse | None = None
    #: Two readings of the day ("2/3"): the participant picks one.
    choices: tuple[date, ...] = ()

    @classmethod
    def of(cls, entry: HoursEntry, today: date) -> "Draft":
        return cls(
            hours=entry.hours,
            day=(entry.day or week_of(today).start) if entry.weekly else entry.day,
            whole_week=entry.weekly,
            activity=entry.activity,
            excuse=entry.excuse,
            choices=entry.day_choices,
        )

    def line(self) -> TimesheetLine:
        assert self.day is not None and self.activity is not None
        return TimesheetLine(self.day, self.activity, self.hours, self.excuse, self.whole_week)

    def to_json(self) -> dict[str, Any]:
        return {
            "hours": self.hours,
            "day": self.day.isoformat() if self.day else None,
            "whole_week": self.whole_week,
            "activity": self.activity.value if self.activity else None,
            "excuse": self.excuse.value if self.excuse else None,
            "choices": [day.isoformat() for day in self.choices],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Draft":
        return cls(
            hours=data["hours"],
            day=date.fromisoformat(data["day"]) if data["day"] else None,
            whole_week=data["whole_week"],
            activity=Activity(data["activity"]) if data["activity"] else None,
            excuse=Excuse(data["excuse"]) if data["excuse"] else None,
            choices=tuple(date.fromisoformat(day) for day in data["choices"]),
        )


def merged(draft: list[Draft]) -> list[Draft]:
    """One line per day, activity and excuse: "2 hrs job search monday and 1 more monday" is 3 hours
    on Monday. Two lines with one key would be read back apart, counted once in the week's total
    (a later line replaces an earlier one) and stored twice, so the three would disagree."""
    merged: dict[tuple[date | None, bool, Activity | None, Excuse | None], Draft] = {}
    for line in draft:
        key = (line.day, line.whole_week, line.activity, line.excuse)
        earlier = merged.get(key)
        merged[key] = replace(earlier, hours=earlier.hours + line.hours) if earlier else line
    return list(merged.values())


def place(draft: list[Draft], change: Draft) -> list[Draft] | None:
    """Put one corrected amount where it belongs: on the line of its day (and activity, if it names
    one), or on the only line there is; a new day is a new line. None if it could go on several."""
    if change.day is None:
        if len(draft) != 1:
            return None
        return [changed(draft[0], change)]
    same = [
        i
        for i, line in enumerate(draft)
        if line.day == change.day
        and line.whole_week == change.whole_week
        and change.activity in (None, line.activity)
        and (change.excuse is None or change.excuse == line.excuse)
    ]
    if len(same) > 1:
        return None
    if not same:
        activities = {line.activity for line in draft}
        activity = change.activity or (activities.pop() if len(activities) == 1 else None)
        return [*draft, replace(change, activity=activity)]
    index = same[0]
    return [changed(line, change) if i == index else line for i, line in enumerate(draft)]


def changed(line: Draft, change: Draft) -> Draft:
    return replace(
        line, hours=change.hours, activity=change.activity or line.activity, excuse=change.excuse or line.excuse
    )
