"""Reading short answers loosely, the way people text: "y", "yep", "sí", "👍", "listo", "2", "doen".

A reply is compared whole (after `fold`), so that "no" is an answer but "no childcare" is not;
a word of four letters or more may carry one typo (a letter missing, extra, wrong or swapped).
"""

import re
from enum import Enum
from typing import Generic, TypeVar

from conversations.keywords import fold
from conversations.numbers import digits

_EMOJI_YES = frozenset(["👍", "👌", "✅", "✔", "✔️", "💪", "🎉", "🙌", "☑️"])
_EMOJI_NO = frozenset(["👎", "⏳", "❌"])


class CheckIn(Enum):
    """How a step went."""

    DONE = "done"
    NOT_YET = "not_yet"
    STUCK = "stuck"


_YES = frozenset(
    [
        "yes",
        "y",
        "ya",
        "yeah",
        "yep",
        "yup",
        "yes it is",
        "yes please",
        "ok",
        "okay",
        "k",
        "sure",
        "right",
        "correct",
        "thats right",
        "that s right",
        "si",
        "claro",
        "correcto",
        "asi es",
        "eso es",
        "de acuerdo",
        "si por favor",
        "esta bien",
        "bueno",
    ]
)
_NO = frozenset(
    [
        "no",
        "n",
        "nope",
        "nah",
        "no thanks",
        "no thank you",
        "not really",
        "wrong",
        "incorrect",
        "not right",
        "no gracias",
        "incorrecto",
        "esta mal",
        "not yet",
        "todavia no",
        "aun no",
    ]
)
_YES_OR_NO = {**dict.fromkeys(_YES, True), **dict.fromkeys(_NO, False)}
_CHECK_IN: dict[str, CheckIn] = {
    **dict.fromkeys(
        [
            "done",
            "did it",
            "i did it",
            "i did",
            "finished",
            "i finished",
            "complete",
            "completed",
            "all done",
            "its done",
            "it s done",
            "listo",
            "lista",
            "ya esta",
            "hecho",
            "ya lo hice",
            "lo hice",
            "termine",
            "ya termine",
            "completado",
        ]
        + list(_YES - {"ok", "okay", "k", "right", "correct", "bueno", "esta bien"}),
        CheckIn.DONE,
    ),
    **dict.fromkeys(
        [
            "not yet",
            "no",
            "n",
            "nope",
            "not done",
            "not done yet",
            "not really",
            "no yet",
            "later",
            "soon",
            "still working",
            "still working on it",
            "working on it",
            "todavia no",
            "aun no",
            "no todavia",
            "no aun",
            "todavia",
            "mas tarde",
            "pronto",
            "en eso estoy",
            "trabajando en eso",
            "no lo he hecho",
        ],
        CheckIn.NOT_YET,
    ),
    **dict.fromkeys(
        [
            "stuck",
            "im stuck",
            "i m stuck",
            "i am stuck",
            "stuck on it",
            "problem",
            "problems",
            "i have a problem",
            "cant",
            "can t",
            "i cant",
            "i can t",
            "hard",
            "its hard",
            "it s hard",
            "need help",
            "atorado",
            "atorada",
            "estoy atorado",
            "estoy atorada",
            "atascado",
            "atascada",
            "problema",
            "tengo un problema",
            "no puedo",
            "dificil",
            "esta dificil",
            "necesito ayuda",
        ],
        CheckIn.STUCK,
    ),
}
_CHECK_IN_NUMBERS = {"1": CheckIn.DONE, "2": CheckIn.NOT_YET, "3": CheckIn.STUCK}


def read_check_in(text: str) -> CheckIn | None:
    """Done, not yet or stuck, from a word, a number of the check-in menu, an emoji, or a sentence
    ("yep did that this morning", "nah not yet", "no cuz my kid was sick", "si ya lo termine")."""
    if text.strip() in _EMOJI_YES:
        return CheckIn.DONE
    if text.strip() in _EMOJI_NO:
        return CheckIn.NOT_YET
    folded = fold(text)
    whole = _CHECK_IN_NUMBERS.get(_choice_number(folded) or "", None) or _CHECK_IN_ANSWERS.read(folded)
    return whole or _in_a_sentence(folded)


