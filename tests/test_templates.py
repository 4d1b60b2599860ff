"""Every participant-facing text: present in both languages, and cheap to send."""

import random
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from jinja2 import UndefinedError

from casefile.timesheets import Period
from casefile.vocabulary import Language
from conversations.model import Reply
from conversations.rendering import MessageRenderer, ServiceProfile, _cache_key, tidy
from conversations.segments import count_segments, non_gsm_characters
from notes.draft import BUILDERS, SUBJECTS
from notes.render import NoteRenderer
from notes.verification import SUBJECT as VERIFICATION
from scheduler.rules import load_rules
from templates import MESSAGES_DIR

# Long but real values, so that the counts hold for the longest names we expect.
SAMPLE = {
    "first_name": "Guadalupe",
    "counselor_name": "Alexandra Villanueva",
    "counselor_phone": "(510) 555-0199",
    "options": ["goal", "hours", "counselor", "language", "help"],
    "hours_due": Period(date(2026, 9, 21), date(2026, 9, 27)),
    # A participant's own words, as long as a routine text quotes them (longer ones are shortened).
    "words": "Get my GED so I can apply for the medical assistant program",
    "details": "at the adult school on Broadway, evening classes",
    "measure": "I have my GED certificate in my hand",
    "text": "Call the adult school about evening GED classes and times",
    "next_text": "Fill out the application for the GED class at the school",
    "target": date(2026, 9, 30),
    "due": date(2026, 9, 23),
    "next_due": date(2026, 9, 26),
    "day": date(2026, 9, 23),
    # When the office opens next (a handoff outside office hours).
    "opens_at": datetime(2026, 9, 28, 8, 0),
    "days": [date(2026, 5, 12), date(2026, 12, 5)],
    "late": True,
    "told_counselor": True,
    # An hours report: three days, two activities, one of them excused, in a week short of 35.
    "hours": 12.75,
    "activities": [
        "employment",
        "job_search",
        "vocational_training",
        "work_experience",
        "education",
        "community_service",
        "other",
    ],
    "lines": [
        {
            "day": date(2026, 9, 21),
            "whole_week": False,
            "hours": 7.5,
            "activity": "vocational_training",
            "excuse": None,
            "was": None,
        },
        {
            "day": date(2026, 9, 22),
            "whole_week": False,
            "hours": 6.25,
            "activity": "community_service",
            "excuse": None,
            "was": 4.75,
        },
        {
            "day": date(2026, 9, 23),
            "whole_week": False,
            "hours": 8,
            "activity": "job_search",
            "excuse": "child_sick",
            "was": None,
        },
    ],
    "one_activity": None,
    "weeks": [
        {"start": date(2026, 9, 14), "current": False, "participated": 22.5, "excused": 8, "required": 35},
        {"start": date(2026, 9, 21), "current": True, "participated": 13.75, "excused": 8, "required": 35},
    ],
    "start": date(2026, 9, 21),
    "current": False,
    "participated": 13.75,
    "excused": 8,
    "required": 35,
    "short_by": 13.25,
    "until": date(2026, 9, 27),
    "ended": False,
    "since": date(2026, 9, 14),
    "period_end": date(2026, 9, 27),
    "step": "Call the adult school about evening GED classes and times",
    "steps": [
        {"text": "Call the adult school about evening GED classes and times", "due": date(2026, 9, 23), "done": True},
        {"text": "Fill out the application for the GED class at the school", "due": date(2026, 9, 26), "done": False},
        {"text": "Ask my sister to watch the kids on class nights", "due": date(2026, 9, 30), "done": False},
    ],
}
RENDERER = MessageRenderer(ServiceProfile("Alameda County CalWORKs", 8))
MAX_SEGMENTS = {Language.ENGLISH: 2, Language.SPANISH: 3}
ALL_KEYS = sorted(RENDERER.keys(Language.ENGLISH) | RENDERER.keys(Language.SPANISH))


def test_both_languages_have_the_same_messages() -> None:
    assert RENDERER.keys(Language.ENGLISH) == RENDERER.keys(Language.SPANISH)


