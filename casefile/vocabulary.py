"""The closed sets of words the case file uses, shared by every package above it."""

from enum import StrEnum


class Language(StrEnum):
    ENGLISH = "en"
    SPANISH = "es"


class ConsentState(StrEnum):
    """Whether the participant may be texted.

    RECORDED: the counselor recorded the participant's consent at enrolment; the first text
    contact asks the participant to confirm it. CONFIRMED: the participant said yes by text.
    OPTED_OUT: the participant texted a stop keyword; only an opt-in keyword reopens the line.
    """

    RECORDED = "recorded"
    CONFIRMED = "confirmed"
    OPTED_OUT = "opted_out"


class ProgrammeStatus(StrEnum):
    ACTIVE = "active"
    SANCTIONED = "sanctioned"
    EXEMPT = "exempt"
    EXITED = "exited"


class FamilyType(StrEnum):
    """Where the weekly hours requirement came from (California's rule by family, or the plan)."""

    ONE_PARENT_CHILD_UNDER_6 = "one_parent_child_under_6"
    ONE_PARENT = "one_parent"
    TWO_PARENT = "two_parent"
    PLAN = "plan"


#: California's weekly participation requirement by family type (DOMAIN.md, seed 000).
WEEKLY_HOURS_BY_FAMILY: dict[FamilyType, int] = {
    FamilyType.ONE_PARENT_CHILD_UNDER_6: 20,
    FamilyType.ONE_PARENT: 30,
    FamilyType.TWO_PARENT: 35,
}


class Channel(StrEnum):
    SMS = "sms"
    TELEGRAM = "telegram"
    CONSOLE = "console"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class MessageStatus(StrEnum):
    """A message's life. Inbound: received → processed (or failed). Outbound: see DELIVERY_RANK."""

    RECEIVED = "received"
    PROCESSED = "processed"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    READ = "read"


#: Providers report outbound statuses out of order; a status only replaces one of lower rank.
DELIVERY_RANK: dict[MessageStatus, int] = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.SENT: 2,
    MessageStatus.UNDELIVERED: 3,
    MessageStatus.FAILED: 3,
    MessageStatus.DELIVERED: 3,
    MessageStatus.READ: 4,
}


class ConsentAction(StrEnum):
    OPT_IN = "opt_in"
    OPT_OUT = "opt_out"


class GoalStatus(StrEnum):
    """A participant has at most one ACTIVE goal; a REACHED one stays, for the record and the notes."""

    ACTIVE = "active"
    REACHED = "reached"


class StepStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"


class Barrier(StrEnum):
    """What got in the way ("potholes and detours", seed 002): what a counselor can act on."""

    CHILDCARE = "childcare"
    TRANSPORTATION = "transportation"
    HEALTH = "health"
    HOUSING = "housing"
    MONEY = "money"
    FAMILY = "family"
    WORK_SCHEDULE = "work_schedule"
    OTHER = "other"


class Activity(StrEnum):
    """The kinds of Welfare-to-Work activity a participant's plan may hold hours for (DOMAIN.md)."""

    EMPLOYMENT = "employment"
    JOB_SEARCH = "job_search"
    VOCATIONAL_TRAINING = "vocational_training"
    WORK_EXPERIENCE = "work_experience"
    EDUCATION = "education"
    COMMUNITY_SERVICE = "community_service"
    OTHER = "other"


class Excuse(StrEnum):
    """Why hours were missed with good reason: recorded as excused hours, apart from the others."""

    SICK = "sick"
    CHILD_SICK = "child_sick"
    HOLIDAY = "holiday"
    APPOINTMENT = "appointment"


class ReportingPeriod(StrEnum):
    """How often a participant's hours report is due: set per participant, weekly unless changed."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class EntryState(StrEnum):
    """Where a timesheet entry stands: read back to the participant, then confirmed by them."""

    #: Read back, waiting for the participant's YES.
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    #: Read back but never confirmed (a new report began): kept for the counselor, not counted.
    UNCONFIRMED = "unconfirmed"
    #: Confirmed, then reported again for the same day and activity: the newer entry counts.
    REPLACED = "replaced"


class DocumentStatus(StrEnum):
    """A photo or file a participant sent, as the service fetches it from the provider."""

    WAITING = "waiting"
    STORED = "stored"
    #: Fetching kept failing: the provider's URL is kept and the counselor is told.
    FAILED = "failed"


class Role(StrEnum):
    """A counselor reviews their own caseload's notes; a supervisor reads their unit's."""

    COUNSELOR = "counselor"
    SUPERVISOR = "supervisor"


class NoteState(StrEnum):
    """A drafted case note: nothing enters the record until a counselor approves it."""

    DRAFT = "draft"
    APPROVED = "approved"
    REJECTED = "rejected"
