"""Claiming queued messages for sending, with the checks that must hold at that moment.

The claim (QUEUED → SENDING) and the checks run in one transaction, right before the provider is
called, after any wait for a rate slot: a STOP processed while a sender waited is seen here (issue
16, item 1). A batch of messages is claimed in one short transaction (`claim_all`): one statement
claims them and reads what they need of other tables, one more reads their recipients. The
participants' rows are read FOR UPDATE, so on PostgreSQL a STOP being processed (the inbox holds
that row) is waited for rather than read as it was; SQLite's single writer does the same.

A held message is FAILED with the check's name as its code: it is not owed any more, and never
resent. A check is a pure function of the claimed message and its recipient as read; add one to
`SEND_CHECKS` to hold more messages back (and what it needs to `Claimed` or `Recipient`).
"""

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, literal_column, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause, ColumnElement

from casefile.addresses import ChannelAddress
from casefile.base import table_of
from casefile.consent import ConsentEvent
from casefile.messages import Message
from casefile.outreach import Outreach
from casefile.people import Participant
from casefile.vocabulary import Channel, ConsentAction, ConsentState, MessageStatus


class Claimed(NamedTuple):
    """A message this process now sends, and what the checks read of it."""

    id: int
    channel: Channel
    address: str
    body: str
    participant_id: int | None
    outreach_id: int | None
    in_reply_to_id: int | None
    contact_id: int | None
    #: When the provider said this address cannot receive messages; None while it can.
    address_disabled_at: datetime | None = None
    #: An outreach text's rule and template, for the attempt the case notes record once it is sent.
    rule: str | None = None
    template: str | None = None
    #: When the message this one answers arrived (read only when its recipient has opted out).
    #: Last: the claim's RETURNING gives the others in this order, and a Claimed is made of its row.
    answers_from: datetime | None = None


class Recipient(NamedTuple):
    consent: ConsentState
    time_zone: str
    paused_until: date | None
    last_heard_at: datetime | None
    #: When they last opted out (read only when they are opted out).
    opted_out_at: datetime | None = None


class Held(NamedTuple):
    """The claimed message was not sent, and why (the message's error code)."""

    reason: str


#: A reason to hold the message back, or None to let it go.
SendCheck = Callable[[Claimed, Recipient, datetime], str | None]


def opted_out(message: Claimed, recipient: Recipient, now: datetime) -> str | None:
    """After STOP only the answers to what they wrote since go (the STOP confirmation itself):
    the engine made those knowing they had opted out. Outreach and older replies are held."""
    if recipient.consent is not ConsentState.OPTED_OUT:
        return None
    opted_out_at, answered = recipient.opted_out_at, message.answers_from
    if opted_out_at is not None and answered is not None and answered >= opted_out_at:
        return None
    return "opted_out"


def paused(message: Claimed, recipient: Recipient, now: datetime) -> str | None:
    """A counselor paused automation: outreach made before the pause does not go during it."""
    if message.outreach_id is None or recipient.paused_until is None:
        return None
    return "paused" if recipient.paused_until >= now.astimezone(ZoneInfo(recipient.time_zone)).date() else None


def unreachable(message: Claimed, recipient: Recipient, now: datetime) -> str | None:
    """The provider said this address cannot receive messages (a landline, a blocked bot), and the
    participant has not written from it since."""
    disabled_at = message.address_disabled_at
    if disabled_at is None:
        return None
    if recipient.last_heard_at is not None and recipient.last_heard_at > disabled_at:
        return None
    return "unreachable"


SEND_CHECKS: tuple[SendCheck, ...] = (opted_out, paused, unreachable)


_MESSAGES = table_of(Message)
_FREE = _MESSAGES.alias("free")
_ADDRESSES = table_of(ChannelAddress)
_OUTREACH = table_of(Outreach)


# The claimed message's own columns, named with their table in the subqueries below. SQLAlchemy
# writes a RETURNING clause's columns unqualified on SQLite, and there `channel = channel` inside
# the subquery on channel_addresses compared that table's row with itself: every text read the
# first address's disabled time (another participant's blocked chat held everyone's texts).
def _sent(column: ColumnElement[Any]) -> ColumnClause[Any]:
    return literal_column(f"{_MESSAGES.name}.{column.name}", column.type)


