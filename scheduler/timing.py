"""When outreach may go: inside the participant's allowed hours, and on business days where a rule
asks for them. Pure functions of a moment, a time zone and the holiday calendar.

Hours are compared on the participant's wall clock (zoneinfo), so the 8:00–21:00 window moves with
daylight saving time and a text is never sent at 7:30 on the morning the clocks change.
"""

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from holidays import HolidayBase, country_holidays

#: Texts only between 8am and 9pm, the participant's local time (DOMAIN.md; the TCPA's hours).
ALLOWED_FROM = time(8)
ALLOWED_UNTIL = time(21)


def holiday_calendar(country_and_state: str) -> HolidayBase:
    """The public holidays of "US-CA" (federal and California's), from the `holidays` package."""
    country, _, state = country_and_state.partition("-")
    return country_holidays(country, subdiv=state or None)


@dataclass(frozen=True)
class Calendar:
    holidays: HolidayBase = field(default_factory=lambda: holiday_calendar("US-CA"))

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def business_day_on_or_after(self, day: date) -> date:
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def add_business_days(self, day: date, count: int) -> date:
        """The `count`-th business day after `day` (Saturday + 1 is Monday); 0 is `day` itself when
        it is a business day, else the next one."""
        if count == 0:
            return self.business_day_on_or_after(day)
        for _ in range(count):
            day = self.business_day_on_or_after(day + timedelta(days=1))
        return day

    def is_allowed(self, at: datetime, zone: ZoneInfo, business_days: bool) -> bool:
        local = at.astimezone(zone)
        if business_days and not self.is_business_day(local.date()):
            return False
        return ALLOWED_FROM <= local.time() < ALLOWED_UNTIL

    def next_allowed(self, at: datetime, zone: ZoneInfo, business_days: bool) -> datetime:
        """`at` itself when a text may go then, else the next 8:00 (local) of an allowed day."""
        if self.is_allowed(at, zone, business_days):
            return at
        local = at.astimezone(zone)
        day = local.date() if local.time() < ALLOWED_FROM else local.date() + timedelta(days=1)
        if business_days:
            day = self.business_day_on_or_after(day)
        # 8:00 exists on every day in every zone we serve (clocks change at 2:00), so this is exact.
        return datetime.combine(day, ALLOWED_FROM, tzinfo=zone)


def local_moment(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """`hour` o'clock on `day` on the participant's wall clock, as an aware datetime."""
    return datetime.combine(day, time(hour), tzinfo=zone)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day (31 Jan + 1 month = 28 or 29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))
