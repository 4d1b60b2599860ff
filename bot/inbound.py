"""What a channel hands the inbox (bot.inbox), and what it gets back."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.processing import Media, OutgoingText
from casefile.vocabulary import Channel


@dataclass(frozen=True)
class Inbound:
    """One message as a channel adapter hands it over, already authenticated."""

    channel: Channel
    address: str
    text: str
    provider_id: str
    received_at: datetime
    media: tuple[Media, ...] = ()


@dataclass(frozen=True)
class Arrival:
    """A message for `Inbox.receive_together`; `inline` as for `Inbox.receive`."""

    inbound: Inbound
    inline: Callable[[], bool] | None = None


@dataclass(frozen=True)
class Receipt:
    message_id: int
    #: True when this delivery was a repeat of one already handled: nothing was changed.
    duplicate: bool
    replies: tuple[OutgoingText, ...] = ()


class ProcessingFailed(RuntimeError):
    """The message could not be processed now. With an id it is stored, RECEIVED, for a retry;
    without one even storing it failed (the database is unreachable) and the provider must retry."""

    def __init__(self, message_id: int | None) -> None:
        super().__init__(f"message {message_id} not processed")
        self.message_id = message_id


class DatabaseBusy(ProcessingFailed):
    """The database said to wait (a lock) on every attempt: nothing was stored."""

    def __init__(self) -> None:
        super().__init__(None)
