"""Reading a day out of a text, in English or Spanish: "by Friday", "mañana", "in 2 weeks", "12/5".

Shared by the flows that ask for dates: plan steps look ahead, hours reports look back. The reader
never guesses between two readings: "5/12" from a Spanish speaker may be 5 December or 12 May,
so both come back and the flow asks. Whether a date is too far off is the flow's question.
"""

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from casefile.vocabulary import Language
from conversations.holidays import holidays_named, nth_weekday
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


_WEEKDAYS = {
    **dict.fromkeys(["monday", "mon", "mondy", "lunes", "lun"], 0),
    **dict.fromkeys(["tuesday", "tue", "tues", "tusday", "tuesdy", "martes", "mart"], 1),
    **dict.fromkeys(["wednesday", "wed", "weds", "wensday", "wendsday", "wednsday", "miercoles", "mie", "mier"], 2),
    **dict.fromkeys(["thursday", "thu", "thur", "thurs", "thrusday", "thursdy", "jueves", "jue", "juev"], 3),
    **dict.fromkeys(["friday", "fri", "fryday", "viernes", "vie", "vier"], 4),
    **dict.fromkeys(["saturday", "sat", "satuday", "saterday", "sabado", "sab"], 5),
    **dict.fromkeys(["sunday", "sun", "sundy", "domingo", "dom"], 6),
}
#: Every weekday word, with its number (Monday 0); the hours reader writes out ranges ("mon-wed").
WEEKDAY_NUMBERS: dict[str, int] = _WEEKDAYS
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
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
    "few": 3,
    "a few": 3,
    "unos": 3,
    "unos cuantos": 3,
    "unos pocos": 3,
    "a couple of": 2,
    "a couple": 2,
    "couple of": 2,
    "un par de": 2,
    "a": 1,
    "an": 1,
    "un": 1,
    "una": 1,
    "couple": 2,
    "par": 2,
    **{str(n): n for n in range(1, 100)},
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
DAY_WORDS: tuple[str, ...] = tuple(sorted([*_WEEKDAYS, *_RELATIVE_DAYS], key=len, reverse=True))
_NEXT_WEEK = re.compile(r"\b(next week|(la )?(proxima|siguiente) semana|(la )?semana (que viene|proxima|entrante))\b")
_LAST_WEEK = re.compile(r"\b(last week|(la )?semana pasada)\b")
_COUNT = "|".join(sorted(_COUNTS, key=len, reverse=True))
_UNITS = r"days?|dias?|weeks?|wks?|semanas?|months?|mes|meses"
_IN_N = re.compile(
    rf"\b(?:in|en|dentro de|within)\s+(?:about |like |unos |como )?({_COUNT})\s+({_UNITS})\b"
    rf"|\b({_COUNT})\s+({_UNITS})\s+(?:from (?:now|today)|out|desde hoy|a partir de hoy)\b"
)
_NUMERIC = re.compile(r"\b(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}|\d{2}))?\b")
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_MONTH_DAY = re.compile(rf"\b({_MONTH_NAMES})\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\b(?:\s+(\d{{4}}))?")
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:de\s+|of\s+)?({_MONTH_NAMES})\b(?:\s+(?:de\s+)?(\d{{4}}))?"
)
_WEEKDAY_NAMES_RE = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
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
    phrases, folded = _phrases(folded, today)
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
        days += _calendar_day(_MONTHS[month_name], int(day), year, today, toward)
    for day, month_name, year in _DAY_MONTH.findall(folded):
        days += _calendar_day(_MONTHS[month_name], int(day), year, today, toward)
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


def _phrases(folded: str, today: date) -> tuple[list[date], str]:
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
        first = _months_later(today.replace(day=1), 1)
        days += [first, _months_later(first, 1) - timedelta(days=1)]
        folded = _NEXT_MONTH.sub(" ", folded)
    return days, folded


def _weekend(match: re.Match[str], today: date) -> list[date]:
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    later = bool(match.group(3)) or (match.group(1) or "").strip() in ("next", "el proximo")
    return [saturday + timedelta(weeks=1) if later and today.weekday() < 5 else saturday]


def _end(match: re.Match[str], today: date) -> list[date]:
    if match.group(1):
        # "end of march": that month's last day, this year or next.
        month = _MONTHS[match.group(1)]
        first = date(today.year + (month < today.month), month, 1)
        return [_months_later(first, 1) - timedelta(days=1)]
    return [_end_of(match.group(2) or match.group(4), today, bool(match.group(3) or match.group(4)))]


def _start(match: re.Match[str], today: date) -> list[date]:
    return [_start_of(match.group(2), today, bool(match.group(1)))]


def _middle(match: re.Match[str], today: date) -> list[date]:
    """ "a mediados de mes", "mid month": the 15th still to come."""
    fifteenth = today.replace(day=15)
    return [fifteenth if fifteenth >= today else _months_later(fifteenth, 1)]


def _week_from(match: re.Match[str], today: date) -> list[date]:
    ahead = (_WEEKDAYS[match.group(2)] - today.weekday()) % 7 or 7
    return [today + timedelta(days=ahead + 7 * _COUNTS.get(match.group(1), 1))]


def _of_next_week(match: re.Match[str], today: date) -> list[date]:
    """ "monday of next week", "el lunes de la próxima semana": that day of the coming week."""
    monday = today + timedelta(days=7 - today.weekday())
    return [monday + timedelta(days=_WEEKDAYS[match.group(1)])]


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
    first = _months_later(today.replace(day=1), 2 if later else 1)
    return first - timedelta(days=1)


def _start_of(unit: str, today: date, later: bool) -> date:
    """The start of the next week (its Monday) or month (its first day): the one still to come."""
    if unit in ("week", "semana"):
        monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
        return monday + timedelta(weeks=1) if later and today.weekday() == 0 else monday
    return _months_later(today.replace(day=1), 1)


def _nth_weekday(match: re.Match[str], today: date) -> list[date]:
    nth = _NTH.get(match.group(1), -1)
    weekday = _WEEKDAYS[match.group(2)]
    if match.group(4):
        month = _MONTHS[match.group(4)]
        year = today.year if month >= today.month else today.year + 1
    else:
        later = "next" in match.group(3) or "proximo" in match.group(3)
        first = _months_later(today.replace(day=1), 1 if later else 0)
        year, month = first.year, first.month
    day = nth_weekday(year, month, weekday, nth)
    return [day] if day.month == month else []


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
            _months_later(month_start, step) for step in ((0, 1, 2) if toward is Toward.FUTURE else (0, -1, -2))
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
        count = _COUNTS[count_text]
        if unit.startswith(("month", "mes")):
            days.append(_months_later(today, count))
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
