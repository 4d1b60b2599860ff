"""Urgent items outside the console: the counselor is texted at their work phone (through the outbox)
and emailed where SMTP is set; an item not handled within the set office time goes to their
supervisor the same way, once.

An urgent item is a safety handoff. "Handled" is the counselor's look at it: its urgent event seen
(`events.seen_at`) or the handoff closed. Alerts name no participant and quote nothing they wrote:
only that there is an urgent item, and the handoff's number to find it by.
"""

import logging
import smtplib
import ssl
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from casefile.base import UPSERT_INSERTS, dialect_of, table_of
from casefile.facts import EventRecord, record_fact
from casefile.handoff_alerts import HandoffAlert
from casefile.handoffs import CounselorAlerted, Handoff, HandoffReason, handoff_contact
from casefile.messages import add_outbound
from casefile.people import Counselor, Participant
from casefile.vocabulary import Channel, MessageStatus, Role
from scheduler.office_hours import OfficeHours
from scheduler.outbox import retry_delay

log = logging.getLogger(__name__)

COUNSELOR, SUPERVISOR = "counselor", "supervisor"
#: Failed emails are retried on the outbox's backoff, then given up (the text and the console remain).
MAX_EMAIL_ATTEMPTS = 6
SUBJECT = "Urgent item in Waypoint"
_TEXTS = {
    COUNSELOR: "Urgent item in Waypoint (handoff {id}): a participant on your caseload needs you. Please open Waypoint.",
    SUPERVISOR: "Urgent item in Waypoint (handoff {id}) not handled yet: a participant in your unit needs "
    "attention. Please open Waypoint.",
}


def alert_text(level: str, handoff_id: int) -> str:
    return _TEXTS[level].format(id=handoff_id)


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


@dataclass(frozen=True)
class SmtpMailer:
    """Email through an SMTP server with the standard library; STARTTLS unless told otherwise."""

    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout: float = 10.0

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


_ALERTS = table_of(HandoffAlert)
_HANDOFFS = table_of(Handoff)
_EVENTS = table_of(EventRecord)


def alert_counselors(
    sessions: sessionmaker[Session],
    office: OfficeHours,
    escalate_after: timedelta,
    mailer: Mailer | None,
    clock: Callable[[], datetime],
) -> Counter[str]:
    """One pass: alert counselors to new urgent items, escalate those left unhandled, send the
    emails due. How many alerts were made and emails sent or failed."""
    done: Counter[str] = Counter()
    now = clock()
    with sessions.begin() as session:
        for handoff in _open_urgent(session):
            participant = session.get_one(Participant, handoff.participant_id)
            counselor = session.get_one(Counselor, participant.counselor_id)
            done["alerted"] += _alert(session, handoff, COUNSELOR, counselor, mailer is not None, now)
            since = _unhandled_since(session, handoff)
            if since is None or office.after_office_time(since, escalate_after) > now:
                continue
            supervisor = _supervisor_of(session, counselor)
            if supervisor is None:
                log.warning("handoff %s is not handled and counselor %s has no supervisor", handoff.id, counselor.id)
                continue
            done["escalated"] += _alert(session, handoff, SUPERVISOR, supervisor, mailer is not None, now)
    if mailer is not None:
        done.update(send_due_emails(sessions, mailer, clock))
    return +done  # only what happened


def _open_urgent(session: Session) -> list[Handoff]:
    return list(
        session.scalars(
            select(Handoff)
            .where(Handoff.closed_at.is_(None), Handoff.reason == HandoffReason.SAFETY)
            .order_by(Handoff.id)
        )
    )


def _unhandled_since(session: Session, handoff: Handoff) -> datetime | None:
    """When the oldest urgent event of this handoff that nobody has seen was raised; None if all seen."""
    return session.execute(
        select(func.min(_EVENTS.c.occurred_at)).where(
            _EVENTS.c.participant_id == handoff.participant_id,
            _EVENTS.c.urgent.is_(True),
            _EVENTS.c.seen_at.is_(None),
            _EVENTS.c.occurred_at >= handoff.opened_at,
        )
    ).scalar_one_or_none()


def _supervisor_of(session: Session, counselor: Counselor) -> Counselor | None:
    if counselor.unit is None:
        return None
    return session.scalars(
        select(Counselor)
        .where(Counselor.role == Role.SUPERVISOR, Counselor.unit == counselor.unit, Counselor.id != counselor.id)
        .order_by(Counselor.id)
        .limit(1)
    ).one_or_none()


