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
        inbound = Inbound(Channel.CONSOLE, phone, line.rstrip("\r\n"), f"console-{uuid.uuid4().hex}", clock())
        try:
            replies = inbox.receive(inbound, MessageStatus.DELIVERED).replies
        except ProcessingFailed as failure:
            apology = inbox.apologise(failure.message_id, MessageStatus.DELIVERED)
            replies = (apology,) if apology else ()
        sent += 1
        for reply in replies:
            out.write(reply.body + "\n")
        if interactive:
            out.write("\n")
        out.flush()
