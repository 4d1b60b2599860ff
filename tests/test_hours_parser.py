"""Hours read from real-looking texts: (day, activity, hours) for each amount, in English and Spanish.

Today is Wednesday 4 March 2026; weekdays point back (an hours report is about days gone by).
A None day with weekly False means the text named no day: the hours flow asks which.
"""

from datetime import date

import pytest

from casefile.vocabulary import Activity, Excuse, Language
from conversations.hours import HoursEntry, days_to_remove, read_activity, read_amount, read_hours

TODAY = date(2026, 3, 4)
MON, TUE, WED = date(2026, 3, 2), date(2026, 3, 3), TODAY
THU, FRI, SAT, SUN = date(2026, 2, 26), date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1)
EN, ES = Language.ENGLISH, Language.SPANISH
JOB, SEARCH, TRAIN = Activity.EMPLOYMENT, Activity.JOB_SEARCH, Activity.VOCATIONAL_TRAINING
SCHOOL, WEX, SERVICE = Activity.EDUCATION, Activity.WORK_EXPERIENCE, Activity.COMMUNITY_SERVICE
WEEK = "week"

CASES: list[tuple[str, Language, list[tuple[date | str | None, Activity | None, float]]]] = [
    ("8 hrs mon 6 tue", EN, [(MON, None, 8), (TUE, None, 6)]),
    ("20 hours this week", EN, [(WEEK, None, 20)]),
    ("worked 4.5 hours at my job", EN, [(None, JOB, 4.5)]),
    ("eight hours", EN, [(None, None, 8)]),
    ("3h job search yesterday", EN, [(TUE, SEARCH, 3)]),
    ("trabajé 6 horas hoy", ES, [(WED, None, 6)]),
    ("7.5", EN, [(None, None, 7.5)]),
    ("worked 6 hrs today", EN, [(WED, None, 6)]),
    ("mon 8, tue 6", EN, [(MON, None, 8), (TUE, None, 6)]),
    ("Monday 8 hours Tuesday 6 hours", EN, [(MON, None, 8), (TUE, None, 6)]),
    ("monday 8hrs tuesday 6hrs wednesday 4hrs", EN, [(MON, None, 8), (TUE, None, 6), (WED, None, 4)]),
    ("8", EN, [(None, None, 8)]),
    ("6 hours", EN, [(None, None, 6)]),
    ("6hrs", EN, [(None, None, 6)]),
    ("6 hr", EN, [(None, None, 6)]),
    ("4 and a half hours", EN, [(None, None, 4.5)]),
    ("four hours of job search", EN, [(None, SEARCH, 4)]),
    ("job search 2 hours friday", EN, [(FRI, SEARCH, 2)]),
    ("did 5 applications, 3 hours", EN, [(None, SEARCH, 3)]),
    ("3 hrs of class yesterday", EN, [(TUE, SCHOOL, 3)]),
    ("GED class 2 hours today", EN, [(WED, SCHOOL, 2)]),
    ("ESL 3 hours on thursday", EN, [(THU, SCHOOL, 3)]),
    ("CNA training 6 hours mon", EN, [(MON, TRAIN, 6)]),
    ("6 hours at training", EN, [(None, TRAIN, 6)]),
    ("work experience 5 hrs tue", EN, [(TUE, WEX, 5)]),
    ("WEX 4 hours", EN, [(None, WEX, 4)]),
    ("volunteered 3 hours sat", EN, [(SAT, SERVICE, 3)]),
    ("community service 4 hrs sunday", EN, [(SUN, SERVICE, 4)]),
    ("my shift was 8 hours yesterday", EN, [(TUE, JOB, 8)]),
    ("30 hours this week at work", EN, [(WEEK, JOB, 30)]),
    ("35 hrs a week", EN, [(WEEK, None, 35)]),
    ("I did 12 hours of job search this week", EN, [(WEEK, SEARCH, 12)]),
    ("on monday 5 hours", EN, [(MON, None, 5)]),
    ("fri 7", EN, [(FRI, None, 7)]),
    ("sat 4 sun 3", EN, [(SAT, None, 4), (SUN, None, 3)]),
    ("thur 6.5 hrs", EN, [(THU, None, 6.5)]),
    ("tues 2.25 hours", EN, [(TUE, None, 2.25)]),
    ("3/2 5 hours", EN, [(MON, None, 5)]),
    ("5 hours on 3/3", EN, [(TUE, None, 5)]),
    ("-3 hours", EN, [(None, None, -3)]),
    ("25 hours yesterday", EN, [(TUE, None, 25)]),
    ("120 hours this week", EN, [(WEEK, None, 120)]),
    ("0 hours monday", EN, [(MON, None, 0)]),
    ("two hours today", EN, [(WED, None, 2)]),
    ("ten hrs", EN, [(None, None, 10)]),
    ("hola", ES, []),
    ("I have 2 kids", EN, []),
    ("my appointment is at 3", EN, []),
    ("hours", EN, []),
    ("6 horas", ES, [(None, None, 6)]),
    ("seis horas ayer", ES, [(TUE, None, 6)]),
    ("lunes 8 martes 6", ES, [(MON, None, 8), (TUE, None, 6)]),
    ("8 horas el lunes y 6 el martes", ES, [(MON, None, 8), (TUE, None, 6)]),
    ("7,5 horas ayer", ES, [(TUE, None, 7.5)]),
    ("cuatro horas y media hoy", ES, [(WED, None, 4.5)]),
    ("20 horas esta semana", ES, [(WEEK, None, 20)]),
    ("3 horas buscando trabajo", ES, [(None, SEARCH, 3)]),
    ("busqueda de empleo 2 horas el viernes", ES, [(FRI, SEARCH, 2)]),
    ("clases de ingles 3 horas el jueves", ES, [(THU, SCHOOL, 3)]),
    ("estudié 2 horas", ES, [(None, SCHOOL, 2)]),
    ("5 horas de voluntaria el sábado", ES, [(SAT, SERVICE, 5)]),
    ("servicio comunitario 4 horas", ES, [(None, SERVICE, 4)]),
    ("8 horas en mi trabajo", ES, [(None, JOB, 8)]),
    ("experiencia laboral 6 horas miércoles", ES, [(WED, WEX, 6)]),
    ("capacitacion 4 horas", ES, [(None, TRAIN, 4)]),
    ("tuve una cita el lunes, 2 horas", ES, [(MON, None, 2)]),
    ("domingo 3 hrs", ES, [(SUN, None, 3)]),
    ("28/2 5 horas", ES, [(SAT, None, 5)]),
    # Corrections to a read-back: the amount beside its day, with the little words between.
    ("no, tuesday was 5", EN, [(TUE, None, 5)]),
    ("change monday to 7", EN, [(MON, None, 7)]),
    ("monday should be 6.5", EN, [(MON, None, 6.5)]),
    ("el martes fueron 5", ES, [(TUE, None, 5)]),
    ("cambia hoy a 5", ES, [(WED, None, 5)]),
    ("no, the 3 kids were with me friday", EN, []),
]


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize("text, language, expected", CASES, ids=[case[0] for case in CASES])
def test_hours_are_read_with_their_day_and_activity(
    text: str, language: Language, expected: list[tuple[date | str | None, Activity | None, float]]
) -> None:
    entries = read_hours(text, TODAY, language)
    got = [(WEEK if e.weekly else e.day, e.activity, e.hours) for e in entries]
    assert got == expected