def test_every_reply_the_code_can_send_has_a_template() -> None:
    sources = "\n".join(p.read_text() for p in Path("conversations").rglob("*.py"))
    sources += Path("bot/inbox.py").read_text()
    used = set(re.findall(r'Reply\(\s*"(\w+)"', sources)) | set(re.findall(r'menu_reply\(\s*turn,\s*"(\w+)"', sources))
    assert used, "found no replies in the code"
    assert used <= RENDERER.keys(Language.ENGLISH)


def test_every_outreach_rule_has_its_templates() -> None:
    texts = {template for rule in load_rules() for template in rule.templates}
    assert texts <= RENDERER.keys(Language.ENGLISH) & RENDERER.keys(Language.SPANISH)


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("key", ALL_KEYS)
def test_each_message_fits_its_segment_budget(key: str, language: Language) -> None:
    text = RENDERER.render(Reply(key, SAMPLE), language)
    count = count_segments(text)
    assert count.segments <= MAX_SEGMENTS[language], f"{language.value}/{key}: {count}\n{text}"


@pytest.mark.parametrize("key", ALL_KEYS)
def test_english_messages_stay_in_gsm7(key: str) -> None:
    raw = (MESSAGES_DIR / "en" / f"{key}.txt").read_text(encoding="utf-8")
    # The language question is bilingual on purpose; ñ is GSM-7 all the same.
    assert non_gsm_characters(raw.replace("\n", "")) == set(), f"en/{key} has a non-GSM character"


@pytest.mark.parametrize("key", ALL_KEYS)
def test_spanish_messages_keep_one_spelling_in_gsm7(key: str) -> None:
    """Spanish is written with the letters GSM-7 has (é, ñ, ü, ¿, ¡) and á, í, ó, ú without their
    accent, in every template alike: with the accents 40 of the 100 messages cost more (172 segments
    against 127 for the sample below), and participants on prepaid plans may pay for each one."""
    rendered = RENDERER.render(Reply(key, SAMPLE), Language.SPANISH)
    assert non_gsm_characters(rendered.replace("\n", "")) == set(), f"es/{key}: {non_gsm_characters(rendered)}"


def test_tidy_replaces_look_alikes_that_would_force_ucs2() -> None:
    assert tidy("It\u2019s \u00a0ok \u201cyes\u201d\n\n  next ") == 'It\'s  ok "yes"\nnext'
    assert count_segments(tidy("don\u2019t")).encoding == "GSM-7"


@pytest.mark.parametrize(
    "text, encoding, segments",
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("€" * 80, "GSM-7", 1),
        ("€" * 81, "GSM-7", 2),
        ("á" * 70, "UCS-2", 1),
        ("á" * 71, "UCS-2", 2),
        ("a" * 159 + "’", "UCS-2", 3),
        ("👍" * 35, "UCS-2", 1),
        ("👍" * 36, "UCS-2", 2),
    ],
)
def test_segment_counting(text: str, encoding: str, segments: int) -> None:
    count = count_segments(text)
    assert (count.encoding, count.segments) == (encoding, segments)


def test_every_case_note_subject_has_a_builder_or_a_template() -> None:
    written = set(BUILDERS) | NoteRenderer().subjects()
    assert {*SUBJECTS, VERIFICATION} <= written
    assert not set(BUILDERS) & NoteRenderer().subjects(), "a subject has one way to be written, not two"


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("key", ALL_KEYS)
def test_no_sentence_runs_into_the_next(key: str, language: Language) -> None:
    """Issue 14: "Sorry, I didn't get that.What would you like to do?", a whitespace-control mark
    in a template ate the line break between two sentences."""
    text = RENDERER.render(Reply(key, SAMPLE), language)
    assert not re.search(r"[a-záéíóúñ][.!?:][A-ZÁÉÍÓÚÑ¿¡]", text), f"{language.value}/{key}:\n{text}"


# --- The renderer keeps texts (conversations/rendering.py): never another reply's ----------------

