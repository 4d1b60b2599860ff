"""Who sent a message: the participant an address belongs to, and what the engine is shown of them."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from casefile.addresses import participant_at
from casefile.arrivals import Sender, sender_by_id, sender_by_phone
from casefile.goals import GoalPlan
from casefile.people import Correspondent, find_correspondent, find_correspondent_by_id
from casefile.phones import display_phone
from casefile.timesheets import HoursPlan, open_since, recorded_lines
from casefile.vocabulary import Channel
from conversations.model import ParticipantView

#: Channels whose addresses are linked to a participant by a code, rather than known by phone number.
LINKED_CHANNELS = frozenset([Channel.TELEGRAM])


def sender_for(session: Session, channel: Channel, address: str) -> Sender | None:
    """The participant a message to process comes from, their row locked (one person's messages take
    turns), with their open contacts and handoff. SMS and the console chat address by phone; a
    Telegram chat by the link made with a counselor's code."""
    if channel in LINKED_CHANNELS:
        participant_id = participant_at(session, channel, address)
        return sender_by_id(session, participant_id) if participant_id is not None else None
    return sender_by_phone(session, address)


def participant_for(session: Session, channel: Channel, address: str) -> Correspondent | None:
    """The participant an address belongs to, read without a lock (as `sender_for` finds them)."""
    if channel in LINKED_CHANNELS:
        participant_id = participant_at(session, channel, address)
        return find_correspondent_by_id(session, participant_id, False) if participant_id is not None else None
    return find_correspondent(session, address, False)


def hours_plan(session: Session, participant: Correspondent, at: datetime) -> HoursPlan:
    """The participant's plan and the hours they confirmed in the periods still open on `at`."""
    zone = ZoneInfo(participant.time_zone)
    since = open_since(at.astimezone(zone).date(), participant.reporting_period)
    return HoursPlan(
        required=participant.weekly_required_hours,
        period=participant.reporting_period,
        activities=participant.activities,
        recorded=recorded_lines(session, participant.id, since),
        enrolled_on=participant.enrolled_at.astimezone(zone).date(),
    )


def participant_view(participant: Correspondent, goal: GoalPlan | None, hours: HoursPlan) -> ParticipantView:
    return ParticipantView(
        first_name=participant.first_name,
        language=participant.language,
        consent=participant.consent_state,
        counselor_name=participant.counselor_name,
        counselor_phone=display_phone(participant.counselor_phone) if participant.counselor_phone else None,
        time_zone=participant.time_zone,
        goal=goal,
        hours=hours,
    )
