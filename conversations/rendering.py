"""Turning replies (template keys and parameters) into the text a participant reads."""

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from operator import itemgetter
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from casefile.timesheets import Period
from casefile.vocabulary import Language
from conversations.model import Reply
from templates import MESSAGES_DIR

# Characters that look like plain ones but would force UCS-2 (and double the cost) in English.
_LOOKALIKES = str.maketrans({"\u00a0": " ", "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-"})


@dataclass(frozen=True)
class ServiceProfile:
    """What every message may mention about the service itself (HELP, the introduction)."""

    program: str
    messages_per_week: int


class MessageRenderer:
    def __init__(self, profile: ServiceProfile, kept: int = 2048) -> None:
        """`kept`: how many replies' texts to keep (a few hundred bytes each); 0 keeps none."""
        self._profile = profile
        self._environments = {
            language: Environment(
                loader=FileSystemLoader(MESSAGES_DIR / language.value),
                undefined=StrictUndefined,
                autoescape=False,
                keep_trailing_newline=False,
                # Templates are data shipped with the release: without this, every reply of every
                # message asked the file system whether its template had changed since it was read.
                auto_reload=False,
            )
            for language in Language
        }
        #: Asked of Jinja once: its get_template checks its own cache and loader on every call.
        self._templates: dict[tuple[Language, str], Template] = {}
        # A reply's text is a pure function of its template, language and parameters (no globals,
        # pure filters), so it is kept by exactly those: most replies of a day are the same few
        # (the menu, "got it", a question of the check-in), and Jinja's render was 3% of a
        # message's CPU (issue 19). Bounded: a name or a goal's words make keys that rarely repeat.
        self._cached_text = lru_cache(maxsize=kept)(self._text)
        for language, environment in self._environments.items():
            environment.filters["day"] = DAY_FORMATS[language]
            environment.filters["day_year"] = DAY_YEAR_FORMATS[language]
            environment.filters["short"] = shorten
            environment.filters["hours"] = hours_text
            environment.filters["activity"] = ACTIVITY_NAMES[language].__getitem__
            environment.filters["excuse"] = EXCUSE_NAMES[language].__getitem__

    def keys(self, language: Language) -> set[str]:
        loader = self._environments[language].loader
        assert loader is not None
        return {name.removesuffix(".txt") for name in loader.list_templates()}

    def render(self, reply: Reply, language: Language) -> str:
        key = _cache_key(reply.params)
        if key is None:
            return self._text(language, reply.key, reply.params)
        return self._cached_text(language, reply.key, key)

    def _text(self, language: Language, template_key: str, params: Any) -> str:
        """The reply's text; `params` a dict, or the cache key made of it (`_cache_key`)."""
        template = self._templates.get((language, template_key))
        if template is None:
            template = self._environments[language].get_template(f"{template_key}.txt")
            self._templates[(language, template_key)] = template
        values = params if isinstance(params, dict) else {name: _value(kind, value) for name, kind, value in params}
        text = template.render(
            program=self._profile.program,
            messages_per_week=self._profile.messages_per_week,
            **values,
        )
        return tidy(text)


def tidy(text: str) -> str:
    """Trim each line and drop blank ones, and replace look-alike characters: SMS bills every byte."""
    lines = (line.strip() for line in text.translate(_LOOKALIKES).splitlines())
    return "\n".join(line for line in lines if line)


_EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Spanish names in full, as abbreviations read poorly. "sabado" without its accent, as it is often
# texted: "á" is not in GSM-7 and would turn every text that names a Saturday into UCS-2 (twice the cost).
_ES_WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sabado", "domingo")
_ES_MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


def english_day(day: date) -> str:
    """'Fri, Mar 6': a weekday helps, and the month name avoids 3/6 versus 6/3."""
    return f"{_EN_WEEKDAYS[day.weekday()]}, {_EN_MONTHS[day.month - 1]} {day.day}"


