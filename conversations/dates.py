"""Reading a day out of a text, in English or Spanish: "by Friday", "mañana", "in 2 weeks", "12/5".

Shared by the flows that ask for dates: plan steps look ahead, hours reports look back. The reader
never guesses between two readings: "5/12" from a Spanish speaker may be 5 December or 12 May,
so both come back and the flow asks. Whether a date is too far off is the flow's question.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from casefile.vocabulary import Language
from conversations.keywords import fold


class Toward(Enum):
    """Which way a bare weekday points: a plan's "Friday" is the next one, an hours report's the last."""

    FUTURE = "future"
    PAST = "past"


@dataclass(frozen=True)
class DateReading:
    #: Every day the text can mean; one is an answer, several need a question, none is no date.
    days: tuple[date, ...]

    @property
    def day(self) -> date | None:
        return self.days[0] if len(self.days) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.days) > 1


_WEEKDAYS = {
    **dict.fromkeys(["monday", "mon", "lunes"], 0),
    **dict.fromkeys(["tuesday", "tue", "tues", "martes"], 1),
    **dict.fromkeys(["wednesday", "wed", "miercoles"], 2),
    **dict.fromkeys(["thursday", "thu", "thur", "thurs", "jueves"], 3),
    **dict.fromkeys(["friday", "fri", "viernes"], 4),
    **dict.fromkeys(["saturday", "sat", "sabado"], 5),
    **dict.fromkeys(["sunday", "sun", "domingo"], 6),
}
_MONTHS = {
    **dict.fromkeys(["january", "jan", "enero", "ene"], 1),
    **dict.fromkeys(["february", "feb", "febrero"], 2),
    **dict.fromkeys(["march", "mar", "marzo"], 3),
    **dict.fromkeys(["april", "apr", "abril", "abr"], 4),
    **dict.fromkeys(["may", "mayo"], 5),
    **dict.fromkeys(["june", "jun", "junio"], 6),
    **dict.fromkeys(["july", "jul", "julio"], 7),
    **dict.fromkeys(["august", "aug", "agosto", "ago"], 8),
    **dict.fromkeys(["september", "sep", "sept", "septiembre", "setiembre"], 9),
    **dict.fromkeys(["october", "oct", "octubre"], 10),
    **dict.fromkeys(["november", "nov", "noviembre"], 11),
    **dict.fromkeys(["december", "dec", "diciembre", "dic"], 12),
}
_COUNTS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "un": 1,
    "una": 1,
    "uno": 1,
    "two": 2,
    "dos": 2,
    "three": 3,
    "tres": 3,
    "four": 4,
    "cuatro": 4,
    "couple": 2,
    "par": 2,
}
_RELATIVE_DAYS = {
    "today": 0,
    "tonight": 0,
    "hoy": 0,
    "esta noche": 0,
    "tomorrow": 1,
    "tmrw": 1,
    "tmr": 1,
    "tomorow": 1,
    "manana": 1,
    "yesterday": -1,
    "ayer": -1,
    "day after tomorrow": 2,
    "pasado manana": 2,
    "day before yesterday": -2,
    "anteayer": -2,
    "antier": -2,
}
#: Every word that names one day by itself ("friday", "ayer"), longest first for regular expressions.
DAY_WORDS: tuple[str, ...] = tuple(sorted([*_WEEKDAYS, *_RELATIVE_DAYS], key=len, reverse=True))
_NEXT_WEEK = re.compile(r"\b(next week|(la )?(proxima|siguiente) semana|(la )?semana (que viene|proxima|entrante))\b")
_LAST_WEEK = re.compile(r"\b(last week|(la )?semana pasada)\b")
_IN_N = re.compile(
    r"\b(?:in|en|dentro de)\s+(\d{1,2}|" + "|".join(_COUNTS) + r")\s+(days?|dias?|weeks?|semanas?|months?|mes|meses)\b"
    r"|\b(\d{1,2}|" + "|".join(_COUNTS) + r")\s+(days?|weeks?|months?)\s+from (?:now|today)\b"
)
_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?\b")
_MONTH_DAY = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+(\d{1,2})(?:st|nd|rd|th)?\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:de\s+|of\s+)?(" + "|".join(_MONTHS) + r")\b")
_WEEKDAY = re.compile(
    r"\b(?:(next|this|last|proximo|este|el)\s+)?(" + "|".join(_WEEKDAYS) + r")\b(?:\s+(pasado|que viene|proximo))?"
)


def read_date(text: str, today: date, toward: Toward, language: Language = Language.ENGLISH) -> DateReading:
    folded = fold(text)
    found: list[date] = []
    # Numbers with slashes are read before folding, which turns punctuation into spaces.
    found += _numeric_dates(text.casefold(), today, toward, language)
    found += _named_month_dates(folded, today, toward)
    found += _relative_dates(folded, today)
    found += _weekdays(folded, today, toward)
    return DateReading(tuple(dict.fromkeys(found)))


def _numeric_dates(text: str, today: date, toward: Toward, language: Language) -> list[date]:
    days: list[date] = []
    for first, second, year in _NUMERIC.findall(text):
        # Spanish puts the day first (5/12 is 5 December) but many here write the US way: a Spanish
        # speaker's date keeps both readings when both exist, and the flow asks which.
        orders = [(int(first), int(second))]
        if language is Language.SPANISH:
            orders.insert(0, (int(second), int(first)))
        for month, day in orders:
            days += _calendar_day(month, day, year, today, toward)
    return days


def _named_month_dates(folded: str, today: date, toward: Toward) -> list[date]:
    days: list[date] = []
    for month_name, day in _MONTH_DAY.findall(folded):
        days += _calendar_day(_MONTHS[month_name], int(day), "", today, toward)
    for day, month_name in _DAY_MONTH.findall(folded):
        days += _calendar_day(_MONTHS[month_name], int(day), "", today, toward)
    return days


#: A date without a year that falls this close on the "wrong" side of today is kept there, so that
#: the flow can question it ("3/1" said on 4 March is more likely a slip than next year).
_NEAR = timedelta(days=31)


def _calendar_day(month: int, day: int, year: str, today: date, toward: Toward) -> list[date]:
    """The date in the year given; without one, the next occurrence for plans, the last for reports."""
    try:
        if year:
            return [date(int(year) + (2000 if len(year) == 2 else 0), month, day)]
        this_year = date(today.year, month, day)
    except ValueError:
        return []
    later = this_year if this_year >= today else _in_year(this_year, today.year + 1)
    earlier = this_year if this_year <= today else _in_year(this_year, today.year - 1)
    if toward is Toward.FUTURE:
        return [earlier if earlier and today - earlier <= _NEAR else later] if later else []
    return [later if later and later - today <= _NEAR else earlier] if earlier else []


def _in_year(day: date, year: int) -> date | None:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return None


def _relative_dates(folded: str, today: date) -> list[date]:
    days = []
    # Longest phrases first, so that "pasado manana" is not also read as "manana".
    remaining = folded
    for phrase in sorted(_RELATIVE_DAYS, key=len, reverse=True):
        pattern = re.compile(rf"\b{phrase}\b")
        if pattern.search(remaining):
            days.append(today + timedelta(days=_RELATIVE_DAYS[phrase]))
            remaining = pattern.sub(" ", remaining)
    if _NEXT_WEEK.search(folded):
        days.append(today + timedelta(weeks=1))
    if _LAST_WEEK.search(folded):
        days.append(today - timedelta(weeks=1))
    for match in _IN_N.finditer(folded):
        count_text, unit = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        count = int(count_text) if count_text.isdigit() else _COUNTS[count_text]
        if unit.startswith(("month", "mes")):
            days.append(_months_later(today, count))
        elif unit.startswith(("week", "semana")):
            days.append(today + timedelta(weeks=count))
        else:
            days.append(today + timedelta(days=count))
    return days


def _months_later(today: date, months: int) -> date:
    """The same day of the month, months later; the month's last day when it is shorter (31 Jan + 1 → 28 Feb)."""
    month_index = today.month - 1 + months
    year, month = today.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def _weekdays(folded: str, today: date, toward: Toward) -> list[date]:
    days = []
    for before, name, after in _WEEKDAY.findall(folded):
        weekday = _WEEKDAYS[name]
        ahead = (weekday - today.weekday()) % 7
        back = (today.weekday() - weekday) % 7
        if before in ("next", "proximo") or after in ("que viene", "proximo"):
            # "Next Friday" said on a Wednesday means this week's to some and the week after to others.
            days += (
                [today + timedelta(days=ahead), today + timedelta(days=ahead + 7)]
                if ahead
                else [today + timedelta(days=7)]
            )
        elif before == "last" or after == "pasado":
            days.append(today - timedelta(days=back or 7))
        elif toward is Toward.FUTURE:
            days.append(today + timedelta(days=ahead))
        else:
            days.append(today - timedelta(days=back))
    return days
