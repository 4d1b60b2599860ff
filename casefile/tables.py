"""Every table of the case file, imported once so that `Base.metadata` is complete."""

from casefile.accounts import ApiToken, SignInFailures
from casefile.addresses import ChannelAddress, LinkCode
from casefile.base import Base
from casefile.case_notes import CaseNote, NoteAddendum, NoteAudit
from casefile.consent import ConsentEvent
from casefile.contacts import Contact
from casefile.conversation import ConversationRecord
from casefile.dead_letters import DeadLetter
from casefile.documents import Document
from casefile.facts import EventRecord
from casefile.goals import Goal, GoalStep
from casefile.handoff_alerts import HandoffAlert
from casefile.handoffs import Handoff
from casefile.messages import Message, UnknownSender
from casefile.outreach import Outreach, SchedulerLock
from casefile.people import Counselor, Participant
from casefile.sweeps import SweepChange, SweepPass
from casefile.timesheets import TimesheetEntry

__all__ = [
    "ApiToken",
    "Base",
    "CaseNote",
    "ChannelAddress",
    "ConsentEvent",
    "Contact",
    "ConversationRecord",
    "DeadLetter",
    "Counselor",
    "Document",
    "EventRecord",
    "Goal",
    "GoalStep",
    "Handoff",
    "HandoffAlert",
    "LinkCode",
    "Message",
    "NoteAddendum",
    "NoteAudit",
    "Outreach",
    "Participant",
    "SchedulerLock",
    "SignInFailures",
    "SweepChange",
    "SweepPass",
    "TimesheetEntry",
    "UnknownSender",
]
