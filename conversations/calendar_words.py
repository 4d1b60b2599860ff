"""The words of the calendar, English and Spanish, shared by the date readers: weekdays (with the
abbreviations and misspellings people text), months, counts ("a few", "un par de"), and month arithmetic.
"""

import calendar
from datetime import date

WEEKDAYS = {
    **dict.fromkeys(["monday", "mon", "mondy", "lunes", "lun"], 0),
    **dict.fromkeys(["tuesday", "tue", "tues", "tusday", "tuesdy", "martes", "mart"], 1),
    **dict.fromkeys(["wednesday", "wed", "weds", "wensday", "wendsday", "wednsday", "miercoles", "mie", "mier"], 2),
    **dict.fromkeys(["thursday", "thu", "thur", "thurs", "thrusday", "thursdy", "jueves", "jue", "juev"], 3),
    **dict.fromkeys(["friday", "fri", "fryday", "viernes", "vie", "vier"], 4),
    **dict.fromkeys(["saturday", "sat", "satuday", "saterday", "sabado", "sab"], 5),
    **dict.fromkeys(["sunday", "sun", "sundy", "domingo", "dom"], 6),
}
#: Every weekday word, with its number (Monday 0); the hours reader writes out ranges ("mon-wed").
WEEKDAY_NUMBERS: dict[str, int] = WEEKDAYS
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {
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
COUNTS = {
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
WEEKDAY_ALTERNATIVES = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
MONTH_ALTERNATIVES = "|".join(sorted(MONTHS, key=len, reverse=True))


def months_later(today: date, months: int) -> date:
    """The same day of the month, months later; the month's last day when it is shorter (31 Jan + 1 → 28 Feb)."""
    month_index = today.month - 1 + months
    year, month = today.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
