"""Claiming one queued message for sending, with the checks that must hold at that moment.

The claim (QUEUED → SENDING) and the checks run in one transaction, right before the provider is
called, after any wait for a rate slot: a STOP processed while a sender waited is seen here (issue
16, item 1). The participant's row is read FOR UPDATE, so on PostgreSQL a STOP being processed (the
inbox holds that row) is waited for rather than read as it was; SQLite's single writer does the same.

A held message is FAILED with the check's name as its code: it is not owed any more, and never
resent. A check is a function of the claimed message and the participant as read; add one to
`SEND_CHECKS` to hold more messages back.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from casefile.addresses import ChannelAddress
from casefile.consent import ConsentEvent
from casefile.messages import Message
from casefile.people import Participant
from casefile.vocabulary import Channel, ConsentAction, ConsentState, MessageStatus


@dataclass(frozen=True)
class Claimed:
    """A message this process now sends, and what the checks read of its recipient."""

    id: int
    channel: Channel
    address: str
    body: str
    participant_id: int | None
    outreach_id: int | None
    in_reply_to_id: int | None


@dataclass(frozen=True)
class Recipient:
    consent: ConsentState
    time_zone: str
    paused_until: date | None
    last_heard_at: datetime | None


@dataclass(frozen=True)
class Held:
    """The claimed message was not sent, and why (the message's error code)."""

    reason: str


#: A reason to hold the message back, or None to let it go.
SendCheck = Callable[[Session, Claimed, Recipient, datetime], str | None]


def opted_out(session: Session, message: Claimed, recipient: Recipient, now: datetime) -> str | None:
    """After STOP only the answers to what they wrote since go (the STOP confirmation itself):
    the engine made those knowing they had opted out. Outreach and older replies are held."""
    if recipient.consent is not ConsentState.OPTED_OUT:
        return None
    if message.in_reply_to_id is not None and message.participant_id is not None:
        opted_out_at = session.scalar(
            select(func.max(ConsentEvent.occurred_at)).where(
                ConsentEvent.participant_id == message.participant_id, ConsentEvent.action == ConsentAction.OPT_OUT
            )
        )
        answered = session.scalar(select(Message.created_at).where(Message.id == message.in_reply_to_id))
        if opted_out_at is not None and answered is not None and answered >= opted_out_at:
            return None
    return "opted_out"


def paused(session: Session, message: Claimed, recipient: Recipient, now: datetime) -> str | None:
    """A counselor paused automation: outreach made before the pause does not go during it."""
    if message.outreach_id is None or recipient.paused_until is None:
        return None
    return "paused" if recipient.paused_until >= now.astimezone(ZoneInfo(recipient.time_zone)).date() else None


def unreachable(session: Session, message: Claimed, recipient: Recipient, now: datetime) -> str | None:
    """The provider said this address cannot receive messages (a landline, a blocked bot), and the
    participant has not written from it since."""
    disabled_at = session.scalar(
        select(ChannelAddress.disabled_at).where(
            ChannelAddress.channel == message.channel, ChannelAddress.address == message.address
        )
    )
    if disabled_at is None:
        return None
    if recipient.last_heard_at is not None and recipient.last_heard_at > disabled_at:
        return None
    return "unreachable"


SEND_CHECKS: tuple[SendCheck, ...] = (opted_out, paused, unreachable)


def claim(
    session: Session, message_id: int, now: datetime, checks: Sequence[SendCheck] = SEND_CHECKS
) -> Claimed | Held | None:
    """Claim a queued message for sending: None if another process got there first (or it is no
    longer queued), Held if a check stopped it (it is then FAILED), else what to send."""
    row = session.execute(
        update(Message)
        .where(Message.id == message_id, Message.status == MessageStatus.QUEUED)
        .values(status=MessageStatus.SENDING, status_at=now)
        .returning(
            Message.id,
            Message.channel,
            Message.address,
            Message.body,
            Message.participant_id,
            Message.outreach_id,
            Message.in_reply_to_id,
        )
    ).one_or_none()
    if row is None:
        return None
    message = Claimed(*row)
    if message.participant_id is None:
        return message  # an unknown sender's one polite reply: nobody's consent to check
    recipient = Recipient(
        *session.execute(
            select(
                Participant.consent_state,
                Participant.time_zone,
                Participant.outreach_paused_until,
                Participant.last_heard_at,
            )
            .where(Participant.id == message.participant_id)
            .with_for_update()
        ).one()
    )
    for check in checks:
        reason = check(session, message, recipient, now)
        if reason is not None:
            session.execute(
                update(Message)
                .where(Message.id == message.id)
                .values(status=MessageStatus.FAILED, error_code=reason, status_at=now)
            )
            return Held(reason)
    return message
