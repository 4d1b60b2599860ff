"""Date phrases that name a day by its place: the start, middle or end of a week or month, a weekend,
"a week from friday", "monday of next week", "the 2nd tuesday of may", "the week after next", "next
month" (asked: its first day or its last). Each phrase read is taken out of the text, so that its
words ("fin de semana", "from today") are not read again by the other readers.
"""

import re
from collections.abc import Callable
from datetime import date, timedelta

from conversations.calendar_words import (
    COUNTS,
    MONTH_ALTERNATIVES,
    MONTHS,
    WEEKDAY_ALTERNATIVES,
    WEEKDAYS,
    months_later,
)
from conversations.holidays import nth_weekday

_MONTH_NAMES = MONTH_ALTERNATIVES
_WEEKDAY_NAMES_RE = WEEKDAY_ALTERNATIVES
_NTH = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "last": -1, "ultimo": -1}
_NTH_WEEKDAY = re.compile(
    rf"\b(1st|2nd|3rd|4th|5th|last|ultimo|ultima)\s+({_WEEKDAY_NAMES_RE})\s+(?:of|in|de|del)\s+"
    rf"(?:(the month|this month|next month|el mes|este mes|mes|el proximo mes)|({_MONTH_NAMES}))\b"
)
_END_OF = re.compile(
    rf"\b(?:end of|fin de|fines de|finales de)\s+({_MONTH_NAMES})\b"
    r"|\b(?:(?:the )?end of|by the end of|(?:a |para )?(?:fin|fines|finales) de|al final de)\s+"
    r"(?:the |la |el |this |esta |este )?(week|semana|month|mes)\b(?:\s+(next|que viene|proxim[oa]|entrante))?"
    r"|\b(?:end of|fin de|finales de|a fin de|a finales del?)\s+(?:next|(?:la |el )?(?:proxim[oa]))\s+(week|semana|month|mes)\b"
)
_START_OF = re.compile(
    r"\b(?:(?:the )?(?:start|beginning) of|(?:a |para )?(?:principios|inicios?|comienzos?) del?)\s+"
    r"(?:the |la |el |this |esta |este )?(next |proxim[oa] )?(week|semana|month|mes)\b"
    r"(?:\s+(?:que viene|entrante))?"
)
_WEEK_FROM = re.compile(
    rf"\b(a|one|1|2|two|dos|una|un)\s+(?:week|semana)s?\s+(?:from|after|despues del?|a partir del?)\s+"
    rf"(?:this |next |el |este )?({_WEEKDAY_NAMES_RE})\b"
)
_WEEK_AFTER_NEXT = re.compile(r"\b(?:the )?week after next\b|\bla semana despues de la (?:proxima|que viene)\b")
_WEEKEND = re.compile(r"\b(this |next |el |este |el proximo )?(weekend|fin de semana)\b(\s+que viene)?")
_NEXT_MONTH = re.compile(
    r"\b(next month|(?:el )?(?:proximo|siguiente) mes|(?:el )?mes (?:que viene|entrante|proximo))\b"
)


def read_phrases(folded: str, today: date) -> tuple[list[date], str]:
    """The start, middle or end of a week or month, a weekend, "a week from friday", "monday of next
    week", "the 2nd tuesday of may", "the week after next", next month; each read phrase is taken out
    of the text, so that its words ("fin de semana", "from today") are not read again."""
    days: list[date] = []
    if not _PHRASE_HINT.search(folded):
        return days, folded
    for pattern, read in _PHRASE_READERS:
        for match in pattern.finditer(folded):
            days += read(match, today)
        folded = pattern.sub(" ", folded)
    if _NEXT_MONTH.search(folded) and not days:
        # "next month": its first day or any day of it; asked.
        first = months_later(today.replace(day=1), 1)
        days += [first, months_later(first, 1) - timedelta(days=1)]
        folded = _NEXT_MONTH.sub(" ", folded)
    return days, folded


def _weekend(match: re.Match[str], today: date) -> list[date]:
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    later = bool(match.group(3)) or (match.group(1) or "").strip() in ("next", "el proximo")
    return [saturday + timedelta(weeks=1) if later and today.weekday() < 5 else saturday]


