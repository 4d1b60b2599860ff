"""Every table of the case file, imported once so that `Base.metadata` is complete."""

from casefile.base import Base
from casefile.consent import ConsentEvent
from casefile.contacts import Contact
from casefile.conversation import ConversationRecord
from casefile.facts import EventRecord
from casefile.goals import Goal, GoalStep
from casefile.messages import Message, UnknownSender
from casefile.people import Counselor, Participant

__all__ = [
    "Base",
    "ConsentEvent",
    "Contact",
    "ConversationRecord",
    "Counselor",
    "EventRecord",
    "Goal",
    "GoalStep",
    "Message",
    "Participant",
    "UnknownSender",
]
