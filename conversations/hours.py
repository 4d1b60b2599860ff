"""Reading participation hours out of a text, in English or Spanish: "8 hrs mon 6 tue", "20 hours this
week", "worked 4.5 hours at my job", "eight hours", "3h job search yesterday", "trabajé 6 horas hoy".

Groundwork for the hours report (issue 4). Like `dates`, the reader never guesses: a number with no
day says so (`day is None`, `weekly` False), a phrase with no activity leaves it None, and the flow
asks. Whether hours are possible (24 a day, 100 a week, a future day) is the flow's question too.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from casefile.timesheets import week_of
from casefile.vocabulary import Activity, Excuse, Language
from conversations.calendar_words import WEEKDAY_NAMES, WEEKDAY_NUMBERS
from conversations.dates import DAY_WORDS, Toward, read_date
from conversations.keywords import first_named, fold, word_patterns
from conversations.numbers import MAY_BE_A_NUMBER, digits


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


_AMOUNT = r"-?\d{1,3}(?:[.,]\d{1,2})?"
#: The unit, as typed in a hurry: "8 hrs", "3h", "6 horas", "5 oras", "4 hous".
_UNIT = r"(?:\s*(?:hours?|hrs?|hr|h|horas?|hs|hous|hors|hurs|oras?|hrz))"
# An amount, with its unit when it has one: "8 hrs", "3h", "6" (in "mon 8, tue 6").
_NUMBER = re.compile(rf"(?<![\w/.,-])(?P<amount>{_AMOUNT})(?P<unit>{_UNIT}\b)?(?![/\w]|\.\d)")
# The day names `dates` knows, and day/month numbers ("3/2"); `dates.read_date` reads each one.
_DAY = re.compile(rf"\b(?:on |el )?({'|'.join(DAY_WORDS)}|\d{{1,2}}/\d{{1,2}})\b")
_LAST_WEEK = re.compile(
    r"\b(last week|last wk|past week|(?:la )?semana pasada|(?:la )?semana anterior|(?:la )?otra semana)\b"
)
_WEEK = re.compile(
    r"\b(this week|this wk|the week|per week|a week|per wk|a wk|for the week|all week|esta semana|la semana|por semana|a la semana|"
    r"en la semana|toda la semana|weekly|semanal)\b"
)
#: Hours given for each of several days: "5 each", "3 horas cada dia", "4 hrs a day".
_EACH = re.compile(
    r"\b(each|each day|every day|everyday|a day|per day|cada dia|cada uno|c u|al dia|diarias|por dia|daily)\b"
)
#: Where one part of a report ends and the next begins: "3 hrs at goodwill, 2 on job apps".
_CLAUSE = re.compile(r"\s*(?:,|;|\band\b|\by\b|\+|\bplus\b|\bthen\b|\balso\b|\btambien\b|\bluego\b)\s*")

_ACTIVITIES = word_patterns(
    {
        Activity.JOB_SEARCH: r"job search\w*|job hunting|looking for (?:a )?(?:job|work)|applications?|applied|apps|"
        r"job club|job apps?|resume\w*|career center|job center|americas job center|one stop|interview\w*|"
        r"job readiness|job fair|"
        r"busqueda de (?:trabajo|empleo)|buscando (?:trabajo|empleo|chamba)|aplicaciones|aplique|solicitudes|"
        r"aplicando|buscar trabajo|entrevistas?|curriculum|club de empleo",
        Activity.WORK_EXPERIENCE: r"work experience|wex|experiencia laboral",
        Activity.VOCATIONAL_TRAINING: r"training|vocational|cna|phlebotomy|welding|trade school|"
        r"capacitacion|entrenamiento|curso tecnico",
        Activity.EDUCATION: r"school|class(?:es)?|ged|esl|college|homework|study|studied|studying|tutoring|"
        r"escuela|clases?|estudi\w*|tarea|colegio|ingles",
        Activity.COMMUNITY_SERVICE: r"community service|volunteer\w*|voluntari\w*|servicio comunitario",
        Activity.EMPLOYMENT: r"at (?:my|the) job|my job|(?:my |a )?shift|employment|at work|paid work|worked at|"
        r"en (?:mi |el )?trabajo|mi turno|empleo|en la chamba",
    }
)
#: Places that may be work, training or a job search: the flow asks which ("3 hrs at goodwill").
_UNSURE_PLACE = re.compile(
    r"\b(?:at|en) (?:the |la |el )?(?:goodwill|salvation army|warehouse|center|centro|office|oficina|library|biblioteca)\b"
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
    if not MAY_BE_A_NUMBER.search(text.casefold()):
        # Most texts at the menu hold no number at all ("hi", "help me"): nothing to read.
        return ()
    folded = hours_text(text)
    if _VAGUE.search(folded):
        # "2 or 3 hours": the flow asks for the number, rather than picking one.
        return ()
    excuse = first_named(_EXCUSES, folded)
    last_week = _LAST_WEEK.search(folded)
    weekly = bool(last_week or _WEEK.search(folded))
    week_start = week_of(today - timedelta(weeks=1) if last_week else today).start
    day_words = [(m.start(), m.end(), m.group(1)) for m in _DAY.finditer(folded)]
    amounts = _amounts(folded, day_words)
    if not amounts:
        return ()
    activities = _activities_by_clause(folded, [start for start, _, _ in amounts])
    each = _EACH.search(folded)
    if each and len(amounts) == 1 and len(day_words) > 1:
        # "tues thru thurs 5 each": the amount on every day named.
        days = _days_in_order([word for _, _, word in day_words], today, language)
        return tuple(HoursEntry(hours=amounts[0][2], day=day, activity=activities[0], excuse=excuse) for day in days)
    if len(amounts) == 1 and len(day_words) > 1:
        # "mon and tue 8 hrs": 8 in all, or 8 each? Asked, never guessed.
        pairs: list[tuple[float, str | None]] = [(amounts[0][2], None)]
    else:
        pairs = _pair(amounts, day_words, folded)
    entries = []
    for (hours, day_word), activity in zip(pairs, activities, strict=True):
        readings = _read_days(day_word, today, language) if day_word else ()
        entries.append(
            HoursEntry(
                hours=hours,
                day=week_start if weekly and day_word is None else (readings[0] if len(readings) == 1 else None),
                weekly=weekly and day_word is None,
                activity=activity,
                excuse=excuse,
                day_choices=readings if len(readings) > 1 else (),
            )
        )
    return tuple(entries)


_CLOCK = re.compile(r"\b(\d{1,2})[:h](\d{2})(?!\d)")
_WEEKDAY_ALTERNATIVES = "|".join(sorted(WEEKDAY_NUMBERS, key=len, reverse=True))
_DAY_RANGE = re.compile(
    rf"\b({_WEEKDAY_ALTERNATIVES})\s*(?:-|thru|through|to|till|until|a|al|hasta)\s*({_WEEKDAY_ALTERNATIVES})\b"
)
_HOURS_AND_MINUTES = re.compile(
    rf"\b(\d{{1,2}}(?:\.\d+)?)\s*{_UNIT}\s*(?:and |y |con )?(\d{{1,2}})\s*(?:minutes?|mins?|m|minutos?)\b"
)
_MINUTES = re.compile(r"\b(\d{1,3})\s*(?:minutes?|mins?|minutos?)\b")
_SPAN = re.compile(
    r"\b(?:from |de |desde )?(\d{1,2}(?:\.\d+)?)\s*(am|pm|a m|p m)?\s*(?:to|till|til|until|-|hasta|a)\s*"
    r"(\d{1,2}(?:\.\d+)?)\s*(am|pm|a m|p m)?(?!\s*(?:\.\d|/|\d|hours?|hrs?|h\b|horas?|hs\b))"
)
#: "2 or 3 hours", "2-3 hrs", "like 4 5 hours": an amount the participant has not settled on.
_VAGUE = re.compile(rf"\b\d{{1,2}}\s*(?:or|o|to|-|a)\s*\d{{1,2}}{_UNIT}\b")


@lru_cache(maxsize=256)
def hours_text(text: str) -> str:
    """The text as the hours reader reads it: folded, numbers in digits, clock times and minutes as
    hours, a time span as its length ("10 to 2" → "4 hours"), a day range written out ("mon-wed")."""
    text = _CLOCK.sub(lambda m: f"{int(m.group(1)) + int(m.group(2)) / 60:.4g}", text.casefold())
    folded = digits(_fold_keeping_numbers(text))
    if "min" in folded:
        folded = _HOURS_AND_MINUTES.sub(lambda m: f"{float(m.group(1)) + int(m.group(2)) / 60:.3g} hours", folded)
        folded = _MINUTES.sub(lambda m: f"{round(int(m.group(1)) / 60, 2):g} hours", folded)
    if _RANGE_HINT.search(folded):
        folded = _DAY_RANGE.sub(_days_between, _SPAN.sub(_span_hours, folded))
    return folded


#: A range can only be written with one of these: most texts skip the two range readers.
_RANGE_HINT = re.compile(r"-|\b(?:to|a|al|till|til|until|hasta|thru|through)\b")


def _days_in_order(words: list[str], today: date, language: Language) -> list[date]:
    """The days of "tues thru thurs" or "lun, mie y vie": the first as a report reads it, each next
    one the first of its weekday after the one before (so a day still to come is seen as such)."""
    first = _read_days(words[0], today, language)
    days = [first[0]] if first else []
    for word in words[1:]:
        if word not in WEEKDAY_NUMBERS or not days:
            return []
        days.append(days[-1] + timedelta(days=(WEEKDAY_NUMBERS[word] - days[-1].weekday()) % 7 or 7))
    return days


def _span_hours(match: re.Match[str]) -> str:
    """A time span as hours worked: "9-12" is 3, "10 to 2" is 4 (past noon), "8am to 4:30pm" 8.5."""
    start, end = float(match.group(1)), float(match.group(3))
    start_half, end_half = (match.group(2) or "").replace(" ", ""), (match.group(4) or "").replace(" ", "")
    if start > 12 or end > 24 or (not start_half and not end_half and not _looks_like_clock(match)):
        return match.group(0)
    start += 12 if start_half == "pm" and start < 12 else 0
    end += 12 if end_half == "pm" and end < 12 else 0
    if end <= start:
        end += 12
    length = end - start
    return f" {length:g} hours " if 0 < length <= 16 else match.group(0)


def _looks_like_clock(match: re.Match[str]) -> bool:
    """ "from 9 to 1", "de 9 a 1", "9-12": a span of the clock, not a correction ("change 5 to 7")."""
    said = match.group(0)
    return said.startswith(("from", "de", "desde")) or "-" in said or float(match.group(1)) >= 6


def _days_between(match: re.Match[str]) -> str:
    """ "tues thru thurs" → "tues wed thurs": every day of a range, for "5 each"."""
    first, last = WEEKDAY_NUMBERS[match.group(1)], WEEKDAY_NUMBERS[match.group(2)]
    names = [WEEKDAY_NAMES[(first + step) % 7] for step in range((last - first) % 7 + 1)]
    return " ".join(names)


def vague_amount(text: str) -> bool:
    """ "2 or 3 hours", "like 4-5 hrs": hours given but not settled; the flow asks for one number."""
    return MAY_BE_A_NUMBER.search(text.casefold()) is not None and _VAGUE.search(hours_text(text)) is not None


def _activities_by_clause(folded: str, starts: list[int]) -> list[Activity | None]:
    """The activity of each amount: the one named in its own part of the text, else the one the whole
    text names. Two named elsewhere and none here: None, and the flow asks."""
    bounds = [0, *(m.end() for m in _CLAUSE.finditer(folded)), len(folded) + 1]
    named = {activity for activity, pattern in _ACTIVITIES.items() if pattern.search(folded)}
    everywhere = next(iter(named)) if len(named) == 1 else None
    found: list[Activity | None] = []
    for start in starts:
        left = max(bound for bound in bounds if bound <= start)
        right = min(bound for bound in bounds if bound > start)
        clause = folded[left:right]
        unsure = _UNSURE_PLACE.search(clause) is not None
        found.append(first_named(_ACTIVITIES, clause) or (None if unsure else everywhere))
    return found


def _fold_keeping_numbers(text: str) -> str:
    """`fold`, but with decimal points, day/month slashes, minus signs and dashes kept: "4.5", "12/5",
    "-3", "9-12", "mon-wed"."""
    if "-" in text:
        text = _DASH.sub(r"\1 dashmark \2", _MINUS.sub(r"\1minusmark\2", text))
    kept = _SLASH.sub(r"\1slashmark\2", _DOT.sub(r"\1dotmark\2", text))
    folded = fold(kept)
    if "mark" not in folded:
        return folded
    folded = folded.replace("dotmark", ".").replace("slashmark", "/").replace("minusmark", "-")
    return folded.replace("dashmark", "-")


_DOT = re.compile(r"(\d)[.,](\d)")
_SLASH = re.compile(r"(\d)/(\d)")
_MINUS = re.compile(r"(^|\s)-(\d)")
_DASH = re.compile(r"(\w)\s*-\s*(\w)")


def _amounts(folded: str, days: list[tuple[int, int, str]]) -> list[tuple[int, int, float]]:
    """The amounts that are hours: those with a unit, those right beside a day ("mon 8"), a number
    that is the whole message ("7.5"), or one in a part naming an activity when another amount has
    a unit ("3 hrs at goodwill, 2 on job apps"). Other numbers ("una cita", "2 kids") are not hours."""
    matches = list(_NUMBER.finditer(folded))
    with_unit = any(match.group("unit") for match in matches)
    found = []
    for match in matches:
        beside_a_day = any(
            (match.end() <= start and _only_glue(folded[match.end() : start]))
            or (end <= match.start() and _only_glue(folded[end : match.start()]))
            for start, end, _ in days
        )
        whole = match.group(0).strip() == folded.strip()
        on_an_activity = with_unit and _names_activity_after(folded, match.end())
        if match.group("unit") or beside_a_day or whole or on_an_activity:
            found.append((match.start(), match.end(), float(match.group("amount").replace(",", "."))))
    return found


def _names_activity_after(folded: str, end: int) -> bool:
    """ "2 on job apps", "2 de escuela": a bare number followed by little words and an activity."""
    rest = re.match(r"\s*(?:(?:on|of|at|in|doing|for|de|en|haciendo|para)\s+)+(.*)", folded[end:])
    return rest is not None and first_named(_ACTIVITIES, " ".join(rest.group(1).split()[:4])) is not None


def _only_glue(between: str) -> bool:
    """Nothing but little words between a number and a day: "8 on monday", "6 el martes", and in a
    correction "tuesday was 5", "change monday to 7", "el martes fueron 5"."""
    return _GLUE.fullmatch(between) is not None


_GLUE = re.compile(
    r"\s*(?:(?:on|el|the|for|por|was|were|is|to|should be|fueron|fue|eran|son|a|i did|did|hice)\s*){0,2}"
)


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


@lru_cache(maxsize=4096)
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
    folded = hours_text(text)
    if not _REMOVE.search(folded):
        return ()
    return tuple(day for match in _DAY.finditer(folded) for day in _read_days(match.group(1), today, language)[:1])


def read_amount(text: str) -> float | None:
    """The one number in a text ("no, it was 7", "fueron 5"), as hours; None if it holds none or several."""
    found = list(_NUMBER.finditer(hours_text(text)))
    if len(found) != 1:
        return None
    return float(found[0].group("amount").replace(",", "."))