def _end(match: re.Match[str], today: date) -> list[date]:
    if match.group(1):
        # "end of march": that month's last day, this year or next.
        month = MONTHS[match.group(1)]
        first = date(today.year + (month < today.month), month, 1)
        return [months_later(first, 1) - timedelta(days=1)]
    return [_end_of(match.group(2) or match.group(4), today, bool(match.group(3) or match.group(4)))]


def _start(match: re.Match[str], today: date) -> list[date]:
    return [_start_of(match.group(2), today, bool(match.group(1)))]


def _middle(match: re.Match[str], today: date) -> list[date]:
    """ "a mediados de mes", "mid month": the 15th still to come."""
    fifteenth = today.replace(day=15)
    return [fifteenth if fifteenth >= today else months_later(fifteenth, 1)]


def _week_from(match: re.Match[str], today: date) -> list[date]:
    ahead = (WEEKDAYS[match.group(2)] - today.weekday()) % 7 or 7
    return [today + timedelta(days=ahead + 7 * COUNTS.get(match.group(1), 1))]


def _of_next_week(match: re.Match[str], today: date) -> list[date]:
    """ "monday of next week", "el lunes de la próxima semana": that day of the coming week."""
    monday = today + timedelta(days=7 - today.weekday())
    return [monday + timedelta(days=WEEKDAYS[match.group(1)])]


def _after_next(match: re.Match[str], today: date) -> list[date]:
    return [today + timedelta(weeks=2)]


#: Words without which none of the phrases below can be there: most texts skip them all at once.
_PHRASE_HINT = re.compile(
    r"end|fin|start|beginning|principio|inicio|comienzo|mid|mediados|medio|weekend|from|after|despues|partir|"
    r"next|proxim|siguiente|otra|que viene|entrante|\d(?:st|nd|rd|th)|last|ultim|mes|month"
)
_MIDDLE = re.compile(r"\b(?:mid|middle of the|a mediados de|mediados de|a medio)\s*(?:month|mes)\b")
_OF_NEXT_WEEK = re.compile(
    rf"\b(?:el )?({_WEEKDAY_NAMES_RE})\s+(?:of next week|next week|de la (?:proxima|siguiente|otra) semana|"
    r"de la semana que viene|de la semana entrante)\b"
)
_PHRASE_READERS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], date], list[date]]], ...] = (
    (_WEEKEND, _weekend),
    (_END_OF, _end),
    (_START_OF, _start),
    (_MIDDLE, _middle),
    (_WEEK_FROM, _week_from),
    (_OF_NEXT_WEEK, _of_next_week),
    (_NTH_WEEKDAY, lambda match, today: _nth_weekday(match, today)),
    (_WEEK_AFTER_NEXT, _after_next),
)


def _end_of(unit: str, today: date, later: bool) -> date:
    """The end of this (or the next) week: its Friday; of a month: its last day."""
    if unit in ("week", "semana"):
        friday = today + timedelta(days=(4 - today.weekday()) % 7)
        return friday + timedelta(weeks=1) if later else friday
    first = months_later(today.replace(day=1), 2 if later else 1)
    return first - timedelta(days=1)


def _start_of(unit: str, today: date, later: bool) -> date:
    """The start of the next week (its Monday) or month (its first day): the one still to come."""
    if unit in ("week", "semana"):
        monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
        return monday + timedelta(weeks=1) if later and today.weekday() == 0 else monday
    return months_later(today.replace(day=1), 1)


def _nth_weekday(match: re.Match[str], today: date) -> list[date]:
    nth = _NTH.get(match.group(1), -1)
    weekday = WEEKDAYS[match.group(2)]
    if match.group(4):
        month = MONTHS[match.group(4)]
        year = today.year if month >= today.month else today.year + 1
    else:
        later = "next" in match.group(3) or "proximo" in match.group(3)
        first = months_later(today.replace(day=1), 1 if later else 0)
        year, month = first.year, first.month
    day = nth_weekday(year, month, weekday, nth)
    return [day] if day.month == month else []
