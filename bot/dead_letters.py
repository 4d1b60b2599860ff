"""Keeping what a provider delivered that cannot be a message (casefile.dead_letters), and
listing it for staff (`waypoint dead-letters`)."""

from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.inbox import ProcessingFailed
from casefile.dead_letters import DeadLetter, store_dead_letter
from casefile.vocabulary import Channel


def keep_dead_letter(
    sessions: sessionmaker[Session],
    channel: Channel,
    provider_id: str | None,
    address: str | None,
    reason: str,
    payload: str,
    at: datetime,
) -> None:
    """Store it in a transaction of its own. ProcessingFailed if even that fails: the provider must
    then be answered with an error, so that it delivers it again."""
    try:
        with sessions.begin() as session:
            store_dead_letter(session, channel, provider_id, address, reason, payload, at)
    except SQLAlchemyError as error:
        raise ProcessingFailed(None) from error


def describe(letter: DeadLetter) -> str:
    """One line for staff: when, where from, the provider's id and why; not the payload."""
    return (
        f"{letter.id:5}  {letter.received_at:%Y-%m-%d %H:%M} UTC  {letter.channel.value:8}  "
        f"{letter.address or '-':16}  {letter.provider_id or '-':34}  {letter.reason}"
    )