# In a sentence, the first that matches wins: a "no" that opens it, then being stuck, then not yet
# (so that "not done" and "didn't finish" are not read as done), then done, then a "yes" that opens it.
_OPENS_NO = re.compile(r"^(?:no+|nah+|nope|naw|not yet|todavia no|aun no|ahorita no|negativo)\b")
_STUCK = re.compile(
    r"\b(?:stuck|can ?t|couldn ?t|could not|cannot|unable|wasn ?t able|need help|having trouble|hard time|"
    r"struggling|no pude|no puedo|no he podido|atorad[oa]|atascad[oa]|batallando|se me complico|necesito ayuda|"
    r"tengo un problema|problema)\b"
)
_NOT_YET = re.compile(
    r"\b(?:not yet|not done|not finished|haven ?t|havent|didn ?t|didnt|did not|have not|still (?:need|have|working)|"
    r"working on|workin on|gonna|going to|will do|i ll do|later|tomorrow|this weekend|"
    r"todavia no|aun no|no todavia|no aun|no he|no lo he|no la he|no lo hice|no la hice|voy a|lo hago|mas tarde|"
    r"manana|estoy en eso|trabajando en|me falta|falta)\b"
)
_DONE = re.compile(
    r"\b(?:done|did it|did that|did this|i did|finished|finish it|completed?|turned (?:it )?in|submitted|sent it|"
    r"went|got it|called them|signed up|enrolled|ya lo|ya la|ya los|ya fui|ya llame|ya quedo|lo hice|la hice|"
    r"lo termine|la termine|termine|listo|lista|hecho|ya esta|ya estuvo|ya mande|ya envie|ya aplique|ya)\b"
)
_OPENS_YES = re.compile(r"^(?:y|ya|yes+|yeah|yep|yup|ye|yea|si+|sip|simon|claro|of course|sure did|ok done)\b")


def _in_a_sentence(folded: str) -> CheckIn | None:
    if _OPENS_NO.search(folded):
        return CheckIn.STUCK if _STUCK.search(folded) else CheckIn.NOT_YET
    if _STUCK.search(folded):
        return CheckIn.STUCK
    if _NOT_YET.search(folded):
        return CheckIn.NOT_YET
    if _DONE.search(folded) or _OPENS_YES.search(folded):
        return CheckIn.DONE
    return None


def read_yes_no(text: str) -> bool | None:
    """True for yes, False for no, None for anything else."""
    if text.strip() in _EMOJI_YES:
        return True
    if text.strip() in _EMOJI_NO:
        return False
    return _YES_OR_NO_ANSWERS.read(fold(text))


def says_something(text: str) -> bool:
    """Whether a text can be taken as someone's own words (a goal, a step): not a bare yes, no or number."""
    folded = fold(text)
    return read_yes_no(text) is None and not folded.isdigit() and sum(c.isalpha() for c in folded) >= 3


def read_choice(text: str, options: int) -> int | None:
    """A menu number from 1 to `options` ("2", "#2", "2.", "option 2", "two"), or None."""
    number = _choice_number(fold(text))
    return int(number) if number is not None and 1 <= int(number) <= options else None


def _choice_number(folded: str) -> str | None:
    words = folded.removeprefix("option ").removeprefix("opcion ").removeprefix("number ").removeprefix("numero ")
    # "two", "dos": the one number reader that hours and dates use too.
    number = digits(words)
    return number if number.isdigit() and len(number) == 1 else None


T = TypeVar("T")


class _Answers(Generic[T]):
    """A table of answers, each read as typed or, at four letters or more, with one typo.

    Any two words one typo apart are equal once each has lost at most one letter ("doen" and "done"
    both make "don"), so the words a reply may be a typo of are found in a map of those shortened
    forms, made once, and only they are compared letter by letter, not every word of the table:
    "menu" was 30 us against the 89 check-in answers, and is 2 us (issue 19)."""

    def __init__(self, table: dict[str, T]) -> None:
        self._table = table
        self._near: dict[str, set[str]] = {}
        for known in table:
            if len(known) >= 4:
                for shortened in _shortened(known):
                    self._near.setdefault(shortened, set()).add(known)

    def read(self, folded: str) -> T | None:
        if folded in self._table:
            return self._table[folded]
        if len(folded) < 4:
            return None
        candidates = {known for shortened in _shortened(folded) for known in self._near.get(shortened, ())}
        near = {self._table[known] for known in candidates if one_typo_apart(folded, known)}
        # A typo that could be two different answers is no answer.
        return near.pop() if len(near) == 1 else None


def _shortened(word: str) -> set[str]:
    """The word and every form of it with one letter less."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


_YES_OR_NO_ANSWERS = _Answers(_YES_OR_NO)
_CHECK_IN_ANSWERS = _Answers(_CHECK_IN)


def one_typo_apart(typed: str, known: str) -> bool:
    """True if one letter was left out, added, changed, or two neighbours swapped."""
    if typed == known or abs(len(typed) - len(known)) > 1:
        return False
    if len(typed) == len(known):
        differences = [i for i, (a, b) in enumerate(zip(typed, known, strict=True)) if a != b]
        if len(differences) == 1:
            return True
        first, *rest = differences
        return rest == [first + 1] and typed[first] == known[first + 1] and typed[first + 1] == known[first]
    shorter, longer = sorted((typed, known), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))
