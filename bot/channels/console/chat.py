"""Chat as a participant from a terminal; with piped input, one message a line, replies on stdout."""

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from bot.inbox import Inbound, Inbox, ProcessingFailed
from casefile.vocabulary import Channel, MessageStatus

PROMPT = "you> "


def chat(
    inbox: Inbox,
    phone: str,
    lines: TextIO,
    out: TextIO,
    clock: Callable[[], datetime],
    interactive: bool,
) -> int:
    """Send each line as a message from `phone`; print every reply. Returns how many were sent."""
    sent = 0
    while True:
        if interactive:
            out.write(PROMPT)
            out.flush()
        line = lines.readline()
        if not line:
            return sent
        replies = send_line(inbox, phone, line.rstrip("\r\n"), clock)
        sent += 1
        for reply in replies:
            out.write(reply + "\n")
        if interactive:
            out.write("\n")
        out.flush()


def send_line(inbox: Inbox, phone: str, text: str, clock: Callable[[], datetime]) -> tuple[str, ...]:
    """One message typed as `phone`; the replies, in order (an apology if it could not be processed)."""
    inbound = Inbound(Channel.CONSOLE, phone, text, f"console-{uuid.uuid4().hex}", clock())
    try:
        replies = inbox.receive(inbound, MessageStatus.DELIVERED).replies
    except ProcessingFailed as failure:
        apology = inbox.apologise(failure.message_id, MessageStatus.DELIVERED)
        replies = (apology,) if apology else ()
    return tuple(reply.body for reply in replies)