_SENT_CHANNEL, _SENT_ADDRESS, _SENT_OUTREACH = (
    _sent(_MESSAGES.c.channel),
    _sent(_MESSAGES.c.address),
    _sent(_MESSAGES.c.outreach_id),
)
#: The claim in one statement: the queued messages among those asked for (skipping those another
#: process holds, on PostgreSQL; in id order, so two claimers never deadlock) become SENDING, and
#: with what is sent come what the checks and the sent text's record need of other tables.
_CLAIM = (
    update(_MESSAGES)
    .where(
        _MESSAGES.c.id.in_(
            select(_FREE.c.id)
            .where(_FREE.c.id.in_(bindparam("ids", expanding=True)), _FREE.c.status == MessageStatus.QUEUED)
            .order_by(_FREE.c.id)
            .with_for_update(skip_locked=True)
        ),
        _MESSAGES.c.status == MessageStatus.QUEUED,
    )
    .values(status=MessageStatus.SENDING, status_at=bindparam("now"))
    .returning(
        _MESSAGES.c.id,
        _MESSAGES.c.channel,
        _MESSAGES.c.address,
        _MESSAGES.c.body,
        _MESSAGES.c.participant_id,
        _MESSAGES.c.outreach_id,
        _MESSAGES.c.in_reply_to_id,
        _MESSAGES.c.contact_id,
        select(_ADDRESSES.c.disabled_at)
        .where(_ADDRESSES.c.channel == _SENT_CHANNEL, _ADDRESSES.c.address == _SENT_ADDRESS)
        .scalar_subquery()
        .label("address_disabled_at"),
        select(_OUTREACH.c.rule).where(_OUTREACH.c.id == _SENT_OUTREACH).scalar_subquery().label("rule"),
        select(_OUTREACH.c.template).where(_OUTREACH.c.id == _SENT_OUTREACH).scalar_subquery().label("template"),
    )
)


def claim(
    session: Session, message_id: int, now: datetime, checks: Sequence[SendCheck] = SEND_CHECKS
) -> Claimed | Held | None:
    """Claim a queued message for sending: None if another process got there first (or it is no
    longer queued), Held if a check stopped it (it is then FAILED), else what to send."""
    return claim_all(session, [message_id], now, checks).get(message_id)


def claim_all(
    session: Session, message_ids: Sequence[int], now: datetime, checks: Sequence[SendCheck] = SEND_CHECKS
) -> dict[int, Claimed | Held]:
    """Claim the queued messages among these, by id: what to send, or Held (then FAILED). A
    message another process got first (skipped while it holds it, on PostgreSQL) or no longer
    queued is not in the answer."""
    claimed = [Claimed(*row) for row in session.execute(_CLAIM, {"ids": list(message_ids), "now": now})]
    if not claimed:
        return {}
    recipients = _recipients(session, {m.participant_id for m in claimed if m.participant_id is not None})
    claimed = _with_what_checks_read(session, claimed, recipients)
    outcome: dict[int, Claimed | Held] = {}
    for message in claimed:
        if message.participant_id is None:
            outcome[message.id] = message  # an unknown sender's one polite reply: nobody's consent to check
            continue
        recipient = recipients[message.participant_id]
        reason = next((r for check in checks if (r := check(message, recipient, now)) is not None), None)
        outcome[message.id] = message if reason is None else Held(reason)
    held = [
        {"id": id_, "status": MessageStatus.FAILED, "error_code": claim.reason, "status_at": now}
        for id_, claim in outcome.items()
        if isinstance(claim, Held)
    ]
    if held:
        session.execute(update(Message), held)
    return outcome


_PARTICIPANTS = table_of(Participant)
_RECIPIENTS = (
    select(
        _PARTICIPANTS.c.id,
        _PARTICIPANTS.c.consent_state,
        _PARTICIPANTS.c.time_zone,
        _PARTICIPANTS.c.outreach_paused_until,
        _PARTICIPANTS.c.last_heard_at,
    )
    .where(_PARTICIPANTS.c.id.in_(bindparam("participants", expanding=True)))
    .order_by(_PARTICIPANTS.c.id)
    .with_for_update()
)


def _recipients(session: Session, participant_ids: set[int]) -> dict[int, Recipient]:
    """The recipients of a batch, their rows locked (ordered, so two claimers never deadlock)."""
    if not participant_ids:
        return {}
    rows = session.execute(_RECIPIENTS, {"participants": sorted(participant_ids)}).all()
    recipients = {row[0]: Recipient(*row[1:]) for row in rows}
    opted_out_ids = [pid for pid, r in recipients.items() if r.consent is ConsentState.OPTED_OUT]
    if opted_out_ids:
        for pid, at in session.execute(
            select(ConsentEvent.participant_id, func.max(ConsentEvent.occurred_at))
            .where(ConsentEvent.participant_id.in_(opted_out_ids), ConsentEvent.action == ConsentAction.OPT_OUT)
            .group_by(ConsentEvent.participant_id)
        ):
            recipients[pid] = recipients[pid]._replace(opted_out_at=at)
    return recipients


def _with_what_checks_read(session: Session, claimed: list[Claimed], recipients: dict[int, Recipient]) -> list[Claimed]:
    """The claimed messages with when the message each answers arrived, for those opted out (one
    query for the batch, and only when one of them has opted out)."""
    answering = [
        m.in_reply_to_id
        for m in claimed
        if m.in_reply_to_id is not None
        and m.participant_id is not None
        and recipients[m.participant_id].consent is ConsentState.OPTED_OUT
    ]
    if not answering:
        return claimed
    query = select(_MESSAGES.c.id, _MESSAGES.c.created_at).where(_MESSAGES.c.id.in_(answering))
    answered: dict[int, datetime] = {message_id: at for message_id, at in session.execute(query)}
    return [
        m._replace(answers_from=answered.get(m.in_reply_to_id)) if m.in_reply_to_id is not None else m for m in claimed
    ]
