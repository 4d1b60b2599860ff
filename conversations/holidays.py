"""Holidays people plan around, by the names they text ("after thanksgiving", "antes de navidad").

Each name gives the day in a year; `dates` picks the year the way it does for "12/5". A name that
means different days to different people ("día de las madres": 10 May in Mexico, the second Sunday
of May here) gives both, and the flow asks.
"""

import re
from collections.abc import Callable
from datetime import date, timedelta

DayInYear = Callable[[int], tuple[date, ...]]


def _fixed(month: int, day: int) -> DayInYear:
    return lambda year: (date(year, month, day),)


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The nth (1-5, or -1 for the last) weekday (Monday 0) of a month; may run into the next month for a 5th."""
    if nth < 0:
        following = date(year + month // 12, month % 12 + 1, 1)
        last = following - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def _nth(month: int, weekday: int, nth: int) -> DayInYear:
    return lambda year: (nth_weekday(year, month, weekday, nth),)


def easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


_HOLIDAYS: dict[str, DayInYear] = {
    r"christmas eve|xmas eve|noche ?buena": _fixed(12, 24),
    r"christmas|xmas|navidad": _fixed(12, 25),
    r"new years eve|new year s eve|nye|fin de ano|noche vieja": _fixed(12, 31),
    r"new years|new year s|new year|ano nuevo": _fixed(1, 1),
    r"4th of july|fourth of july|july 4th|independence day|4 de julio": _fixed(7, 4),
    r"halloween": _fixed(10, 31),
    r"valentines|valentine s day|valentines day|san valentin|dia del amor": _fixed(2, 14),
    r"veterans day": _fixed(11, 11),
    r"cinco de mayo": _fixed(5, 5),
    r"dia de (?:los )?muertos": _fixed(11, 2),
    r"thanksgiving|dia de (?:accion de )?gracias": _nth(11, 3, 4),
    r"memorial day": _nth(5, 0, -1),
    r"labor day|dia del trabajo": _nth(9, 0, 1),
    r"mlk day|martin luther king day|mlk": _nth(1, 0, 3),
    r"presidents day|president s day": _nth(2, 0, 3),
    r"father s day|fathers day|dia del padre": _nth(6, 6, 3),
    r"mother s day|mothers day": _nth(5, 6, 2),
    # Mexico keeps 10 May; the US, the second Sunday of May: both, and the flow asks.
    r"dia de las madres|dia de la madre": lambda year: (date(year, 5, 10), nth_weekday(year, 5, 6, 2)),
    r"easter|pascua|domingo de pascua": lambda year: (easter(year),),
}
_PATTERNS = [(re.compile(rf"\b(?:{names})\b"), days) for names, days in _HOLIDAYS.items()]
_ANY = re.compile(rf"\b(?:{'|'.join(_HOLIDAYS)})\b")


def holidays_named(folded: str) -> list[tuple[DayInYear, str]]:
    """The holidays a folded text names, each with its day in any year and the words that named it."""
    found: list[tuple[DayInYear, str]] = []
    if not _ANY.search(folded):
        return found
    for pattern, days in _PATTERNS:
        match = pattern.search(folded)
        if match:
            found.append((days, match.group(0)))
            folded = folded.replace(match.group(0), " ")
    return found
