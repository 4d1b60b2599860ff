"""Reading a day out of a text, in English or Spanish: "by Friday", "mañana", "in 2 weeks", "12/5".

Shared by the flows that ask for dates: plan steps look ahead, hours reports look back. The reader
never guesses between two readings: "5/12" from a Spanish speaker may be 5 December or 12 May,
so both come back and the flow asks. Whether a date is too far off is the flow's question.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from casefile.vocabulary import Language
from conversations.calendar_words import (
    COUNTS,
    MONTHS,
    WEEKDAYS,
    months_later,
)
from conversations.date_phrases import read_phrases
from conversations.holidays import holidays_named
from conversations.keywords import fold
from conversations.numbers import digits


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


_RELATIVE_DAYS = {
    "today": 0,
    "tonight": 0,
    "hoy": 0,
    "esta noche": 0,
    "tomorrow": 1,
    "tmrw": 1,
    "tmr": 1,
    "tomorow": 1,
    "tommorow": 1,
    "tommorrow": 1,
    "2morrow": 1,
    "2moro": 1,
    "tmw": 1,
    "manana": 1,
    "mnn": 1,
    "yesterday": -1,
    "yday": -1,
    "yest": -1,
    "yesterdy": -1,
    "ayer": -1,
    "day after tomorrow": 2,
    "pasado manana": 2,
    "day before yesterday": -2,
    "anteayer": -2,
    "antier": -2,
}
_RELATIVE = re.compile(r"\b(" + "|".join(sorted(_RELATIVE_DAYS, key=len, reverse=True)) + r")\b")
#: Every word that names one day by itself ("friday", "ayer"), longest first for regular expressions.
DAY_WORDS: tuple[str, ...] = tuple(sorted([*WEEKDAYS, *_RELATIVE_DAYS], key=len, reverse=True))
_NEXT_WEEK = re.compile(r"\b(next week|(la )?(proxima|siguiente) semana|(la )?semana (que viene|proxima|entrante))\b")
_LAST_WEEK = re.compile(r"\b(last week|(la )?semana pasada)\b")
_COUNT = "|".join(sorted(COUNTS, key=len, reverse=True))
_UNITS = r"days?|dias?|weeks?|wks?|semanas?|months?|mes|meses"
_IN_N = re.compile(
    rf"\b(?:in|en|dentro de|within)\s+(?:about |like |unos |como )?({_COUNT})\s+({_UNITS})\b"
    rf"|\b({_COUNT})\s+({_UNITS})\s+(?:from (?:now|today)|out|desde hoy|a partir de hoy)\b"
)
_NUMERIC = re.compile(r"\b(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}|\d{2}))?\b")
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH_DAY = re.compile(rf"\b({_MONTH_NAMES})\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\b(?:\s+(\d{{4}}))?")
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:de\s+|of\s+)?({_MONTH_NAMES})\b(?:\s+(?:de\s+)?(\d{{4}}))?"
)
_WEEKDAY_NAMES_RE = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_WEEKDAY = re.compile(
    rf"\b(?:(next|this|last|proximo|este|el|este proximo|el proximo|this coming|coming)\s+)?({_WEEKDAY_NAMES_RE})\b"
    r"(?:\s+(pasado|que viene|proximo|que entra|after next|de la otra semana|de la proxima semana|de la semana que viene))?"
)
#: "on the 20th", "the 20th", "el 22", "el dia 22", "para el 15": a day of the month alone.
_DAY_OF_MONTH = re.compile(
    r"\b(?:on the|the|by the|el dia|el|para el|antes del|before the|til the|until the)\s+(\d{1,2})(?:st|nd|rd|th)?\b"
    rf"(?!\s*(?:st|nd|rd|th|/|-|de\s+(?:{_MONTH_NAMES})|of|hours?|hrs?|horas?|am|pm|dollars|\.|:))"
)
_ORDINAL_DAY = re.compile(r"\b(?:on the |the |el )?(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of|de)\b)")
#: A time of day, not a day: "el sábado en la mañana" is Saturday morning, not tomorrow.
_TIME_OF_DAY = re.compile(
    r"\b(?:en|por|de|a|in|this|esta) (?:la |the )?(?:manana|morning|tarde|afternoon|noche|evening)\b"
)


def read_date(text: str, today: date, toward: Toward, language: Language = Language.ENGLISH) -> DateReading:
    folded = _TIME_OF_DAY.sub(" ", digits(fold(text)))
    found: list[date] = []
    # Numbers with slashes are read before folding, which turns punctuation into spaces.
    found += _numeric_dates(digits(text.casefold()), today, toward, language)
    found += _named_month_dates(folded, today, toward)
    holidays, folded = _holidays(folded, today, toward)
    phrases, folded = read_phrases(folded, today)
    found += holidays + phrases
    found += _relative_dates(folded, today)
    if not found:
        found += _weekdays(folded, today, toward)
    if not found:
        found += _days_of_month(folded, today, toward)
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
    for year, month, day in _ISO.findall(folded):
        days += _calendar_day(int(month), int(day), year, today, toward)
    for month_name, day, year in _MONTH_DAY.findall(folded):
        days += _calendar_day(MONTHS[month_name], int(day), year, today, toward)
    for day, month_name, year in _DAY_MONTH.findall(folded):
        days += _calendar_day(MONTHS[month_name], int(day), year, today, toward)
    return days


def _holidays(folded: str, today: date, toward: Toward) -> tuple[list[date], str]:
    """Holidays by name, in the year `toward` points to; the text with their names taken out."""
    days: list[date] = []
    for in_year, words in holidays_named(folded):
        # "after thanksgiving" is the day after it, "antes de navidad" the day before.
        shift = _AROUND.search(folded.split(words)[0])
        folded = folded.replace(words, " ")
        offset = timedelta(days=_AROUND_DAYS[shift.group(1)] if shift else 0)
        this_year = tuple(day + offset for day in in_year(today.year))
        if toward is Toward.FUTURE:
            days += [
                day if day >= today else in_year(today.year + 1)[index] + offset for index, day in enumerate(this_year)
            ]
        else:
            days += [
                day if day <= today else in_year(today.year - 1)[index] + offset for index, day in enumerate(this_year)
            ]
    return days, folded


_AROUND = re.compile(r"\b(after|before|despues de|antes de|pasando)\s+(?:the |el |la )?$")
_AROUND_DAYS = {"after": 1, "despues de": 1, "pasando": 1, "before": -1, "antes de": -1}


def _days_of_month(folded: str, today: date, toward: Toward) -> list[date]:
    """ "on the 20th", "el 22": the next such day for a plan, the last for a report."""
    days: list[date] = []
    numbers = [int(m.group(1)) for m in _DAY_OF_MONTH.finditer(folded)]
    numbers += [int(m.group(1)) for m in _ORDINAL_DAY.finditer(folded)]
    for number in dict.fromkeys(numbers):
        if not 1 <= number <= 31:
            continue
        month_start = today.replace(day=1)
        candidates = [
            months_later(month_start, step) for step in ((0, 1, 2) if toward is Toward.FUTURE else (0, -1, -2))
        ]
        for first in candidates:
            try:
                day = first.replace(day=number)
            except ValueError:
                continue
            if (toward is Toward.FUTURE and day >= today) or (toward is Toward.PAST and day <= today):
                days.append(day)
                break
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
    for match in _IN_N.finditer(folded):
        count_text, unit = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        count = COUNTS[count_text]
        if unit.startswith(("month", "mes")):
            days.append(months_later(today, count))
        elif unit.startswith(("w", "semana")):
            days.append(today + timedelta(weeks=count))
        else:
            days.append(today + timedelta(days=count))
    # "2 weeks from today": "today" is part of the phrase read above.
    folded = _IN_N.sub(" ", folded)
    # Longest phrases first, so that "pasado manana" is not also read as "manana".
    for phrase in dict.fromkeys(match.group(1) for match in _RELATIVE.finditer(folded)):
        days.append(today + timedelta(days=_RELATIVE_DAYS[phrase]))
    if _NEXT_WEEK.search(folded):
        days.append(today + timedelta(weeks=1))
    if _LAST_WEEK.search(folded):
        days.append(today - timedelta(weeks=1))
    return days


def _weekdays(folded: str, today: date, toward: Toward) -> list[date]:
    days = []
    for before, name, after in _WEEKDAY.findall(folded):
        weekday = WEEKDAYS[name]
        ahead = (weekday - today.weekday()) % 7
        back = (today.weekday() - weekday) % 7
        if after in ("after next", "de la otra semana", "de la proxima semana", "de la semana que viene"):
            days.append(today + timedelta(days=(ahead or 7) + 7))
        elif before in ("next", "proximo", "el proximo") or after in ("que viene", "proximo", "que entra"):
            # "Next Friday" said on a Wednesday means this week's to some and the week after to others.
            days += (
                [today + timedelta(days=ahead), today + timedelta(days=ahead + 7)]
                if ahead
                else [today + timedelta(days=7)]
            )
        elif before == "last" or after == "pasado":
            days.append(today - timedelta(days=back or 7))
        elif toward is Toward.FUTURE:
            # "Friday" said on a Friday: today, or a week from today? Asked.
            days += (
                [today + timedelta(days=ahead)]
                if ahead or before in ("this", "este")
                else [today, today + timedelta(days=7)]
            )
        else:
            days.append(today - timedelta(days=back))
    return days
