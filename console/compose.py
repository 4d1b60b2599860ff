"""A counselor's text to a participant: checked, then queued in the outbox like all outreach.

The text is recorded first (an `outreach` row of rule "counselor" and a QUEUED message), so the
outbox sends it once, at the participant's rate, on their outreach channel, never after an opt-out,
and only between 8:00 and 21:00 on their clock (it waits until then, and the counselor is told).
"""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from casefile.addresses import outreach_address
from casefile.contacts import current_contact
from casefile.facts import record_fact
from casefile.messages import add_outbound
from casefile.outreach import Outreach, OutreachChanged, OutreachKind, OutreachState
from casefile.people import Participant
from casefile.vocabulary import Channel, ConsentState, MessageStatus
from scheduler.timing import Calendar

COUNSELOR_RULE = "counselor"
#: Longest text a channel takes (Twilio refuses over 1,600 characters; Telegram over 4,096).
MAX_LENGTH = {Channel.SMS: 1600, Channel.TELEGRAM: 4096}

# -- The outbound identifier guard ------------------------------------------------------------------
# A minimal guard of the console's own, so that the page can refuse what must never be texted. The
# inputs branch writes the service-wide `outbound_problems(text, participant)`; the integrator
# replaces this function with it. `text_problems` below is its only caller.
_SSN = re.compile(r"(?<!\d)\d{3}[-\s.]?\d{2}[-\s.]?\d{4}(?!\d)")
_CASE_NUMBER = re.compile(r"\bcase\s*(?:number|no\.?|#)?\s*:?\s*[A-Z0-9]{5,}\b", re.IGNORECASE)
_FULL_DATE = re.compile(
    r"\b\d{1,2}[/-]\d{1,2}[/-](?:19|20)\d{2}\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+(?:19|20)\d{2}\b",
    re.IGNORECASE,
)


def outbound_problems(text: str, participant: Participant) -> list[str]:
    """Why a text must not go out as written (empty when it may)."""
    problems = []
    if _SSN.search(text):
        problems.append("it contains what looks like a Social Security number")
    if _CASE_NUMBER.search(text):
        problems.append("it contains a case number")
    if _FULL_DATE.search(text):
        problems.append("it contains a full date with a year, which could be a date of birth")
    words = {word.lower() for word in re.findall(r"[\w'-]+", text)}
    if participant.first_name.lower() in words and participant.last_name.lower() in words:
        problems.append("it names the participant by first and last name together (use the first name only)")
    return problems


# ---------------------------------------------------------------------------------------------------


class TextRefused(ValueError):
    """The text cannot be sent as it is; the message says why, for the counselor."""


@dataclass(frozen=True)
class QueuedText:
    message_id: int
    channel: Channel
    #: None: it goes now; else when it will go, on the participant's clock (outside 8:00–21:00).
    waits_until: datetime | None


def text_problems(text: str, participant: Participant, channel: Channel) -> list[str]:
    """Everything wrong with a counselor's text for this participant, each said for the counselor."""
    problems = []
    if not text.strip():
        problems.append("the message is empty")
    limit = MAX_LENGTH.get(channel, 1600)
    if len(text) > limit:
        problems.append(f"it is {len(text)} characters long; {channel.value.upper()} takes at most {limit}")
    return problems + outbound_problems(text, participant)


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
    problems = text_problems(text, participant, channel)
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
