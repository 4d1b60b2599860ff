"""One number reader for hours, dates and answers: numbers in words, English and Spanish, as digits."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.keywords import fold
from conversations.numbers import digits


@pytest.mark.parametrize(
    "text, expected",
    [
        ("twenty five hours this week", "25 hours this week"),
        ("twenty-five hours", "25 hours"),
        ("thirteen", "13"),
        ("sixteen hrs", "16 hrs"),
        ("veinticinco horas", "25 horas"),
        ("treinta y dos horas", "32 horas"),
        ("veinte y cinco", "25"),
        ("fourty hours", "40 hours"),
        ("hora y media", "1.5 hora"),
        ("una hora y media", "1.5 hora"),
        ("an hour and a half", "1.5 hour"),
        ("cuatro horas y media", "4.5 horas"),
        ("4 and a half hrs", "4.5 hrs"),
        ("half an hour", "0.5 hour"),
        ("media hora", "0.5 hora"),
        ("2 y cuarto", "2.25"),
        ("april second", "april 2nd"),
        ("march twenty first", "march 21st"),
        ("dos de abril", "2 de abril"),
        ("el primer lunes", "el 1st lunes"),
        ("el segundo martes", "el 2nd martes"),
        ("no one to watch my kids", "no 1 to watch my kids"),
        ("una cita", "una cita"),
        ("i have an appointment", "i have an appointment"),
    ],
)
def test_numbers_in_words_become_digits(text: str, expected: str) -> None:
    assert digits(fold(text)) == expected


@given(st.text(max_size=80))
def test_any_text_is_read_without_error_and_keeps_its_words_apart(text: str) -> None:
    folded = fold(text)
    assert len(digits(folded).split()) <= len(folded.split()) + 1
