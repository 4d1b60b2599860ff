"""Outreach texts whose templates only put names in, made without Jinja's render.

Most outreach templates are one sentence with `{{ first_name }}` and perhaps `{{ counselor_name }}`
or `{{ program }}` in it. Jinja renders them through a new context each time (10-15 us of a text the
dispatcher sends, and about 20 us in all); the renderer keeps finished texts, but by every value
given, and a county's names rarely repeat within its 2,048. Such a template is made here once, by
the renderer itself, with a marker for each value, and then each text is its pieces joined around
the values and tidied as the renderer tidies (a name of plain letters needs no tidying). A template with anything else in it (a filter, a
condition, an include) and any value that is not a string go to the renderer as before.
tests/test_plain_texts.py holds both ways equal for every template in both languages.
"""

import weakref
from collections.abc import Mapping

from jinja2 import Environment, nodes
from jinja2.exceptions import TemplateError

from casefile.vocabulary import Language
from conversations.model import Reply
from conversations.rendering import MessageRenderer, tidy
from templates import MESSAGES_DIR

#: Around each value's position in the template made once: characters of Unicode's private use
#: area, which no participant's name holds and which tidying neither trims, splits nor replaces.
_OPEN, _CLOSE = "\ue000", "\ue001"
_PARSER = Environment(autoescape=False)


class PlainTexts:
    """The renderer's texts, joined from pieces for the templates that only put values in."""

    def __init__(self, renderer: MessageRenderer) -> None:
        self._renderer = renderer
        #: Each template as a format string of its pieces (a C call joins them), by the names of
        #: the values given; None for a template that is not plain.
        self._formats: dict[tuple[Language, str, tuple[str, ...]], str | None] = {}

    def render(self, template: str, params: Mapping[str, object], language: Language) -> str:
        """What `renderer.render(Reply(template, params), language)` gives."""
        key = (language, template, tuple(params))
        if key not in self._formats:
            self._formats[key] = self._made(template, key[2], language)
        form = self._formats[key]
        if form is None:
            return self._renderer.render(Reply(template, dict(params)), language)
        tidied = True
        for value in params.values():
            # Only strings: Jinja prints a value with str(), format() with its __format__, the
            # same for a str; a subclass (Markup) or a number may print otherwise.
            if type(value) is not str:
                return self._renderer.render(Reply(template, dict(params)), language)
            # The pieces are tidied already. A value of printable ASCII, not empty and not starting
            # or ending in a space, has no look-alike to replace, no line break, and leaves no line
            # blank nor with a space at an end: the text is tidy as it is joined (most names).
            tidied = tidied and value.isascii() and value.isprintable() and value.strip() == value != ""
        text = form.format_map(params)
        return text if tidied else tidy(text)

    def _made(self, template: str, names: tuple[str, ...], language: Language) -> str | None:
        """The template's format string, or None when it is not only text and values."""
        source = (MESSAGES_DIR / language.value / f"{template}.txt").read_text(encoding="utf-8")
        if not _only_values(source) or not all(name.isidentifier() for name in names):
            return None
        markers = {name: f"{_OPEN}{name}{_CLOSE}" for name in names}
        try:
            marked = self._renderer.render(Reply(template, dict(markers)), language)
        except TemplateError:
            return None  # a value it needs is not given: the renderer says so each time
        form, rest = [], marked
        while _OPEN in rest:
            before, _, after = rest.partition(_OPEN)
            name, _, rest = after.partition(_CLOSE)
            form.append(_escaped(before) + "{" + name + "}")
        form.append(_escaped(rest))
        return "".join(form)


def _escaped(text: str) -> str:
    """The template's own text, its braces doubled so that format() prints them as they are."""
    return text.replace("{", "{{").replace("}", "}}")


def _only_values(source: str) -> bool:
    """Whether the template is text and `{{ name }}`s, nothing else."""
    try:
        body = _PARSER.parse(source).body
    except TemplateError:
        return False
    return all(
        isinstance(node, nodes.Output) and all(isinstance(part, nodes.TemplateData | nodes.Name) for part in node.nodes)
        for node in body
    )


_KEPT: "weakref.WeakKeyDictionary[MessageRenderer, PlainTexts]" = weakref.WeakKeyDictionary()


def plain_texts(renderer: MessageRenderer) -> PlainTexts:
    """The renderer's PlainTexts, made once."""
    texts = _KEPT.get(renderer)
    if texts is None:
        texts = _KEPT[renderer] = PlainTexts(renderer)
    return texts
