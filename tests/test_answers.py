"""Short answers read loosely, and barriers read from a number or the participant's words."""

from typing import Any, TypeVar

import pytest

from casefile.vocabulary import Barrier
from conversations.answers import (
    _CHECK_IN,
    _YES_OR_NO,
    CheckIn,
    _Answers,
    one_typo_apart,
    read_check_in,
    read_choice,
    read_yes_no,
)
from conversations.barriers import names_only_other, read_barrier


@pytest.mark.parametrize(
    "text, expected",
    [
        *[(t, CheckIn.DONE) for t in ["done", "Done!", "yes", "yep", "y", "Y", "listo", "sí", "si", "👍", "1", "#1"]],
        *[(t, CheckIn.DONE) for t in ["doen", "dnoe", "lsito", "finsihed", "I did it", "ya lo hice", "terminé"]],
        *[(t, CheckIn.NOT_YET) for t in ["not yet", "no", "nope", "2", "todavía no", "aun no", "not yte", "👎"]],
        *[(t, CheckIn.STUCK) for t in ["stuck", "3", "I'm stuck", "atorada", "atorado", "no puedo", "stcuk"]],
        *[(t, None) for t in ["", "maybe", "4", "the bus was late", "hello"]],
        # In a sentence (issue 15); the check-in flow also takes the barrier a sentence names.
        *[(t, CheckIn.DONE) for t in ["yep did that this morning", "si ya lo termine", "ya fui ayer", "went tuesday"]],
        *[(t, CheckIn.NOT_YET) for t in ["nah not yet", "no cuz my kid was sick", "no childcare this week"]],
        *[
            (t, CheckIn.NOT_YET)
            for t in ["I haven't had time", "didn't finish it", "no lo he hecho", "not done yet lol"]
        ],
        *[(t, CheckIn.STUCK) for t in ["I couldn't, the office was closed", "no pude ir", "having trouble with it"]],
    ],
)
def test_check_in_answers_are_read_loosely(text: str, expected: CheckIn | None) -> None:
    assert read_check_in(text) is expected


@pytest.mark.parametrize(
    "text, expected",
    [
        *[(t, True) for t in ["yes", "YES", "y", "yeah", "ok", "sí", "Si", "claro", "correcto", "corecto", "👍"]],
        *[(t, False) for t in ["no", "No.", "nope", "n", "no thanks", "no gracias", "not yet", "todavía no"]],
        *[(t, None) for t in ["", "maybe", "1", "what?", "no childcare"]],
    ],
)
def test_yes_and_no_are_read_loosely(text: str, expected: bool | None) -> None:
    assert read_yes_no(text) is expected


@pytest.mark.parametrize(
    "text, options, expected",
    [("2", 2, 2), ("#2", 2, 2), ("2.", 2, 2), ("option 2", 2, 2), ("two", 2, 2), ("dos", 2, 2), ("3", 2, None)],
)
def test_menu_choices_by_number_or_word(text: str, options: int, expected: int | None) -> None:
    assert read_choice(text, options) == expected


@pytest.mark.parametrize(
    "typed, known, expected",
    [("doen", "done", True), ("donee", "done", True), ("don", "done", True), ("dine", "done", True)]
    + [("odne", "done", True), ("dnoe", "done", True), ("deon", "done", False), ("done", "done", False)],
)
def test_one_typo_is_one_letter_missing_extra_wrong_or_swapped(typed: str, known: str, expected: bool) -> None:
    assert one_typo_apart(typed, known) is expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1", Barrier.CHILDCARE),
        ("7", Barrier.WORK_SCHEDULE),
        ("8", Barrier.OTHER),
        ("no one to watch my kids", Barrier.CHILDCARE),
        ("no tengo quien cuide a mis hijos", Barrier.CHILDCARE),
        ("my car broke down", Barrier.TRANSPORTATION),
        ("se me descompuso el carro", Barrier.TRANSPORTATION),
        ("I was sick all week", Barrier.HEALTH),
        ("estuve enferma", Barrier.HEALTH),
        ("we got an eviction notice", Barrier.HOUSING),
        ("no tengo dinero para el camion", Barrier.TRANSPORTATION),
        ("couldn't pay the bills", Barrier.MONEY),
        ("my mom is in the hospital", Barrier.FAMILY),
        ("they changed my shift", Barrier.WORK_SCHEDULE),
        ("something else", Barrier.OTHER),
        ("I just forgot", None),
    ],
)
def test_barriers_from_a_number_or_the_words(text: str, expected: Barrier | None) -> None:
    assert read_barrier(text) is expected


def test_other_alone_asks_what_happened_but_other_with_words_does_not() -> None:
    assert names_only_other("8")
    assert names_only_other("otra cosa")
    assert not names_only_other("my car")


T = TypeVar("T")


def _read_by_scanning(folded: str, table: dict[str, T]) -> T | None:
    """One typo, read as it was before the map of shortened words: every word of the table compared."""
    if folded in table:
        return table[folded]
    if len(folded) < 4:
        return None
    near = {table[known] for known in table if len(known) >= 4 and one_typo_apart(folded, known)}
    return near.pop() if len(near) == 1 else None


def _typos(word: str, letters: str = "aeinorsty ") -> set[str]:
    """Every reply one typo away from `word` in these letters: one missing, extra, wrong, or two swapped."""
    return {
        *(word[:i] + word[i + 1 :] for i in range(len(word))),
        *(word[:i] + c + word[i:] for i in range(len(word) + 1) for c in letters),
        *(word[:i] + c + word[i + 1 :] for i in range(len(word)) for c in letters),
        *(word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)),
    }


@pytest.mark.parametrize("table", [_YES_OR_NO, _CHECK_IN], ids=["yes or no", "check-in"])
def test_every_typo_of_every_answer_reads_as_comparing_it_with_every_word_did(table: dict[str, Any]) -> None:
    answers = _Answers(table)
    replies = {typo for known in table for typo in _typos(known)} | {"maybe", "hello there", "", "nooo", "yesss"}
    misread = {reply for reply in replies if answers.read(reply) != _read_by_scanning(reply, table)}
    assert misread == set()
    assert len(replies) > 5000
