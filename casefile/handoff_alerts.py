"""Alerts: an urgent item told to a counselor outside the console, by text and by email.

One row per handoff, level (the counselor, or their supervisor when it was not handled in time)
and channel (sms, email), under a unique key: an alert is made once, whoever notices first. A
text goes through the outbox (`message_id`), recorded before it is sent; an email is sent by the
alerts job and retried until `sent_at` is set or its attempts run out.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casefile.base import Base


class HandoffAlert(Base):
    __tablename__ = "handoff_alerts"
    __table_args__ = (UniqueConstraint("handoff_id", "level", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id"))
    #: "counselor", or "supervisor" for an escalation.
    level: Mapped[str] = mapped_column(String(16))
    #: "sms" or "email".
    channel: Mapped[str] = mapped_column(String(8))
    counselor_id: Mapped[int] = mapped_column(ForeignKey("counselors.id"))
    created_at: Mapped[datetime]
    #: When the email went (texts: the outbox message says).
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(server_default="0")
    retry_at: Mapped[datetime | None]
    #: The last error, in a few words (an SMTP code), never the item's content.
    error: Mapped[str | None] = mapped_column(String(200))
    #: The outbox message of a text alert.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
