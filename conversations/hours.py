"""Reading participation hours out of a text, in English or Spanish: "8 hrs mon 6 tue", "20 hours this
week", "worked 4.5 hours at my job", "eight hours", "3h job search yesterday", "trabajé 6 horas hoy".

Groundwork for the hours report (issue 4). Like `dates`, the reader never guesses: a number with no
day says so (`day is None`, `weekly` False), a phrase with no activity leaves it None, and the flow
asks. Whether hours are possible (24 a day, 100 a week, a future day) is the flow's question too.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from casefile.vocabulary import Activity, Excuse, Language
from conversations.dates import DAY_WORDS, Toward, read_date
from conversations.keywords import first_named, fold, word_patterns


@dataclass(frozen=True)
class HoursEntry:
    hours: float
    #: The day the hours were on; None when the text names none (or names the week).
    day: date | None = None
    #: True for a total over the week ("20 hours this week").
    weekly: bool = False
    activity: Activity | None = None
    #: Set for excused hours (sick, a child sick, a holiday, an appointment).
    excuse: Excuse | None = None
    #: When the day could be either of two ("2/3" from a Spanish speaker): the flow asks which.
    day_choices: tuple[date, ...] = ()


_NUMBER_WORDS = {
    **dict.fromkeys(["one", "un", "una", "uno"], 1),
    **dict.fromkeys(["two", "dos"], 2),
    **dict.fromkeys(["three", "tres"], 3),
    **dict.fromkeys(["four", "cuatro"], 4),
    **dict.fromkeys(["five", "cinco"], 5),
    **dict.fromkeys(["six", "seis"], 6),
    **dict.fromkeys(["seven", "siete"], 7),
    **dict.fromkeys(["eight", "ocho"], 8),
    **dict.fromkeys(["nine", "nueve"], 9),
    **dict.fromkeys(["ten", "diez"], 10),
    **dict.fromkeys(["eleven", "once"], 11),
    **dict.fromkeys(["twelve", "doce"], 12),
    **dict.fromkeys(["fifteen", "quince"], 15),
    **dict.fromkeys(["twenty", "veinte"], 20),
    **dict.fromkeys(["thirty", "treinta"], 30),
}
_AMOUNT = r"-?\d{1,3}(?:[.,]\d{1,2})?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_HALF = r"(?:\s+(?:and a half|y media|and half))?"
_UNIT = r"(?:\s*(?:hours?|hrs?|h|horas?|hs))"
# An amount, with its unit when it has one: "8 hrs", "3h", "eight hours", "6" (in "mon 8, tue 6").
_NUMBER = re.compile(
    rf"(?<![\w/.,-])(?P<amount>{_AMOUNT})(?P<half>{_HALF})(?P<unit>{_UNIT}\b(?P<half_after>\s+y media\b)?)?(?![/\w])"
)
# The day names `dates` knows, and day/month numbers ("3/2"); `dates.read_date` reads each one.
_DAY = re.compile(rf"\b(?:on |el )?({'|'.join(DAY_WORDS)}|\d{{1,2}}/\d{{1,2}})\b")
_WEEK = re.compile(r"\b(this week|the week|per week|a week|esta semana|la semana|por semana|a la semana|weekly)\b")

_ACTIVITIES = word_patterns(
    {
        Activity.JOB_SEARCH: r"job search\w*|job hunting|looking for (?:a )?(?:job|work)|applications?|applied|"
        r"job club|busqueda de (?:trabajo|empleo)|buscando (?:trabajo|empleo)|aplicaciones|solicitudes",
        Activity.WORK_EXPERIENCE: r"work experience|wex|experiencia laboral",
        Activity.VOCATIONAL_TRAINING: r"training|vocational|cna|phlebotomy|welding|trade school|"
        r"capacitacion|entrenamiento|curso tecnico",
        Activity.EDUCATION: r"school|class(?:es)?|ged|esl|college|homework|study|studied|escuela|clases?|estudi\w*",
        Activity.COMMUNITY_SERVICE: r"community service|volunteer\w*|voluntari\w*|servicio comunitario",
        Activity.EMPLOYMENT: r"at (?:my|the) job|my job|(?:my |a )?shift|employment|at work|paid work|"
        r"en (?:mi |el )?trabajo|mi turno|empleo",
    }
)
_EXCUSES = word_patterns(
    {
        Excuse.CHILD_SICK: r"(?:my )?(?:kid|child|son|daughter|baby)(?: s| was| is)? sick|"
        r"(?:mi )?(?:hij[oa]|nin[oa]|bebe) (?:estaba |esta )?enferm[oa]",
        Excuse.SICK: r"sick|ill|enferm[oa]|doctor said",
        Excuse.HOLIDAY: r"holiday|feriado|dia festivo",
        Excuse.APPOINTMENT: r"appointment|appt|cita",
    }
)


def read_hours(text: str, today: date, language: Language = Language.ENGLISH) -> tuple[HoursEntry, ...]:
    """Every amount of hours in the text, each with its day, activity and excuse where the text says them."""
    folded = _fold_keeping_numbers(text)
    activity = first_named(_ACTIVITIES, folded)
    excuse = first_named(_EXCUSES, folded)
    weekly = bool(_WEEK.search(folded))
    day_words = [(m.start(), m.end(), m.group(1)) for m in _DAY.finditer(folded)]
    amounts = _amounts(folded, day_words)
    if not amounts:
        return ()
    entries = []
    for hours, day_word in _pair(amounts, day_words, folded):
        readings = _read_days(day_word, today, language) if day_word else ()
        entries.append(
            HoursEntry(
                hours=hours,
                day=readings[0] if len(readings) == 1 else None,
                weekly=weekly and day_word is None,
                activity=activity,
                excuse=excuse,
                day_choices=readings if len(readings) > 1 else (),
            )
        )
    return tuple(entries)


def _fold_keeping_numbers(text: str) -> str:
    """`fold`, but with decimal points, day/month slashes and minus signs kept: "4.5", "12/5", "-3"."""
    kept = re.sub(r"(\d)[.,](\d)", r"\1dotmark\2", text)
    kept = re.sub(r"(\d)/(\d)", r"\1slashmark\2", kept)
    kept = re.sub(r"(^|\s)-(\d)", r"\1minusmark\2", kept)
    return fold(kept).replace("dotmark", ".").replace("slashmark", "/").replace("minusmark", "-")


def _amounts(folded: str, days: list[tuple[int, int, str]]) -> list[tuple[int, int, float]]:
    """The amounts that are hours: those with a unit, those right beside a day ("mon 8"), or a
    number that is the whole message ("7.5"). Other numbers ("una cita", "2 kids") are not hours."""
    found = []
    for match in _NUMBER.finditer(folded):
        beside_a_day = any(
            (match.end() <= start and _only_glue(folded[match.end() : start]))
            or (end <= match.start() and _only_glue(folded[end : match.start()]))
            for start, end, _ in days
        )
        whole = match.group(0).strip() == folded.strip()
        if match.group("unit") or beside_a_day or whole:
            half = bool(match.group("half") or match.group("half_after"))
            found.append((match.start(), match.end(), _amount(match.group("amount"), half)))
    return found


def _only_glue(between: str) -> bool:
    """Nothing but little words between a number and a day: "8 on monday", "6 el martes", and in a
    correction "tuesday was 5", "change monday to 7", "el martes fueron 5"."""
    return _GLUE.fullmatch(between) is not None


_GLUE = re.compile(r"\s*(?:(?:on|el|the|for|por|was|were|is|to|should be|fueron|fue|eran|son|a)\s*){0,2}")


def _amount(word: str, and_a_half: bool) -> float:
    value = float(_NUMBER_WORDS[word]) if word in _NUMBER_WORDS else float(word.replace(",", "."))
    return value + 0.5 if and_a_half else value


def _pair(
    amounts: list[tuple[int, int, float]], days: list[tuple[int, int, str]], folded: str
) -> list[tuple[float, str | None]]:
    """Match each amount to its day: "8 hrs mon 6 tue" (amount first) or "mon 8, tue 6" (day first)."""
    if not days:
        return [(hours, None) for _, _, hours in amounts]
    if len(days) == 1:
        return [(hours, days[0][2]) for _, _, hours in amounts]
    amount_first = amounts[0][0] < days[0][0]
    pairs: list[tuple[float, str | None]] = []
    for index, (start, end, hours) in enumerate(amounts):
        if amount_first:
            # The day between this amount and the next: "8 hrs mon | 6 tue".
            limit = amounts[index + 1][0] if index + 1 < len(amounts) else len(folded)
            near = [word for day_start, _, word in days if end <= day_start < limit]
            pairs.append((hours, near[0] if near else None))
        else:
            before = [word for _, day_end, word in days if day_end <= start]
            pairs.append((hours, before[-1] if before else None))
    return pairs


def _read_days(word: str, today: date, language: Language) -> tuple[date, ...]:
    """The days a word can mean for a report. Of two readings ("2/3" from a Spanish speaker), those in
    the last month are the plausible ones; when both are, both are kept and the flow asks which."""
    days = read_date(word, today, Toward.PAST, language).days
    recent = tuple(day for day in days if today - _A_MONTH <= day <= today)
    return recent if len(days) > 1 and recent else days


_A_MONTH = timedelta(days=31)


def read_activity(text: str) -> Activity | None:
    """The activity a text names ("job search", "en mi trabajo"), if it names one."""
    return first_named(_ACTIVITIES, fold(text))


def names_the_week(text: str) -> bool:
    """ "this week", "esta semana", "week": hours given as the week's total."""
    folded = fold(text)
    return bool(_WEEK.search(folded)) or folded in ("week", "semana", "the week", "la semana")


_REMOVE = re.compile(r"\b(remove|delete|take off|cancel|erase|quita\w*|borra\w*|elimina\w*|cancela\w*)\b")


def days_to_remove(text: str, today: date, language: Language) -> tuple[date, ...]:
    """The days a correction asks to drop from a report: "remove tuesday", "quita el martes"."""
    folded = _fold_keeping_numbers(text)
    if not _REMOVE.search(folded):
        return ()
    return tuple(day for match in _DAY.finditer(folded) for day in _read_days(match.group(1), today, language)[:1])


def read_amount(text: str) -> float | None:
    """The one number in a text ("no, it was 7", "fueron 5"), as hours; None if it holds none or several."""
    folded = _fold_keeping_numbers(text)
    found = list(_NUMBER.finditer(folded))
    if len(found) != 1:
        return None
    match = found[0]
    return _amount(match.group("amount"), bool(match.group("half") or match.group("half_after")))
