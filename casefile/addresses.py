"""Where else a participant can be reached besides their phone number (a Telegram chat), and the
one-time codes a counselor gives them to link such an address to their case.

A code is shown once and stored only as its SHA-256: the table cannot be used to link a chat.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol

from sqlalchemy import ForeignKey, String, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from casefile.base import Base, string_enum
from casefile.identifiers import mask_ssns
from casefile.people import Participant
from casefile.vocabulary import Channel


class ChannelAddress(Base):
    __tablename__ = "channel_addresses"
    # One chat belongs to one participant; a participant may link a new chat (a new phone).
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    channel: Mapped[Channel] = mapped_column(string_enum(Channel, 16))
    address: Mapped[str] = mapped_column(String(64))
    linked_at: Mapped[datetime]
    #: Set when the provider says the address can no longer be reached (the bot was blocked).
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(100))


class LinkCode(Base):
    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    channel: Mapped[Channel] = mapped_column(string_enum(Channel, 16))
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


#: How long a link code can be used (the issue's rule: a week).
LINK_CODE_LIFETIME = timedelta(days=7)


class Linking(Enum):
    LINKED = "linked"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def create_link_code(session: Session, participant_id: int, channel: Channel, at: datetime) -> str:
    """A new one-time code for the participant; only its digest is stored."""
    code = secrets.token_urlsafe(12)
    # The inbox masks an SSN-like run in what is texted in, "/start <code>" included (its
    # separators take in "-" and "_", which codes hold): a code holding one could never be redeemed.
    while mask_ssns(code)[1]:
        code = secrets.token_urlsafe(12)
    session.add(
        LinkCode(
            participant_id=participant_id,
            channel=channel,
            code_sha256=_digest(code),
            created_at=at,
            expires_at=at + LINK_CODE_LIFETIME,
            used_at=None,
        )
    )
    session.flush()
    return code


def redeem_link_code(
    session: Session, code: str, channel: Channel, address: str, at: datetime
) -> tuple[Linking, int | None]:
    """Link `address` to the participant the code was made for, once; with the participant's id."""
    link = session.scalars(
        select(LinkCode).where(LinkCode.code_sha256 == _digest(code), LinkCode.channel == channel).with_for_update()
    ).one_or_none()
    if link is None:
        return Linking.UNKNOWN, None
    if link.used_at is not None:
        return Linking.USED, None
    if at > link.expires_at:
        return Linking.EXPIRED, None
    link.used_at = at
    existing = session.scalars(
        select(ChannelAddress).where(ChannelAddress.channel == channel, ChannelAddress.address == address)
    ).one_or_none()
    if existing is None:
        session.add(ChannelAddress(participant_id=link.participant_id, channel=channel, address=address, linked_at=at))
    else:
        existing.participant_id, existing.linked_at, existing.disabled_at = link.participant_id, at, None
    # Someone who links a chat chose it: outreach goes there from now on (a counselor can change it back).
    participant = session.get_one(Participant, link.participant_id)
    participant.preferred_channel = channel
    session.flush()
    return Linking.LINKED, link.participant_id


def participant_at(session: Session, channel: Channel, address: str) -> int | None:
    """The participant a linked address belongs to. Writing again re-opens a disabled address:
    whoever blocked the bot has unblocked it."""
    row = session.execute(
        select(ChannelAddress.participant_id, ChannelAddress.disabled_at).where(
            ChannelAddress.channel == channel, ChannelAddress.address == address
        )
    ).one_or_none()
    if row is None:
        return None
    if row.disabled_at is not None:
        session.execute(
            update(ChannelAddress)
            .where(ChannelAddress.channel == channel, ChannelAddress.address == address)
            .values(disabled_at=None, disabled_reason=None)
        )
    return int(row.participant_id)


def mark_unreachable(
    session: Session, participant_id: int, channel: Channel, address: str, reason: str, at: datetime
) -> None:
    """The provider says the address cannot receive messages (a landline, a blocked bot). A phone
    number gets a row here too, so that SMS to it rests like a blocked chat until they write from it."""
    existing = session.scalars(
        select(ChannelAddress).where(ChannelAddress.channel == channel, ChannelAddress.address == address)
    ).one_or_none()
    if existing is None:
        session.add(
            ChannelAddress(
                participant_id=participant_id,
                channel=channel,
                address=address,
                linked_at=at,
                disabled_at=at,
                disabled_reason=reason[:100],
            )
        )
    else:
        existing.disabled_at, existing.disabled_reason = at, reason[:100]
    session.flush()


class Reachable(Protocol):
    """Who outreach goes to: a participant (casefile.people.Participant fits), or the few columns
    of one that the dispatcher reads."""

    @property
    def id(self) -> int: ...

    @property
    def phone(self) -> str: ...

    @property
    def preferred_channel(self) -> Channel: ...


def outreach_address(session: Session, participant: Reachable) -> tuple[Channel, str]:
    """Where outreach goes: the preferred channel while it works, else the participant's phone."""
    if participant.preferred_channel is not Channel.SMS:
        address = session.scalars(
            select(ChannelAddress.address)
            .where(
                ChannelAddress.participant_id == participant.id,
                ChannelAddress.channel == participant.preferred_channel,
                ChannelAddress.disabled_at.is_(None),
            )
            .order_by(ChannelAddress.linked_at.desc())
        ).first()
        if address is not None:
            return participant.preferred_channel, address
    return Channel.SMS, participant.phone
