"""Building a note sentence by sentence, each with the messages it states facts from.

A subject's builder (notes/subjects_*.py) says what its note says element by element; the frame
here adds what every contact note shares (date, method, who, why) and a plain default for any
element the builder left empty. Nothing is rendered to text and read back: the body and the sources
are made together, which is also what keeps the job fast (bench/notes.py).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from casefile.vocabulary import Language
from conversations.life_events import LifeEvent
from notes.check import ELEMENTS
from notes.load import ContactFile, FactView, InboundText
from notes.render import LANGUAGE_NAMES, RenderedNote, Sentence, quote, us_date

DATE, METHOD, WHO, PURPOSE, REPORTED, OBSTACLES, NEXT, EFFECT, DOCUMENTS = ELEMENTS
METHODS = {"sms": "Text message (SMS)", "telegram": "Telegram chat", "console": "Chat through the Waypoint console"}
#: What each outreach rule's text was for, as a note says it (scheduler/rules.toml names the rules).
RULE_PURPOSES = {
    "welcome": "welcome text",
    "check_in": "weekly check-in text",
    "step_due": "reminder of a step due",
    "hours_due": "reminder to report hours",
    "hours_missing": "second reminder to report hours",
    "reengage": "re-engagement text",
    "sanctioned_monthly": "monthly text about the benefits of taking part",
    "exit_follow_up": "follow-up text after exit",
}
#: A counselor's follow-up on what a contact raised is due this many business days after it.
ACTION_BUSINESS_DAYS = 1
#: The label of the participant's texts no fact recorded, for the counselor to read (issue 20).
ALSO_SAID = "Also said (for the counselor to review)"


class BusinessDays(Protocol):
    """The county's working calendar (scheduler.timing.Calendar is one)."""

    def add_business_days(self, day: date, days: int) -> date: ...


@dataclass
class NoteContext:
    """One closed contact as every builder of its notes sees it."""

    file: ContactFile
    day: date
    subjects: dict[str, list[FactView]]
    calendar: BusinessDays
    #: The participant's texts with the life events each reports (notes/life_events.py).
    events: list[tuple[InboundText, list[LifeEvent]]] = field(default_factory=list)
    #: The participant's texts with words that no fact recorded: quoted in the main note.
    unrecorded: list[InboundText] = field(default_factory=list)

    @property
    def language(self) -> str:
        return self.file.language

    def quote(self, words: str) -> str:
        return quote(words, self.file.language)

    def action_due(self) -> str:
        return us_date(self.calendar.add_business_days(self.day, ACTION_BUSINESS_DAYS))

    def facts(self, *kinds: str) -> list[FactView]:
        return [fact for fact in self.file.facts if fact.kind in kinds]


class NoteBuilder:
    """A note being written: sentences by element, each with its sources."""

    def __init__(self, title: str) -> None:
        self.title = title
        self._sentences: dict[str, list[Sentence]] = {element: [] for element in ELEMENTS}

    def say(self, element: str, text: str, content: Iterable[int] = (), confirmed_by: Iterable[int] = ()) -> None:
        self._sentences[element].append(Sentence(element, text, tuple(sorted(set(content))), tuple(confirmed_by)))

    def says(self, element: str) -> bool:
        return bool(self._sentences[element])

    def build(self) -> RenderedNote:
        lines = [f"{element}: " + " ".join(s.text for s in said) for element, said in self._sentences.items()]
        sentences = tuple(s for said in self._sentences.values() for s in said)
        return RenderedNote(self.title, "\n".join(lines), sentences)


def say_fact(note: NoteBuilder, element: str, text: str, fact: FactView) -> None:
    note.say(element, text, fact.content_ids, fact.confirmation_ids)


def ids_of(facts: Iterable[FactView]) -> list[int]:
    return sorted({message_id for fact in facts for message_id in fact.content_ids})


def frame(context: NoteContext, note: NoteBuilder, reason: str, reason_ids: Iterable[int] = ()) -> None:
    """Date, method, who took part and why: what every contact note opens with."""
    file = context.file
    note.say(DATE, f"{us_date(context.day)}.", file.message_ids)
    note.say(METHOD, f"{METHODS.get(file.channel, file.channel)}.", file.message_ids)
    if file.inbound:
        note.say(
            WHO,
            "The participant and the Waypoint text service (automated messages); the counselor did not take part.",
        )
    else:
        note.say(WHO, "The Waypoint text service sent an automated message; the counselor did not take part.")
    sent = [RULE_PURPOSES.get(text.rule, "scheduled text") for text in file.outreach]
    outreach_ids = [text.message_id for text in file.outreach]
    if sent and file.inbound:
        note.say(PURPOSE, f"Answer to a scheduled {' and '.join(sent)}.", outreach_ids)
    elif sent:
        note.say(PURPOSE, f"The service sent a scheduled {' and '.join(sent)}.", outreach_ids)
    elif file.inbound:
        note.say(PURPOSE, "Participant-initiated contact.", file.inbound_ids[:1])
    note.say(PURPOSE, reason, reason_ids)


def finish(context: NoteContext, note: NoteBuilder, main: bool) -> RenderedNote:
    """Add what the contact's main note carries (texts no fact recorded), then a plain line for
    every element the builder left empty, citing nothing: it states no fact from a message."""
    if main:
        for text in context.unrecorded:
            note.say(REPORTED, f"{ALSO_SAID}: {context.quote(text.body)}.", [text.id])
    if not note.says(OBSTACLES):
        note.say(OBSTACLES, "None reported.")
    if not note.says(NEXT):
        note.say(NEXT, "None set.")
    if not note.says(EFFECT):
        note.say(EFFECT, plan_effect(context))
    if not note.says(DOCUMENTS):
        documents(context, note)
    return note.build()


def plan_effect(context: NoteContext) -> str:
    """What a note says of the plan when its own subject changes nothing: never "no change" while
    the contact holds news the counselor has yet to weigh."""
    if any(events for _, events in context.events):
        return (
            "To be decided by the counselor: the participant reported a change (see the life event note of this date)."
        )
    if context.unrecorded:
        return "To be decided by the counselor after reading what the participant also said."
    return "No change to the employment plan."


def documents(context: NoteContext, note: NoteBuilder) -> None:
    received = context.facts("document_received")
    for fact in received:
        types = fact.data["content_types"]
        plural = "s" if len(types) > 1 else ""
        note.say(DOCUMENTS, f"{len(types)} file{plural} received by text ({', '.join(types)}).", fact.content_ids)
    if not received:
        note.say(DOCUMENTS, "None.")


def language_name(code: str) -> str:
    return LANGUAGE_NAMES[Language(code)]


def shorten(words: str, limit: int = 40) -> str:
    """The participant's words cut to fit a title, at a word boundary."""
    words = " ".join(words.split()).replace('"', "'")
    if len(words) <= limit:
        return words
    return words[:limit].rsplit(" ", 1)[0] + "..."
