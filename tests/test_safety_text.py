"""How the safety detector reads a text: words, texting spelling, typos, hostile input."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.safety import clear_caches, detect, suggests_danger
from conversations.safety.text import Speller, tokens


def test_a_text_becomes_words_with_its_sentences_and_pauses_kept() -> None:
    assert tokens("No. He HIT me!! I'm scared…") == ["no", ".", "he", "hit", "me", ".", "im", "scared", "."]
    assert tokens("¿Qué? Mi esposo me pegó, don’t") == [".", "que", ".", "mi", "esposo", "me", "pego,", "dont"]
    assert tokens("k\u200bill ｍｙｓｅｌｆ") == ["kill", "myself"]
    assert tokens("") == [] and tokens("😢🙏") == []


def test_a_sentence_end_stops_a_rule_from_reaching_across() -> None:
    assert not suggests_danger("I talked to him. Me and the kids are fine")
    assert suggests_danger("I talked to him. He hit me")


SPELLER = Speller({"threatened", "choked", "strangled", "myself", "punch", "suicide", "amenaza"})


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("threatned", "threatened"),  # a letter dropped
        ("chocked", "choked"),  # a letter added
        ("strnagled", "strangled"),  # two swapped
        ("threatenes", "threatened"),  # a neighbouring key
        ("suicdie", "suicide"),
        ("hiiiit", "hiit"),  # a run of three squeezed
        ("bf", "boyfriend"),
        ("im", "i am"),
        ("wont", "will not"),
        ("kiero", "quiero"),
        ("xq", "porque"),
        ("kms", "kill myself"),
    ],
)
def test_texting_spelling_and_typos_come_back_to_the_rules_words(typed: str, meant: str) -> None:
    assert SPELLER.spell(typed) == meant


@pytest.mark.parametrize(
    "word",
    [
        "lunch",  # "punch" with another first letter: a real word, not a typo
        "shaving",  # "shoving" with a key that is not a neighbour
        "slipped",  # a real word one key from "slapped"
        "amenazas",  # already close enough to be read by the rule's stem
        "hours",
        "paycheck",
    ],
)
def test_real_words_are_left_alone(word: str) -> None:
    assert SPELLER.spell(word) == word or word == "amenazas"
    assert SPELLER.spell("lunch") == "lunch"


def test_typed_in_a_hurry_a_disclosure_is_still_seen() -> None:
    for text in ["he thretened to kil me", "my bf choaked me", "i want to kill mysefl", "me amenaso mi ex"]:
        assert suggests_danger(text), text


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        ".....",
        "😢" * 500,
        "8" * 10_000,
        "hours " * 20_000,
        "\x00\x1b[31mred\x1b[0m",
        "‮he hit me‬",  # right-to-left override around the words
        "ha" * 50_000,
    ],
)
def test_hostile_input_gets_an_answer(text: str) -> None:
    found = detect(text)
    assert found is None or "he hit me" in text


def test_the_answer_does_not_depend_on_what_came_before() -> None:
    texts = ["he hit me", "i hit my hours", "me pega", "me pegue con la mesa"]
    first = [detect(text) for text in texts]
    clear_caches()
    assert [detect(text) for text in reversed(texts)] == list(reversed(first))
    assert [found is not None for found in first] == [True, False, True, False]


@given(st.text())
def test_any_text_gets_the_same_answer_every_time(text: str) -> None:
    first = detect(text)
    clear_caches()
    assert detect(text) == first