def _alert(session: Session, handoff: Handoff, level: str, counselor: Counselor, email: bool, now: datetime) -> int:
    """Make this level's alerts for the handoff, once (a unique key per handoff, level and channel):
    a text through the outbox, an email for the mail pass. The number of alerts made."""
    made = 0
    contact_id = handoff_contact(session, handoff.contact_id, handoff.participant_id)
    channels = [("sms", counselor.work_phone)] + ([("email", counselor.email)] if email else [])
    for channel, address in channels:
        if not address:
            continue
        alert_id = _claim(session, handoff.id, level, channel, counselor.id, now)
        if alert_id is None:
            continue
        if channel == "sms":
            [message_id] = add_outbound(
                session,
                [
                    {
                        # Not the participant's message: no participant on it, so that their opt-out,
                        # quiet hours and contacts do not hold back what their counselor must know.
                        "participant_id": None,
                        "contact_id": None,
                        "channel": Channel.SMS,
                        "address": address,
                        "body": alert_text(level, handoff.id),
                        "status": MessageStatus.QUEUED,
                        "created_at": now,
                        "status_at": now,
                    }
                ],
            )
            session.execute(update(_ALERTS).where(_ALERTS.c.id == alert_id).values(message_id=message_id))
        fact = CounselorAlerted(handoff.id, level, channel, counselor.id, "queued")
        record_fact(session, fact, handoff.participant_id, contact_id, None, now)
        made += 1
    return made


def _claim(session: Session, handoff_id: int, level: str, channel: str, counselor_id: int, now: datetime) -> int | None:
    """Insert the alert row unless it exists; its id when this pass made it."""
    statement = (
        UPSERT_INSERTS[dialect_of(session)](_ALERTS)
        .values(
            handoff_id=handoff_id,
            level=level,
            channel=channel,
            counselor_id=counselor_id,
            created_at=now,
            sent_at=None,
            attempts=0,
            retry_at=None,
            error=None,
            message_id=None,
        )
        .on_conflict_do_nothing(index_elements=["handoff_id", "level", "channel"])
        .returning(_ALERTS.c.id)
    )
    return session.execute(statement).scalar_one_or_none()


def send_due_emails(sessions: sessionmaker[Session], mailer: Mailer, clock: Callable[[], datetime]) -> Counter[str]:
    """Send the email alerts not sent yet, each once: claimed by a count of attempts before the
    server is called, so a pass that dies mid-send does not send it again at once."""
    done: Counter[str] = Counter()
    now = clock()
    with sessions.begin() as session:
        due = session.execute(
            select(_ALERTS.c.id, _ALERTS.c.handoff_id, _ALERTS.c.level, _ALERTS.c.attempts, Counselor.email)
            .join(Counselor, Counselor.id == _ALERTS.c.counselor_id)
            .where(
                _ALERTS.c.channel == "email",
                _ALERTS.c.sent_at.is_(None),
                _ALERTS.c.attempts < MAX_EMAIL_ATTEMPTS,
                (_ALERTS.c.retry_at.is_(None)) | (_ALERTS.c.retry_at <= now),
            )
            .order_by(_ALERTS.c.id)
        ).all()
    for alert_id, handoff_id, level, attempts, address in due:
        with sessions.begin() as session:
            claimed = session.execute(
                update(_ALERTS)
                .where(_ALERTS.c.id == alert_id, _ALERTS.c.attempts == attempts, _ALERTS.c.sent_at.is_(None))
                .values(attempts=attempts + 1, retry_at=now + retry_delay(attempts + 1))
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                continue  # another pass got there first
        try:
            mailer.send(address, SUBJECT, alert_text(level, handoff_id))
        except (OSError, smtplib.SMTPException) as error:
            log.warning("email alert %s failed: %s", alert_id, type(error).__name__)
            with sessions.begin() as session:
                session.execute(update(_ALERTS).where(_ALERTS.c.id == alert_id).values(error=type(error).__name__))
                if attempts + 1 >= MAX_EMAIL_ATTEMPTS:
                    _record_email(session, alert_id, "failed", clock())
            done["email_failed"] += 1
            continue
        with sessions.begin() as session:
            session.execute(update(_ALERTS).where(_ALERTS.c.id == alert_id).values(sent_at=clock(), error=None))
            _record_email(session, alert_id, "sent", clock())
        done["email_sent"] += 1
    return done


def _record_email(session: Session, alert_id: int, outcome: str, at: datetime) -> None:
    alert = session.get_one(HandoffAlert, alert_id)
    handoff = session.get_one(Handoff, alert.handoff_id)
    fact = CounselorAlerted(handoff.id, alert.level, "email", alert.counselor_id, outcome)
    record_fact(
        session,
        fact,
        handoff.participant_id,
        handoff_contact(session, handoff.contact_id, handoff.participant_id),
        None,
        at,
    )
