"""A counselor's text to a participant: checked, then queued in the outbox like all outreach.

The text is recorded first (an `outreach` row of rule "counselor" and a QUEUED message), so the
outbox sends it once, at the participant's rate, on their outreach channel, never after an opt-out,
and only between 8:00 and 21:00 on their clock (it waits until then, and the counselor is told).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from casefile.addresses import outreach_address
from casefile.contacts import current_contact
from casefile.facts import record_fact
from casefile.identifiers import outbound_problems
from casefile.messages import add_outbound
from casefile.outreach import Outreach, OutreachChanged, OutreachKind, OutreachState
from casefile.people import Participant
from casefile.vocabulary import Channel, ConsentState, MessageStatus
from scheduler.timing import Calendar

COUNSELOR_RULE = "counselor"
#: Longest text a channel takes (Twilio refuses over 1,600 characters; Telegram over 4,096).
MAX_LENGTH = {Channel.SMS: 1600, Channel.TELEGRAM: 4096}

class TextRefused(ValueError):
    """The text cannot be sent as it is; the message says why, for the counselor."""


@dataclass(frozen=True)
class QueuedText:
    message_id: int
    channel: Channel
    #: None: it goes now; else when it will go, on the participant's clock (outside 8:00–21:00).
    waits_until: datetime | None


def text_problems(text: str, participant: Participant, channel: Channel, now: datetime) -> list[str]:
    """Everything wrong with a counselor's text for this participant, each said for the counselor."""
    problems = []
    if not text.strip():
        problems.append("the message is empty")
    limit = MAX_LENGTH.get(channel, 1600)
    if len(text) > limit:
        problems.append(f"it is {len(text)} characters long; {channel.value.upper()} takes at most {limit}")
    return problems + outbound_problems(text, participant, now.date())


def queue_counselor_text(
    session: Session, participant: Participant, counselor_id: int, text: str, calendar: Calendar, now: datetime
) -> QueuedText:
    """Record the counselor's text in the outbox for the participant's outreach channel."""
    text = text.strip()
    if participant.consent_state is ConsentState.OPTED_OUT:
        raise TextRefused(
            f"{participant.first_name} opted out of texts: nothing can be sent until they text START. "
            "Call them or write a letter instead."
        )
    channel, address = outreach_address(session, participant)
    problems = text_problems(text, participant, channel, now)
    if problems:
        raise TextRefused("Not sent: " + "; ".join(problems) + ".")
    zone = ZoneInfo(participant.time_zone)
    waits_until = None if calendar.is_allowed(now, zone, False) else calendar.next_allowed(now, zone, False)
    outreach = Outreach(
        participant_id=participant.id,
        rule=COUNSELOR_RULE,
        occurrence=f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}",
        kind=OutreachKind.TEXT,
        template="counselor_text",
        due_at=now,
        # Handed on at once: the message below is the outbox's to send.
        state=OutreachState.DISPATCHED,
        reason=None,
        body=text,
        created_at=now,
        state_at=now,
        answered_at=None,
    )
    session.add(outreach)
    session.flush()
    contact_id = current_contact(session, participant.id, channel, now, opened_by="counselor")
    [message_id] = add_outbound(
        session,
        [
            {
                "participant_id": participant.id,
                "contact_id": contact_id,
                "channel": channel,
                "address": address,
                "body": text,
                "status": MessageStatus.QUEUED,
                "outreach_id": outreach.id,
                "retry_at": waits_until,
                "created_at": now,
                "status_at": now,
            }
        ],
    )
    # Who wrote it, for the record (the text itself is the message's).
    record_fact(
        session, OutreachChanged(counselor_id, "text", outreach.id, None, None), participant.id, contact_id, None, now
    )
    return QueuedText(message_id, channel, waits_until.astimezone(zone) if waits_until else None)
