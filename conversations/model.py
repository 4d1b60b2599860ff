"""The values the engine takes and gives back."""

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from casefile.facts import Fact
from casefile.goals import GoalPlan
from casefile.timesheets import HoursPlan
from casefile.vocabulary import ConsentState, Language

#: The flow a participant is in when no flow is under way.
IDLE_FLOW = "idle"
IDLE_STEP = "idle"


@dataclass(frozen=True)
class ParticipantView:
    """What the engine may know of a participant: enough to talk, nothing confidential."""

    first_name: str
    language: Language
    consent: ConsentState
    counselor_name: str
    counselor_phone: str | None
    #: An IANA zone: the participant's own calendar decides what "today" and "Friday" mean.
    time_zone: str = "America/Los_Angeles"
    goal: GoalPlan | None = None
    hours: HoursPlan = HoursPlan()
    #: The reason of the participant's open handoff (casefile.handoffs.HandoffReason), None if none.
    handoff: str | None = None
    #: Crisis resources were already sent in this contact: the next disclosure gets a short answer.
    crisis_resources_sent: bool = False
    #: When the office opens next, on the office's clock; None while it is open.
    office_opens_at: datetime | None = None


@dataclass(frozen=True)
class InboundText:
    text: str
    media_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConversationState:
    flow: str = IDLE_FLOW
    step: str = IDLE_STEP
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None

    @property
    def idle(self) -> bool:
        return self.flow == IDLE_FLOW

    def at(self, flow: str, step: str, **data: Any) -> "ConversationState":
        return replace(self, flow=flow, step=step, data=data)

    def reset(self) -> "ConversationState":
        return ConversationState(updated_at=self.updated_at)


@dataclass(frozen=True)
class Reply:
    """A message to send: a template key under templates/messages/<lang>/ and its parameters."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    replies: tuple[Reply, ...]
    state: ConversationState
    facts: tuple[Fact, ...] = ()
    #: The language to render the replies in and to keep: changes when the participant switches.
    language: Language | None = None
    consent: ConsentState | None = None
