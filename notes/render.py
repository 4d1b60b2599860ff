"""Rendering a note's template, and reading back which messages each sentence came from.

A template closes every sentence with `{{ cite(ids) }}`, which leaves a marker naming the messages
the sentence states facts from. Rendering splits the text at the markers: the body keeps the words,
`sources` keeps each sentence with its message ids, so a reviewer can see where every claim came from.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from casefile.vocabulary import Language
from conversations.rendering import ACTIVITY_NAMES, EXCUSE_NAMES, hours_text
from notes.check import ELEMENTS
from notes.english import english_rendering
from templates import NOTES_DIR

_LABEL = re.compile(r"^(Title|" + "|".join(re.escape(label) for label in ELEMENTS) + r"):\s*(.*)$")
_MARK = re.compile(r"\s*([^\u27e6]*?)\s*\u27e6([0-9,]*)\u27e7")
#: The participant's own words are quoted as they wrote them; numbers that could identify them are not.
_IDENTIFYING_NUMBER = re.compile(r"\d[\d -]{3,}\d")
LANGUAGE_NAMES = {Language.ENGLISH: "English", Language.SPANISH: "Spanish"}
BARRIER_NAMES = {
    "childcare": "child care",
    "transportation": "transportation",
    "health": "health",
    "housing": "housing",
    "money": "money",
    "family": "family",
    "work_schedule": "work schedule",
    "other": "other",
}


@dataclass(frozen=True)
class Sentence:
    element: str
    text: str
    #: The messages that carried what the sentence states.
    message_ids: tuple[int, ...]
    #: The participant's confirmation of it ("yes" to a read-back), apart from its content.
    confirmed_by: tuple[int, ...] = ()


@dataclass(frozen=True)
class RenderedNote:
    title: str
    body: str
    sentences: tuple[Sentence, ...] = field(default=())

    def sources(self) -> list[dict[str, Any]]:
        return [
            {
                "element": sentence.element,
                "text": sentence.text,
                "message_ids": list(sentence.message_ids),
                "confirmed_by": list(sentence.confirmed_by),
            }
            for sentence in self.sentences
        ]


def cite(*groups: Any) -> str:
    """The marker closing a sentence: the message ids it came from (ints, or lists of them)."""
    ids: set[int] = set()
    for group in groups:
        if isinstance(group, int):
            ids.add(group)
        elif group:
            ids.update(int(message_id) for message_id in group if message_id is not None)
    return "\u27e6" + ",".join(str(message_id) for message_id in sorted(ids)) + "\u27e7"


def quote(words: str, language: str) -> str:
    """The participant's words, in quotes, marked as theirs and in which language they wrote;
    Spanish with an English rendering beside it, marked as such (notes/english.py)."""
    cleaned = _IDENTIFYING_NUMBER.sub("[number removed]", " ".join(words.split())).replace('"', "'")
    quoted = f'"{cleaned}" (participant\'s words, original {LANGUAGE_NAMES[Language(language)]})'
    rendering = english_rendering(cleaned) if language == Language.SPANISH else None
    return f'{quoted} (translation, not verified: "{rendering}")' if rendering else quoted


def has_words(text: str) -> bool:
    """Whether the participant's text says something in words (not only a menu number like "1")."""
    return sum(character.isalpha() for character in text) >= 2


def us_date(day: date | str) -> str:
    """03/02/2026, as US case records write dates; facts keep dates as ISO text in their payload."""
    return (date.fromisoformat(day) if isinstance(day, str) else day).strftime("%m/%d/%Y")


class NoteRenderer:
    def __init__(self) -> None:
        self._environment = Environment(
            loader=FileSystemLoader(NOTES_DIR),
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._environment.globals["cite"] = cite
        self._environment.tests["words"] = has_words
        self._environment.filters.update(
            day=us_date,
            quote=quote,
            hours=hours_text,
            activity=ACTIVITY_NAMES[Language.ENGLISH].__getitem__,
            excuse=EXCUSE_NAMES[Language.ENGLISH].__getitem__,
            barrier=BARRIER_NAMES.__getitem__,
            language=lambda code: LANGUAGE_NAMES[Language(code)],
        )

    def subjects(self) -> set[str]:
        loader = self._environment.loader
        assert loader is not None
        return {name.removesuffix(".txt") for name in loader.list_templates() if not name.startswith("_")}

    def render(self, subject: str, context: dict[str, Any]) -> RenderedNote:
        return parse(self._environment.get_template(f"{subject}.txt").render(**context))


def parse(text: str) -> RenderedNote:
    """Title, one line per element, and the sentences with their sources, from a rendered template."""
    title, element = "", None
    parts: dict[str, list[str]] = {label: [] for label in ELEMENTS}
    for line in text.splitlines():
        labelled = _LABEL.match(line.strip())
        if labelled and labelled.group(1) == "Title":
            title = labelled.group(2).strip()
        elif labelled:
            element = labelled.group(1)
            parts[element].append(labelled.group(2))
        elif element is not None and line.strip():
            parts[element].append(line.strip())
    sentences, lines = [], []
    for label, chunks in parts.items():
        said = _sentences(label, " ".join(chunks))
        sentences += said
        lines.append(f"{label}: " + " ".join(sentence.text for sentence in said))
    return RenderedNote(title, "\n".join(lines), tuple(sentences))


def _sentences(element: str, text: str) -> list[Sentence]:
    found, end = [], 0
    for match in _MARK.finditer(text):
        if match.group(1):
            ids = tuple(int(message_id) for message_id in match.group(2).split(",") if message_id)
            found.append(Sentence(element, match.group(1), ids))
        end = match.end()
    if text[end:].strip():
        found.append(Sentence(element, text[end:].strip(), ()))
    return found