#: Values a participant's replies differ by: names, words, dates, and numbers of types that print
#: differently though equal (35 and 35.0, True and 1).
VARIANTS: dict[str, list[Any]] = {
    "first_name": ["Guadalupe", "Maria", "José", "Li", ""],
    "counselor_name": ["Alexandra Villanueva", "Sam Ortiz"],
    "words": ["Get my GED", "Conseguir mi licencia de manejar"],
    "due": [date(2026, 9, 23), date(2026, 12, 31)],
    "required": [35, 35.0, 20],
    "current": [True, False, 1, 0],
    "excused": [8, 0, 8.0, 0.0, -0.0],
    "participated": [13.75, 35, 35.0],
    "one_activity": [None, "employment"],
    # Lists and periods are kept too, item by item: other items, another order, other types.
    "options": [["goal", "hours", "counselor", "language", "help"], ["help", "language", "counselor", "hours", "goal"]],
    "activities": [["employment"], ["job_search", "employment"], ["employment", "job_search"], []],
    "days": [[date(2026, 5, 12), date(2026, 12, 5)], [date(2026, 12, 5)]],
    "hours_due": [None, Period(date(2026, 9, 21), date(2026, 9, 27)), Period(date(2026, 9, 1), date(2026, 9, 30))],
}


def _rendered_by_jinja(renderer: MessageRenderer, reply: Reply, language: Language) -> str:
    """The reply's text as Jinja renders it, past everything the renderer keeps."""
    template = renderer._environments[language].get_template(f"{reply.key}.txt")
    return tidy(template.render(program=PROFILE.program, messages_per_week=PROFILE.messages_per_week, **reply.params))


PROFILE = ServiceProfile("Alameda County CalWORKs", 8)


def test_a_kept_text_is_always_the_one_jinja_renders_for_that_reply_and_language() -> None:
    """Fifteen participants' replies in both languages, interleaved, through one renderer that keeps
    texts, each against Jinja's own render: a text kept for one participant, one language or one
    type of number is never returned for another."""
    rng = random.Random(19)
    kept = MessageRenderer(PROFILE)
    # Datetimes and lists of dicts are never kept (a reply with one is rendered every time): left out here.
    scalars = {name: value for name, value in SAMPLE.items() if _cache_key({name: value}) is not None}
    assert {"options", "activities", "days", "hours_due"} <= set(scalars)
    participants = [{**scalars, **{name: rng.choice(values) for name, values in VARIANTS.items()}} for _ in range(15)]
    texts = set()
    for _ in range(4000):
        key, language, params = rng.choice(ALL_KEYS), rng.choice(list(Language)), rng.choice(participants)
        try:
            expected = _rendered_by_jinja(kept, Reply(key, params), language)
        except UndefinedError:
            continue  # a template that needs lines, weeks or steps (dicts): never kept
        assert kept.render(Reply(key, params), language) == expected, (key, language, params)
        texts.add(expected)
    assert kept._cached_text.cache_info().hits > 1000
    assert len(texts) > 300, "the replies differ, so a text returned for the wrong one would be seen"


@pytest.mark.parametrize(
    ("values", "distinct"),
    [([[1], [True], [1.0], [1]], 3), ([[0.0], [-0.0]], 2), ([["a", "b"], ["b", "a"], ["a", "b"]], 2), ([[]], 1)],
)
def test_lists_that_print_differently_never_share_a_key(values: list[Any], distinct: int) -> None:
    keys = {_cache_key({"activities": value}) for value in values}
    assert None not in keys and len(keys) == distinct
    assert _cache_key({"lines": [{"day": date(2026, 9, 21)}]}) is None  # a dict inside: rendered every time


@pytest.mark.parametrize("values", [[35, 35.0, 35], [1, True, 1], [0.0, -0.0, 0.0]])
def test_equal_values_that_print_differently_never_share_a_kept_text(values: list[Any]) -> None:
    """A reply whose parameters are equal but print differently (35 and 35.0, 1 and True, 0.0 and
    -0.0: "You met your 35.0 hours") gets its own text: the type and a float's repr are in the key."""
    kept = MessageRenderer(PROFILE)
    scalars = {key: value for key, value in SAMPLE.items() if not isinstance(value, list | dict | Period | datetime)}
    texts = set()
    for language in Language:
        for value in values:
            reply = Reply("hours_saved", {**scalars, "short_by": 0, "required": value})
            texts.add(kept.render(reply, language))
            assert kept.render(reply, language) == _rendered_by_jinja(kept, reply, language), value
    assert len(texts) == 4, "each language prints the two values differently"
    assert kept._cached_text.cache_info().hits >= 2
