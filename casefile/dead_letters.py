"""Dead letters: what a provider delivered, authenticated, that is not a message we can take.

A Telegram update with no chat, a date that is a string or a text that is a number; an SMS body
longer than Twilio ever sends. Answering such a delivery with an error makes the provider resend it
for hours; answering 200 and dropping it loses it. So it is kept here, as received (SSN-like
numbers masked), with the reason, for staff to read (`waypoint dead-letters`, the console).
"""

import re
from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from casefile.base import UPSERT_INSERTS, Base, dialect_of, string_enum, table_of
from casefile.identifiers import mask_ssns
from casefile.vocabulary import Channel

#: What is kept of a payload: the request limits (bot.body_limit) bound it already; this bounds
#: what a listing prints.
MAX_PAYLOAD = 256 * 1024
#: A JSON "\uXXXX" escape, or a pair of them for a character past the BMP, behind an even run of
#: backslashes (so not an escaped backslash and a "u"). JSON senders escape every character past
#: ASCII (Python's json.dumps does by default), so an SSN written "612–34–5678" arrives as
#: "612\u201334\u20135678", which no pattern over the text sees; a hostile sender can escape the
#: digits themselves.
_JSON_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u([0-9a-fA-F]{4})(?:\\u([dD][c-fC-F][0-9a-fA-F]{2}))?")


class DeadLetter(Base):
    __tablename__ = "dead_letters"
    # A provider's redelivery of the same thing is one dead letter.
    __table_args__ = (UniqueConstraint("channel", "provider_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(string_enum(Channel, 16))
    #: The provider's id for it (update_id, MessageSid), when it had a usable one.
    provider_id: Mapped[str | None] = mapped_column(String(64))
    #: Who sent it (a phone number, a chat id), when that much could be read.
    address: Mapped[str | None] = mapped_column(String(64))
    #: Why it could not be taken, for staff: "message.chat is missing", "Body longer than 1600 characters".
    reason: Mapped[str] = mapped_column(String(200))
    #: The delivery as received (the JSON update, the form's Body), SSN-like numbers masked.
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]


_DEAD_LETTERS = table_of(DeadLetter)
_STORE = {
    name: upsert(_DEAD_LETTERS).on_conflict_do_nothing(index_elements=["channel", "provider_id"])
    for name, upsert in UPSERT_INSERTS.items()
}


def store_dead_letter(
    session: Session,
    channel: Channel,
    provider_id: str | None,
    address: str | None,
    reason: str,
    payload: str,
    at: datetime,
) -> None:
    """Keep a delivery that cannot be a message (once per provider id)."""
    # PostgreSQL text cannot hold NUL; the rest is kept as sent, SSN-like numbers masked.
    kept = masked_payload(channel, payload[:MAX_PAYLOAD].replace("\x00", "\ufffd"))
    session.execute(
        _STORE[dialect_of(session)],
        {
            "channel": channel,
            "provider_id": provider_id[:64] if provider_id else None,
            "address": address[:64] if address else None,
            "reason": reason[:200],
            "payload": kept,
            "received_at": at,
        },
    )


def masked_payload(channel: Channel | str, payload: str) -> str:
    """A payload with its SSN-like numbers masked, a Telegram update's JSON escapes written out
    first (migration 0016 re-masks stored ones with it)."""
    if channel == Channel.TELEGRAM:
        payload = _JSON_ESCAPE.sub(_unescaped, payload)
    return mask_ssns(payload)[0]


def _unescaped(escape: re.Match[str]) -> str:
    """The character a JSON escape stands for, where JSON may hold it as it is (the payload stays the
    same JSON); a control character, a quote, a backslash or half a surrogate pair stays escaped."""
    backslashes, code, low = escape.group(1), int(escape.group(2), 16), escape.group(3)
    if 0xD800 <= code <= 0xDBFF and low is not None:
        return backslashes + chr(0x10000 + ((code - 0xD800) << 10) + (int(low, 16) - 0xDC00))
    if code < 0x20 or chr(code) in '"\\' or 0xD800 <= code <= 0xDFFF:
        return escape.group(0)
    return backslashes + chr(code)


def dead_letters(session: Session, limit: int = 50) -> list[DeadLetter]:
    """The most recent first."""
    return list(session.scalars(select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)))
