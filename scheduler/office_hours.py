"""Office hours: when a person can answer. A participant handed to a person is told when that will
be, and an urgent item is escalated after a set time counted in office hours (one business hour).

Hours are read from a setting such as "Mon-Fri 08:00-17:00", on the office's clock; public
holidays (scheduler.timing.Calendar) are closed days.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.timing import Calendar

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FORMAT = re.compile(r"^\s*(\w{3})(?:\s*-\s*(\w{3}))?\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class Hours:
    """Which weekdays (Monday 0) and from when until when the office is open."""

    days: frozenset[int]
    opens: time
    closes: time


def parse_office_hours(text: str) -> Hours:
    """ "Mon-Fri 08:00-17:00" (or "Tue 09:00-12:00"); ValueError saying what is wrong."""
    match = _FORMAT.match(text.casefold())
    if match is None:
        raise ValueError(f"office hours look like 'Mon-Fri 08:00-17:00', not {text!r}")
    first, last, open_h, open_m, close_h, close_m = match.groups()
    if first not in _DAYS or (last or first) not in _DAYS:
        raise ValueError(f"office hours name days as Mon, Tue, Wed, Thu, Fri, Sat, Sun, not {text!r}")
    start, end = _DAYS.index(first), _DAYS.index(last or first)
    try:
        opens, closes = time(int(open_h), int(open_m)), time(int(close_h), int(close_m))
    except ValueError as error:
        raise ValueError(f"office hours have an impossible time: {text!r}") from error
    if closes <= opens:
        raise ValueError(f"office hours must close after they open: {text!r}")
    days = range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)]
    return Hours(frozenset(days), opens, closes)


@dataclass(frozen=True)
class OfficeHours:
    hours: Hours
    zone: ZoneInfo
    calendar: Calendar

    def _open_day(self, local: datetime) -> bool:
        return local.weekday() in self.hours.days and local.date() not in self.calendar.holidays

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.zone)
        return self._open_day(local) and self.hours.opens <= local.time() < self.hours.closes

    def next_opening(self, at: datetime) -> datetime | None:
        """When the office next opens, on its clock; None while it is open."""
        if self.is_open(at):
            return None
        local = at.astimezone(self.zone)
        day = local.date() if local.time() < self.hours.opens else local.date() + timedelta(days=1)
        # A year of closed days is not an office: the setting's parser allows at least one open day.
        for _ in range(366):
            candidate = datetime.combine(day, self.hours.opens, tzinfo=self.zone)
            if self._open_day(candidate):
                return candidate
            day += timedelta(days=1)
        raise ValueError("the office never opens")

    def after_office_time(self, start: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of open office time has passed since `start` (an urgent item raised
        at 16:30 on a Friday, one business hour: 8:30 on Monday)."""
        at, left = start, duration
        while True:
            opening = self.next_opening(at)
            if opening is not None:
                at = opening
            local = at.astimezone(self.zone)
            closing = datetime.combine(local.date(), self.hours.closes, tzinfo=self.zone)
            if at + left <= closing:
                return at + left
            left -= closing - at
            at = closing
