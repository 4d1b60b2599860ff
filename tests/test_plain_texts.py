"""Outreach texts joined from pieces (scheduler/plain_texts.py) are the renderer's texts, for every
template in both languages and every name a caseload holds, however it is written."""

from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import Environment, meta

from casefile.vocabulary import Language
from conversations.model import Reply
from conversations.rendering import MessageRenderer, ServiceProfile
from scheduler.plain_texts import PlainTexts
from templates import MESSAGES_DIR

PROFILE = ServiceProfile("Alameda County CalWORKs", 8)
#: Given by the renderer itself, not by a reply's values.
PROFILE_NAMES = {"program", "messages_per_week"}

#: Names as counselors type them in: accents, apostrophes straight and curly, hyphens, several
#: words, other scripts, stray spaces and non-breaking ones pasted from a form, an emoji, a line
#: break, and what looks like template syntax.
NAMES = [
    "Ana",
    "José",
    "María José",
    "Guadalupe",
    "O'Brien",
    "O\u2019Brien",
    "Zoë-Ann",
    "Nguyễn Thị Minh",
    "李小龙",
    "  Lee  ",
    "\u00a0Rosa\u00a0",
    "Jo\u201cJJ\u201d",
    "Kim 😀",
    "Ana\nMaria",
    "Ana\r\nMaria",
    "Ana\u2028Maria",
    "\t",
    "",
    " ",
    "{{ first_name }}",
    "{% raw %}",
    "Dana Lee-Smith",
    "D'Angelo \u2013 Jr.",
]
COUNSELORS = ["Dana Lee", "Mónica Ruiz", "Pat O\u2019Neil", "  Sam  ", "", "Chris\nTaylor"]


def templates() -> Iterator[tuple[Language, str]]:
    for language in Language:
        for path in sorted((MESSAGES_DIR / language.value).glob("*.txt")):
            yield language, path.stem


#: The renderer's filters, by name (what they do is the renderer's: only their names are parsed here).
PARSER = Environment()
PARSER.filters.update(dict.fromkeys(("day", "day_year", "short", "hours", "activity", "excuse"), str))


def names_in(language: Language, template: str) -> list[str]:
    """The values a template asks for, beside the renderer's own."""
    source = (MESSAGES_DIR / language.value / f"{template}.txt").read_text(encoding="utf-8")
    asked = meta.find_undeclared_variables(PARSER.parse(source))
    return sorted(asked - PROFILE_NAMES)


class CountingRenderer(MessageRenderer):
    """The renderer, counting the texts it is asked for (a text joined from pieces is not)."""

    def __init__(self) -> None:
        super().__init__(PROFILE, kept=0)
        self.rendered = 0

    def render(self, reply: Reply, language: Language) -> str:
        self.rendered += 1
        return super().render(reply, language)


def same_or_same_error(
    plain: PlainTexts, renderer: MessageRenderer, template: str, params: dict[str, object], language: Language
) -> None:
    try:
        expected = renderer.render(Reply(template, dict(params)), language)
    except Exception as error:
        # A template that needs a date or a number for a value: the plain path hands it to the
        # renderer, which refuses it the same way.
        with pytest.raises(type(error)):
            plain.render(template, params, language)
        return
    assert plain.render(template, params, language) == expected, (template, language, params)


@pytest.mark.parametrize(("language", "template"), list(templates()), ids=lambda value: str(value))
def test_every_template_gives_the_renderers_text_for_every_name(language: Language, template: str) -> None:
    renderer, reference = CountingRenderer(), MessageRenderer(PROFILE, kept=0)
    plain = PlainTexts(renderer)
    asked = names_in(language, template)
    for n, name in enumerate(NAMES):
        params: dict[str, object] = {key: name for key in asked}
        if "counselor_name" in params:
            params["counselor_name"] = COUNSELORS[n % len(COUNSELORS)]
        same_or_same_error(plain, reference, template, params, language)


@pytest.mark.parametrize(
    "template",
    ["outreach_check_in", "outreach_follow_up", "outreach_reengage_first", "outreach_reengage_second"],
)
def test_the_outreach_sentences_are_joined_without_the_renderer(template: str) -> None:
    renderer = CountingRenderer()
    plain = PlainTexts(renderer)
    for language in Language:
        first = plain.render(template, {"first_name": "Ana", "counselor_name": "Dana Lee"}, language)
        made_once = renderer.rendered
        texts = [plain.render(template, {"first_name": n, "counselor_name": "Dana Lee"}, language) for n in NAMES]
        assert renderer.rendered == made_once, "each text after the first is joined, not rendered"
        assert "Ana" in first and all(t.startswith(("Hi", "Hola")) for t in texts)


@pytest.mark.parametrize(
    ("template", "params"),
    [
        # A filter on the value (a date, a step shortened), an include: rendered every time.
        ("outreach_hours_due", {"first_name": "Ana", "counselor_name": "Dana Lee", "period_end": None}),
        ("outreach_step_due", {"first_name": "Ana", "counselor_name": "Dana Lee", "step": "call the school"}),
        ("outreach_welcome", {"first_name": "Ana", "counselor_name": "Dana Lee"}),
    ],
)
def test_templates_with_more_than_names_go_to_the_renderer(template: str, params: dict[str, object]) -> None:
    params = {key: date(2026, 3, 6) if value is None else value for key, value in params.items()}
    renderer, reference = CountingRenderer(), MessageRenderer(PROFILE, kept=0)
    plain = PlainTexts(renderer)
    for language in Language:
        assert plain.render(template, params, language) == reference.render(Reply(template, params), language)
    assert renderer.rendered == 2


def test_a_value_that_is_not_a_string_goes_to_the_renderer() -> None:
    renderer = CountingRenderer()
    plain = PlainTexts(renderer)
    reference = MessageRenderer(PROFILE, kept=0)
    for value in (35, 35.0, True, None):
        params: dict[str, object] = {"first_name": value, "counselor_name": "Dana Lee"}
        text = plain.render("outreach_check_in", params, Language.ENGLISH)
        assert text == reference.render(Reply("outreach_check_in", params), Language.ENGLISH)
        assert str(value) in text


@settings(max_examples=300, deadline=None)
@given(first_name=st.text(max_size=40), counselor_name=st.text(max_size=40))
def test_any_text_as_a_name_gives_the_renderers_text(first_name: str, counselor_name: str) -> None:
    plain = PlainTexts(MessageRenderer(PROFILE, kept=0))
    reference = MessageRenderer(PROFILE, kept=0)
    params: dict[str, object] = {"first_name": first_name, "counselor_name": counselor_name}
    for template in ("outreach_check_in", "outreach_follow_up", "outreach_reengage_second", "outreach_sanctioned"):
        for language in Language:
            same_or_same_error(plain, reference, template, params, language)


@settings(max_examples=300, deadline=None)
@given(
    first_name=st.text(st.characters(max_codepoint=127), max_size=20),
    counselor_name=st.text(st.characters(max_codepoint=127), max_size=20),
)
def test_any_ascii_name_with_spaces_and_controls_gives_the_renderers_text(first_name: str, counselor_name: str) -> None:
    plain = PlainTexts(MessageRenderer(PROFILE, kept=0))
    reference = MessageRenderer(PROFILE, kept=0)
    params: dict[str, object] = {"first_name": first_name, "counselor_name": counselor_name}
    for template in ("outreach_check_in", "outreach_follow_up", "outreach_reengage_second", "outreach_sanctioned"):
        for language in Language:
            same_or_same_error(plain, reference, template, params, language)
