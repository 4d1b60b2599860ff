"""Whole conversations written as plain text, replayed through a channel adapter against a real database.

# what the transcript shows
as: en                      the demo participant texting: en (Jordan) or es (Guadalupe)
> done                      a message the participant sends
< Great job!                a reply they get: it starts with this text (one line per reply, all of them)
+ 3d                        time passes (d, h or m) before the next message
goal: words | status | target (YYYY-MM-DD)           every goal stored, in order
step: text | due (YYYY-MM-DD) | pending/done          every step stored, in order
events: kind kind …                                   every fact recorded, in order
barrier: category | the participant's words           every barrier raised, in order
hours: day | activity | hours | excuse or - | state    every timesheet entry stored, in order
                                                      (day "week of YYYY-MM-DD" for a weekly total)
"""

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.app import Service
from casefile.facts import EventRecord
from casefile.goals import BarrierRaised, Goal, GoalStep
from casefile.messages import Message
from casefile.people import find_participant_by_phone
from casefile.timesheets import TimesheetEntry
from casefile.vocabulary import Direction
from tests.channels import Adapter
from tests.support import ENGLISH_PHONE, SPANISH_PHONE, FixedClock

TRANSCRIPTS = Path(__file__).parent / "transcripts"
PHONES = {"en": ENGLISH_PHONE, "es": SPANISH_PHONE}
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


@dataclass
class Exchange:
    text: str
    replies: list[str] = field(default_factory=list)
    wait: timedelta = timedelta(minutes=1)


@dataclass
class Transcript:
    name: str
    phone: str = ENGLISH_PHONE
    exchanges: list[Exchange] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    events: list[str] | None = None
    barriers: list[str] = field(default_factory=list)
    hours: list[str] = field(default_factory=list)


def load(path: Path) -> Transcript:
    transcript = Transcript(path.stem)
    wait = timedelta(minutes=1)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        mark, _, rest = line.partition(" ")
        if not line.strip() or mark == "#":
            continue
        if mark == ">":
            transcript.exchanges.append(Exchange(rest, wait=wait))
            wait = timedelta(minutes=1)
        elif mark == "<":
            transcript.exchanges[-1].replies.append(rest)
        elif mark == "|":
            transcript.exchanges[-1].replies[-1] += "\n" + rest
        elif mark == "+":
            wait = timedelta(**{_UNITS[rest[-1]]: int(rest[:-1])})
        elif mark == "as:":
            transcript.phone = PHONES[rest]
        elif mark == "goal:":
            transcript.goals.append(rest)
        elif mark == "step:":
            transcript.steps.append(rest)
        elif mark == "events:":
            transcript.events = rest.split()
        elif mark == "barrier:":
            transcript.barriers.append(rest)
        elif mark == "hours:":
            transcript.hours.append(rest)
        else:
            raise ValueError(f"{path.name}:{number}: cannot read {line!r}")
    return transcript


def replay(transcript: Transcript, adapter: Adapter, clock: FixedClock) -> None:
    for index, exchange in enumerate(transcript.exchanges):
        clock.advance(seconds=exchange.wait.total_seconds())
        got = adapter.send(exchange.text, f"{transcript.name}-{index}", sender=transcript.phone)
        context = f"{transcript.name}, message {index + 1} ({exchange.text!r}) got:\n" + "\n---\n".join(got)
        assert len(got) == len(exchange.replies), context
        for reply, expected in zip(got, exchange.replies, strict=True):
            assert reply.startswith(expected), f"expected a reply starting {expected!r}\n{context}"


def check_records(transcript: Transcript, service: Service) -> None:
    with service.sessions.begin() as session:
        participant = find_participant_by_phone(session, transcript.phone)
        assert participant is not None
        goals = session.scalars(select(Goal).where(Goal.participant_id == participant.id).order_by(Goal.id)).all()
        assert [f"{g.words} | {g.status.value} | {g.target_date}" for g in goals] == transcript.goals
        steps = session.scalars(
            select(GoalStep)
            .join(Goal)
            .where(Goal.participant_id == participant.id)
            .order_by(GoalStep.goal_id, GoalStep.position)
        ).all()
        assert [f"{s.text} | {s.due_date} | {s.status.value}" for s in steps] == transcript.steps
        events = session.scalars(
            select(EventRecord).where(EventRecord.participant_id == participant.id).order_by(EventRecord.id)
        ).all()
        if transcript.events is not None:
            assert [e.kind for e in events] == transcript.events
        barriers = [fact for fact in (e.fact() for e in events) if isinstance(fact, BarrierRaised)]
        assert [f"{b.category} | {b.words}" for b in barriers] == transcript.barriers
        entries = session.scalars(
            select(TimesheetEntry).where(TimesheetEntry.participant_id == participant.id).order_by(TimesheetEntry.id)
        ).all()
        assert [_entry(e) for e in entries] == transcript.hours
        # Every fact is linked to the participant's own inbound message it came from.
        for event in events:
            message = session.get(Message, event.message_id)
            assert message is not None and message.direction is Direction.INBOUND
            assert message.participant_id == participant.id


def _entry(entry: TimesheetEntry) -> str:
    day = f"week of {entry.day}" if entry.whole_week else str(entry.day)
    excuse = entry.excuse.value if entry.excuse else "-"
    return f"{day} | {entry.activity.value} | {entry.hours:g} | {excuse} | {entry.state.value}"
