"""Keywords that work anywhere in a conversation, in English and Spanish.

Carrier rules make a keyword the whole message ("STOP", not "please stop texting me"); a sentence
that asks to stop is found by `asks_to_stop` and goes to a person instead.
"""

import re
import unicodedata
from enum import Enum
from functools import lru_cache
from typing import TypeVar

K = TypeVar("K")


class Keyword(Enum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"
    MENU = "menu"
    CHOOSE_LANGUAGE = "choose_language"
    ENGLISH = "english"
    SPANISH = "spanish"
    MY_GOAL = "my_goal"


@lru_cache(maxsize=1024)
def fold(text: str) -> str:
    """Lower case, accents off, punctuation to spaces, runs of space squeezed: 'SÍ!' -> 'si'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", bare).split())


_KEYWORDS: dict[str, Keyword] = {
    **dict.fromkeys(
        [
            "stop",
            "stopall",
            "unsubscribe",
            "cancel",
            "end",
            "quit",
            "revoke",
            "optout",
            "opt out",
            "stop all",
            "alto",
            "parar",
            "para",
            "basta",
            "cancelar",
            "detener",
            "terminar",
            "baja",
        ],
        Keyword.OPT_OUT,
    ),
    **dict.fromkeys(["start", "unstop", "subscribe", "empezar", "comenzar", "iniciar"], Keyword.OPT_IN),
    **dict.fromkeys(["help", "info", "ayuda", "informacion"], Keyword.HELP),
    **dict.fromkeys(["menu", "main menu", "menu principal", "inicio", "home", "0"], Keyword.MENU),
    **dict.fromkeys(["language", "idioma", "lenguaje", "lang"], Keyword.CHOOSE_LANGUAGE),
    **dict.fromkeys(["english", "ingles", "en ingles"], Keyword.ENGLISH),
    **dict.fromkeys(["espanol", "spanish", "en espanol", "castellano"], Keyword.SPANISH),
    **dict.fromkeys(
        ["my goal", "my goals", "my plan", "my steps", "mi meta", "mis metas", "mi plan", "mis pasos"], Keyword.MY_GOAL
    ),
}


def word_patterns(words: dict[K, str]) -> dict[K, re.Pattern[str]]:
    """Each key's alternatives ("car|bus|ride"), matched as whole words in a folded text."""
    return {key: re.compile(rf"\b(?:{alternatives})\b") for key, alternatives in words.items()}


def first_named(patterns: dict[K, re.Pattern[str]], folded: str) -> K | None:
    """The first key (in the table's order) whose words the folded text contains."""
    return next((key for key, pattern in patterns.items() if pattern.search(folded)), None)


def keyword_in(text: str) -> Keyword | None:
    return _KEYWORDS.get(fold(text))


_STOP_SENTENCE = re.compile(
    r"\b(stop|quit|unsubscribe|opt out|no more|leave me alone|don t (text|message|contact)|"
    r"do not (text|message|contact)|dont (text|message)|remove me|"
    r"alto|basta|dej[ae]n? de|ya no (me )?(manden|envien|escriban|mande|envie)|no me (manden|envien|escriban))\b"
    # Said in Spanish as often as the above (issue 14): "no mas mensajes", "ya no quiero mensajes",
    # "para ya", "quitenme de la lista"; "para" alone is a keyword, and within a sentence means "for".
    r"|\bno (mas|quiero( mas| recibir( mas)?)?) (mensajes|textos)\b|\bya no quiero (recibir )?(mas |estos )?(mensajes|textos)\b"
    r"|^(para ya|ya para|paren ya|ya paren)$|\bparen de (mandar|enviar|escribir)\w*"
    r"|\b(quit[ae]n?me|sac[ae]n?me|borr[ae]n?me)( de la lista)?\b|\bborr[ae]n? mi numero\b"
    r"|\bno me contacten\b|\bya no quiero que me (escriban|manden|envien)\b"
    r"|\b(take|get) (me|my number) off\b|\b(remove|delete) my number\b|\bdon t want (any more|these|anymore)\b"
    r"|\bdont want (any more|these|anymore)\b|\bdon t want to get texts\b"
)
#: "stop" that is a place or a visit, not a request: "I'm at the bus stop", "stop by the office".
_NOT_A_STOP = re.compile(r"\b(bus|last|next|train|truck|pit|first|one) stop\b|\bstop (by|at|in|sign|light)\b")


def asks_to_stop(text: str) -> bool:
    """A sentence (not a keyword) that sounds like 'stop texting me'; a counselor should read it."""
    folded = fold(text)
    if "stop" in folded:
        folded = _NOT_A_STOP.sub(" ", folded)
    return bool(_STOP_SENTENCE.search(folded))