@pytest.mark.parametrize(
    "text, excuse",
    [
        ("sick monday 0 hours", Excuse.SICK),
        ("my kid was sick, 4 hours missed tuesday", Excuse.CHILD_SICK),
        ("mi hija estaba enferma, 6 horas el lunes", Excuse.CHILD_SICK),
        ("holiday 8 hours mon", Excuse.HOLIDAY),
        ("doctor appointment 2 hours today", Excuse.APPOINTMENT),
        ("cita 3 horas ayer", Excuse.APPOINTMENT),
        ("8 hours mon", None),
        ("mi hijo estaba enfermo el lunes 4 horas", Excuse.CHILD_SICK),
    ],
)
def test_excused_hours_say_why(text: str, excuse: Excuse | None) -> None:
    [entry] = read_hours(text, TODAY, Language.SPANISH if "horas" in text else Language.ENGLISH)
    assert entry.excuse is excuse


def test_an_entry_is_a_plain_value() -> None:
    assert read_hours("8 hrs mon", TODAY) == (HoursEntry(hours=8, day=MON),)


def test_a_day_that_can_be_read_two_ways_is_asked_about() -> None:
    [entry] = read_hours("2/3 5 horas", TODAY, Language.SPANISH)
    assert entry.day is None
    assert entry.day_choices == (MON, date(2026, 2, 3))


@pytest.mark.parametrize(
    "text, removed",
    [("remove tue", (TUE,)), ("quita el martes", (TUE,)), ("delete monday and tuesday", (MON, TUE)), ("tue 5", ())],
)
def test_a_correction_can_drop_days(text: str, removed: tuple[date, ...]) -> None:
    assert days_to_remove(text, TODAY, Language.ENGLISH) == removed


@pytest.mark.parametrize(
    "text, activity",
    [("it was job search", Activity.JOB_SEARCH), ("fue en la escuela", Activity.EDUCATION), ("yes", None)],
)
def test_an_activity_alone_is_read(text: str, activity: Activity | None) -> None:
    assert read_activity(text) is activity


@pytest.mark.parametrize(
    "text, amount",
    [("no, it was 7", 7), ("fueron 5 y media", 5.5), ("7.5", 7.5), ("mon 8 tue 6", None), ("yes", None)],
)
def test_a_correction_of_a_one_line_report_may_give_the_amount_alone(text: str, amount: float | None) -> None:
    assert read_amount(text) == amount
