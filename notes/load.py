"""What the drafter reads about closed contacts: their messages, facts and weeks, one query a table.

Each fact is tied to the messages that carried its content. The flows record a fact on the message
that completed it ("yes" to a read-back, the answer to the last question), so the inbound texts since
the previous fact are the turns that led to it: a short answer ("friday", "in 3 months") or a text
whose words the fact keeps is that fact's content. A longer text the fact does not keep is not
claimed by it: the note quotes it under "Also said" for the counselor (notes/said.py).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.base import table_of
from casefile.contacts import Contact
from casefile.facts import EventRecord
from casefile.messages import Message
from casefile.outreach import Outreach
from casefile.people import Participant
from casefile.timesheets import TimesheetEntry, week_of
from casefile.vocabulary import Direction, EntryState

#: A fact recorded on a confirmation ("yes") whose content came with earlier facts of these kinds.
CONFIRMS = {
    "hours_confirmed": ("hours_reported", "hours_corrected"),
    "goal_confirmed": ("goal_set",),
}
#: An answer to one of the flow's questions ("8 hrs mon 6 tue", "in 3 months") is at most this long; a longer
#: text the fact does not keep may be news the flow did not take in.
ANSWER_WORDS = 8


@dataclass(frozen=True)
class InboundText:
    id: int
    body: str


@dataclass
class FactView:
    kind: str
    data: dict[str, Any]
    #: The message the fact was recorded on, if any.
    message_id: int | None
    #: The messages that carried what the fact states.
    content_ids: list[int] = field(default_factory=list)
    #: The participant's confirmation of it ("yes" to a read-back), cited apart.
    confirmation_ids: list[int] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        """Every message the fact rests on (what a template's `cite(fact.ids)` names)."""
        return sorted({*self.content_ids, *self.confirmation_ids})


@dataclass(frozen=True)
class OutreachText:
    message_id: int
    rule: str


@dataclass
class ContactFile:
    """What the drafter reads about one closed contact."""

    id: int
    participant_id: int
    language: str
    time_zone: str
    channel: str
    opened_by: str
    opened_at: datetime
    last_message_at: datetime
    message_ids: list[int] = field(default_factory=list)
    inbound: list[InboundText] = field(default_factory=list)
    outreach: list[OutreachText] = field(default_factory=list)
    facts: list[FactView] = field(default_factory=list)
    #: Confirmed hours of the weeks this contact's report touched: week start -> (participated, excused, message ids).
    weeks: dict[date, tuple[float, float, list[int]]] = field(default_factory=dict)
    weekly_required: int = 0

    @property
    def inbound_ids(self) -> list[int]:
        return [text.id for text in self.inbound]


_CONTACTS = table_of(Contact)
_MESSAGES = table_of(Message)


def load_contacts(session: Session, ids: Sequence[int]) -> list[ContactFile]:
    """Everything the drafts of these contacts need, in one query per table."""
    people = table_of(Participant)
    rows = session.execute(
        select(
            _CONTACTS.c.id,
            _CONTACTS.c.participant_id,
            _CONTACTS.c.channel,
            _CONTACTS.c.opened_by,
            _CONTACTS.c.opened_at,
            _CONTACTS.c.last_message_at,
            people.c.language,
            people.c.time_zone,
            people.c.weekly_required_hours,
        )
        .join(people, people.c.id == _CONTACTS.c.participant_id)
        .where(_CONTACTS.c.id.in_(ids))
        .order_by(_CONTACTS.c.id)
    ).all()
    files = {
        row.id: ContactFile(
            row.id,
            row.participant_id,
            row.language,
            row.time_zone,
            row.channel,
            row.opened_by,
            row.opened_at,
            row.last_message_at,
            weekly_required=row.weekly_required_hours,
        )
        for row in rows
    }
    outreach = table_of(Outreach)
    messages = session.execute(
        select(
            _MESSAGES.c.id,
            _MESSAGES.c.contact_id,
            _MESSAGES.c.direction,
            _MESSAGES.c.body,
            outreach.c.rule,
        )
        .outerjoin(outreach, outreach.c.id == _MESSAGES.c.outreach_id)
        .where(_MESSAGES.c.contact_id.in_(ids))
        .order_by(_MESSAGES.c.id)
    ).all()
    for message in messages:
        file = files[message.contact_id]
        file.message_ids.append(message.id)
        if message.direction == Direction.INBOUND:
            file.inbound.append(InboundText(message.id, message.body))
        if message.rule is not None:
            file.outreach.append(OutreachText(message.id, message.rule))
    events = table_of(EventRecord)
    for event in session.execute(
        select(events.c.contact_id, events.c.kind, events.c.payload, events.c.message_id)
        .where(events.c.contact_id.in_(ids))
        .order_by(events.c.id)
    ):
        files[event.contact_id].facts.append(FactView(event.kind, event.payload, event.message_id))
    for file in files.values():
        attribute_messages(file)
    _load_weeks(session, [file for file in files.values() if any(f.kind == "hours_confirmed" for f in file.facts)])
    return list(files.values())


def attribute_messages(file: ContactFile) -> None:
    """Tie each fact to the texts that carried its content, and a confirmation to its own message."""
    bodies = {text.id: text.body for text in file.inbound}
    previous: dict[str, FactView] = {}
    claimed = 0
    for fact in file.facts:
        if fact.message_id is None:
            continue
        turns = [text for text in file.inbound if claimed < text.id < fact.message_id]
        kept = _kept_words(fact.data)
        content = [text.id for text in turns if _is_answer(text.body) or _normalised(text.body) in kept]
        if fact.kind in CONFIRMS:
            earlier = [previous[kind] for kind in CONFIRMS[fact.kind] if kind in previous]
            fact.content_ids = sorted({*content, *(i for each in earlier for i in each.content_ids)})
            fact.confirmation_ids = [fact.message_id] if fact.message_id in bodies else []
        else:
            fact.content_ids = sorted({*content, fact.message_id})
        previous[fact.kind] = fact
        claimed = max(claimed, fact.message_id)


def _is_answer(body: str) -> bool:
    return len(body.split()) <= ANSWER_WORDS


def _normalised(text: str) -> str:
    return " ".join(text.lower().split())


def _kept_words(payload: dict[str, Any]) -> set[str]:
    return {_normalised(value) for value in payload.values() if isinstance(value, str)}


def _load_weeks(session: Session, files: list[ContactFile]) -> None:
    """The confirmed totals of every week an hours report in these contacts touched, as they stood
    when the contact ended: a later report belongs in a later note."""
    if not files:
        return
    weeks_of: dict[int, set[date]] = defaultdict(set)
    for file in files:
        for fact in file.facts:
            for line in fact.data.get("lines", ()) if fact.kind == "hours_confirmed" else ():
                weeks_of[file.id].add(week_of(date.fromisoformat(line["day"])).start)
    entries = table_of(TimesheetEntry)
    confirmed = session.execute(
        select(
            entries.c.participant_id,
            entries.c.day,
            entries.c.hours,
            entries.c.excuse,
            entries.c.message_id,
            entries.c.confirmed_message_id,
            entries.c.confirmed_at,
        ).where(
            entries.c.participant_id.in_({file.participant_id for file in files}),
            entries.c.state == EntryState.CONFIRMED,
            entries.c.day >= min(start for starts in weeks_of.values() for start in starts),
        )
    ).all()
    by_participant: dict[int, list[Any]] = defaultdict(list)
    for entry in confirmed:
        by_participant[entry.participant_id].append(entry)
    for file in files:
        for start in sorted(weeks_of[file.id]):
            in_week = [
                entry
                for entry in by_participant[file.participant_id]
                if week_of(entry.day).start == start and entry.confirmed_at <= file.last_message_at
            ]
            file.weeks[start] = (
                sum(entry.hours for entry in in_week if not entry.excuse),
                sum(entry.hours for entry in in_week if entry.excuse),
                sorted({entry.message_id for entry in in_week if entry.message_id is not None}),
            )
