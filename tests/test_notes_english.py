"""English renderings of participants' Spanish: judged by a bilingual reader on 200 texts as
participants write them (tests/corpora/spanish_renderings.tsv), and shown beside the original."""

import re
from pathlib import Path

import pytest

from notes.english import GLOSSARY, english_rendering
from notes.render import quote

CORPUS = Path(__file__).parent / "corpora" / "spanish_renderings.tsv"
#: The least share of renderings judged faithful (figures: tune 100/100, held out 63/100).
TUNE_FAITHFUL = 0.95
HELDOUT_FAITHFUL = 0.60
ALL_FAITHFUL = 0.80


def judged() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        split, judgement, text, rendering, _why = line.split("\t")
        rows.append((split, judgement, text, rendering))
    return rows


def share(rows: list[tuple[str, str, str, str]]) -> float:
    return sum(judgement == "faithful" for _, judgement, _, _ in rows) / len(rows)


def test_the_set_is_two_hundred_texts_judged_one_way_or_the_other() -> None:
    rows = judged()
    assert len(rows) == 200 and len({text for _, _, text, _ in rows}) == 200
    assert {judgement for _, judgement, _, _ in rows} == {"faithful", "not"}
    assert [split for split, *_ in rows].count("heldout") == 100


def test_each_judgement_is_of_the_rendering_given_today() -> None:
    changed = [(text, recorded, english_rendering(text)) for _, _, text, recorded in judged()]
    assert [row for row in changed if row[1] != row[2]] == [], "judge the changed renderings again"


def test_a_bilingual_reader_judged_most_renderings_faithful() -> None:
    rows = judged()
    assert share([row for row in rows if row[0] == "tune"]) >= TUNE_FAITHFUL
    assert share([row for row in rows if row[0] == "heldout"]) >= HELDOUT_FAITHFUL
    assert share(rows) >= ALL_FAITHFUL


def test_a_word_the_glossary_does_not_know_stays_in_spanish_rather_than_guessed() -> None:
    for _, _, text, rendering in judged():
        for word in re.findall(r"\[([^\]]+)\]", rendering):
            assert word.lower() in text.lower()
            assert word.lower() not in GLOSSARY


def test_numbers_survive_the_rendering() -> None:
    for _, _, text, rendering in judged():
        assert re.findall(r"\d+", text) == re.findall(r"\d+", rendering), text


@pytest.mark.parametrize(
    ("text", "rendering"),
    [
        ("👍", None),
        ("", None),
        ("...", None),
        ('no puedo "ir" [hoy] 😢', "I cannot go (today) 😢"),
        ("NECESITO AYUDA CON LA GUARDERÍA", "I need help with daycare"),
    ],
)
def test_odd_input_is_rendered_or_left_alone(text: str, rendering: str | None) -> None:
    assert english_rendering(text) == rendering


def test_a_long_text_is_rendered_whole() -> None:
    text = "no tengo quien cuide a mis hijos " * 200
    rendered = english_rendering(text)
    assert rendered is not None and rendered.count("I have no one to look after my children") == 200


def test_a_note_quotes_the_spanish_and_marks_the_english_as_a_translation() -> None:
    quoted = quote("No puedo ir a la cita del jueves. ¿Puedo cambiarla?", "es")
    assert quoted == (
        '"No puedo ir a la cita del jueves. ¿Puedo cambiarla?" (participant\'s words, original Spanish) '
        '(translation, not verified: "I cannot go to the appointment on Thursday. Can I change it?")'
    )
    assert quote("I can't go on thursday", "en") == "\"I can't go on thursday\" (participant's words, original English)"