def spanish_day(day: date) -> str:
    """'viernes 6 de marzo'."""
    return f"{_ES_WEEKDAYS[day.weekday()]} {day.day} de {_ES_MONTHS[day.month - 1]}"


DAY_FORMATS: dict[Language, Callable[[date], str]] = {Language.ENGLISH: english_day, Language.SPANISH: spanish_day}
#: With the year, for dates that may be in another one (a goal's date, a date questioned as far off).
DAY_YEAR_FORMATS: dict[Language, Callable[[date], str]] = {
    Language.ENGLISH: lambda day: f"{english_day(day)}, {day.year}",
    Language.SPANISH: lambda day: f"{spanish_day(day)} de {day.year}",
}

#: Participants' own words quoted in a routine text are cut to this, at a word: the whole goal is
#: read back when it is set and on "my goal", and a long quote would double what a reminder costs.
SHORT_QUOTE = 60


def shorten(words: str, length: int = SHORT_QUOTE) -> str:
    if len(words) <= length:
        return words
    cut = words[: length - 3].rsplit(" ", 1)[0]
    return f"{cut.rstrip(' ,.;:-')}..."


def hours_text(hours: float) -> str:
    """8 -> "8", 4.5 -> "4.5", 7.25 -> "7.25": as a participant would write them."""
    return f"{round(hours, 2):g}"


#: Activities as a participant calls them, by their Activity value. Spanish without accents where
#: texting allows it, so that lists of them stay in GSM-7.
ACTIVITY_NAMES: dict[Language, dict[str, str]] = {
    Language.ENGLISH: {
        "employment": "work (paid job)",
        "job_search": "job search",
        "vocational_training": "job training",
        "work_experience": "work experience",
        "education": "school",
        "community_service": "community service",
        "other": "other activity",
    },
    Language.SPANISH: {
        "employment": "trabajo (empleo)",
        "job_search": "busqueda de trabajo",
        "vocational_training": "capacitacion",
        "work_experience": "experiencia laboral",
        "education": "escuela",
        "community_service": "servicio comunitario",
        "other": "otra actividad",
    },
}
EXCUSE_NAMES: dict[Language, dict[str, str]] = {
    Language.ENGLISH: {"sick": "sick", "child_sick": "child sick", "holiday": "holiday", "appointment": "appointment"},
    Language.SPANISH: {
        "sick": "enfermo(a)",
        "child_sick": "hijo(a) enfermo(a)",
        "holiday": "dia festivo",
        "appointment": "cita",
    },
}


#: The parameter types whose equal values render alike (the type is in the key: True == 1 and
#: 8 == 8.0 print differently). Floats are keyed by their repr, as -0.0 == 0.0; not datetime, as
#: equal instants in two zones print differently. A Period is two dates (frozen). A list is kept
#: when each of its items is of these types (the menu's options, a plan's activities), keyed item by
#: item in the same way.
_KEYED_TYPES = frozenset({str, int, bool, float, date, type(None), Period})

#: A parameter as a key: its name, its type, and its value (a float's repr; a list's items keyed).
_Keyed = tuple[str, type, Hashable]


def _cache_key(params: dict[str, Any]) -> tuple[_Keyed, ...] | None:
    """The parameters as a key that equals another only where they render alike; None if a value
    is of another type (that reply is rendered, not kept)."""
    key: list[_Keyed] = []
    for name, value in params.items():
        kind = type(value)
        if kind in _KEYED_TYPES:
            key.append((name, kind, repr(value) if kind is float else value))
        elif kind is list and all(type(item) in _KEYED_TYPES for item in value):
            key.append((name, list, tuple((type(item), repr(item) if type(item) is float else item) for item in value)))
        else:
            return None
    # By name alone (names are unique): values of two types are never compared.
    key.sort(key=itemgetter(0))
    return tuple(key)


def _value(kind: type, keyed: Any) -> Any:
    """A parameter's value back from its place in a key."""
    if kind is list:
        return [_value(item_kind, item) for item_kind, item in keyed]
    return float(keyed) if kind is float else keyed
