"""Reading days out of texts in both languages; today is Wednesday 4 March 2026 throughout."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casefile.vocabulary import Language
from conversations.dates import Toward, read_date

TODAY = date(2026, 3, 4)  # a Wednesday
EN, ES = Language.ENGLISH, Language.SPANISH
F, P = Toward.FUTURE, Toward.PAST

CASES = [
    # text, language, toward, expected days
    ("Call the childcare center by Friday", EN, F, [date(2026, 3, 6)]),
    ("friday", EN, F, [date(2026, 3, 6)]),
    ("Fri", EN, F, [date(2026, 3, 6)]),
    # A weekday named on that weekday: today, or a week from today? Asked (issue 15).
    ("wednesday", EN, F, [TODAY, date(2026, 3, 11)]),
    ("this wednesday", EN, F, [TODAY]),
    ("this thursday", EN, F, [date(2026, 3, 5)]),
    ("next friday", EN, F, [date(2026, 3, 6), date(2026, 3, 13)]),
    ("next wednesday", EN, F, [date(2026, 3, 11)]),
    ("monday", EN, F, [date(2026, 3, 9)]),
    ("tomorrow", EN, F, [date(2026, 3, 5)]),
    ("tmrw", EN, F, [date(2026, 3, 5)]),
    ("tomorow", EN, F, [date(2026, 3, 5)]),
    ("today", EN, F, [TODAY]),
    ("day after tomorrow", EN, F, [date(2026, 3, 6)]),
    ("next week", EN, F, [date(2026, 3, 11)]),
    ("in 2 weeks", EN, F, [date(2026, 3, 18)]),
    ("in two weeks", EN, F, [date(2026, 3, 18)]),
    ("in a week", EN, F, [date(2026, 3, 11)]),
    ("in 3 days", EN, F, [date(2026, 3, 7)]),
    ("2 weeks from now", EN, F, [date(2026, 3, 18)]),
    ("in 2 months", EN, F, [date(2026, 5, 4)]),
    ("in a month", EN, F, [date(2026, 4, 4)]),
    ("en 3 meses", ES, F, [date(2026, 6, 4)]),
    ("dentro de un mes", ES, F, [date(2026, 4, 4)]),
    ("12/5", EN, F, [date(2026, 12, 5)]),
    ("by 3/20", EN, F, [date(2026, 3, 20)]),
    ("4/1/2026", EN, F, [date(2026, 4, 1)]),
    ("4/1/27", EN, F, [date(2027, 4, 1)]),
    ("Dec 5", EN, F, [date(2026, 12, 5)]),
    ("December 5th", EN, F, [date(2026, 12, 5)]),
    ("5 Dec", EN, F, [date(2026, 12, 5)]),
    ("jan 10", EN, F, [date(2027, 1, 10)]),
    ("3/1", EN, F, [date(2026, 3, 1)]),  # just past: kept, so that the flow questions it
    ("viernes", ES, F, [date(2026, 3, 6)]),
    ("el viernes", ES, F, [date(2026, 3, 6)]),
    ("el próximo viernes", ES, F, [date(2026, 3, 6), date(2026, 3, 13)]),
    ("el lunes que viene", ES, F, [date(2026, 3, 9), date(2026, 3, 16)]),
    ("mañana", ES, F, [date(2026, 3, 5)]),
    ("manana", ES, F, [date(2026, 3, 5)]),
    ("pasado mañana", ES, F, [date(2026, 3, 6)]),
    ("la próxima semana", ES, F, [date(2026, 3, 11)]),
    ("la semana que viene", ES, F, [date(2026, 3, 11)]),
    ("en dos semanas", ES, F, [date(2026, 3, 18)]),
    ("en 3 días", ES, F, [date(2026, 3, 7)]),
    ("5 de diciembre", ES, F, [date(2026, 12, 5)]),
    ("sábado", ES, F, [date(2026, 3, 7)]),
    ("miércoles", ES, F, [TODAY, date(2026, 3, 11)]),
    ("5/12", ES, F, [date(2026, 12, 5), date(2026, 5, 12)]),  # day first, or the US way: ask
    ("25/3", ES, F, [date(2026, 3, 25)]),  # only one reading exists
    # Looking back, as hours reports do.
    ("worked 8 hrs mon", EN, P, [date(2026, 3, 2)]),
    ("friday", EN, P, [date(2026, 2, 27)]),
    ("wednesday", EN, P, [TODAY]),
    ("last wednesday", EN, P, [date(2026, 2, 25)]),
    ("yesterday", EN, P, [date(2026, 3, 3)]),
    ("3h job search yesterday", EN, P, [date(2026, 3, 3)]),
    ("last week", EN, P, [date(2026, 2, 25)]),
    ("3/1", EN, P, [date(2026, 3, 1)]),
    ("12/20", EN, P, [date(2025, 12, 20)]),
    ("3/20", EN, P, [date(2026, 3, 20)]),  # just ahead: kept, so that the flow says it is in the future
    ("trabajé 6 horas hoy", ES, P, [TODAY]),
    ("ayer", ES, P, [date(2026, 3, 3)]),
    ("el viernes pasado", ES, P, [date(2026, 2, 27)]),
    ("anteayer", ES, P, [date(2026, 3, 2)]),
    ("la semana pasada", ES, P, [date(2026, 2, 25)]),
    # Two different days named: both come back, never a guess.
    ("monday or tuesday", EN, F, [date(2026, 3, 9), date(2026, 3, 10)]),
    # No day at all.
    ("", EN, F, []),
    ("I called them", EN, F, []),
    ("13/40", EN, F, []),
    ("I may go", EN, F, []),
    ("ya lo hice", ES, F, []),
]


@pytest.mark.parametrize("text, language, toward, expected", CASES)
def test_read_date(text: str, language: Language, toward: Toward, expected: list[date]) -> None:
    reading = read_date(text, TODAY, toward, language)
    assert sorted(reading.days) == sorted(expected)
    assert reading.day == (expected[0] if len(expected) == 1 else None)
    assert reading.ambiguous is (len(expected) > 1)


def test_the_table_covers_both_languages_and_directions() -> None:
    assert len(CASES) >= 60
    assert {(c[1], c[2]) for c in CASES} == {(EN, F), (EN, P), (ES, F), (ES, P)}


@given(
    st.text(max_size=120),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    st.sampled_from(list(Toward)),
    st.sampled_from(list(Language)),
)
def test_any_text_on_any_day_reads_without_error(text: str, today: date, toward: Toward, language: Language) -> None:
    reading = read_date(text, today, toward, language)
    assert len(set(reading.days)) == len(reading.days)
    assert reading.day is None or reading.days == (reading.day,)
