"""Urgent items reach the counselor outside the console: a text to their work phone through the
outbox (the real twilio client, a fake Twilio on 127.0.0.1) and an email through a real SMTP server
on 127.0.0.1 (aiosmtpd); unhandled after one office hour, their supervisor the same way, once."""

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from bot.app import Service, build_service
from bot.demo import seed_demo
from bot.settings import Settings, SettingsError
from casefile.case_notes import CaseNote
from casefile.facts import EventRecord
from casefile.handoffs import close_handoff
from casefile.people import Counselor, find_counselor_by_email
from casefile.vocabulary import MessageStatus, Role
from notes.draft import draft_closed_contacts
from scheduler.office_hours import OfficeHours, parse_office_hours
from scheduler.timing import Calendar
from tests.fake_twilio import FakeTwilio, run_fake_twilio
from tests.support import ENGLISH_PHONE, FixedClock
from tests.test_dispatch import inbound, participant_id, with_twilio

DANA_WORK, ANA_WORK = "+15105550198", "+15105550197"


@dataclass
class Mailbox:
    """An SMTP server's handler that keeps what it was sent."""

    messages: list[tuple[list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    yield from run_fake_twilio()


@pytest.fixture
def county(
    settings: Settings, clock: FixedClock, twilio: FakeTwilio, mailbox: tuple[Mailbox, int]
) -> Iterator[Service]:
    """Dana (work phone, unit North) and her supervisor Ana, with Twilio and SMTP set."""
    mail = replace(
        with_twilio(settings, twilio),
        smtp_host="127.0.0.1",
        smtp_port=mailbox[1],
        smtp_from="waypoint@county.example",
        smtp_starttls=False,
    )
    built = build_service(mail, clock)
    with built.sessions.begin() as session:
        seed_demo(session, settings.timezone, clock())
        dana = find_counselor_by_email(session, "dana.lee@example.org")
        assert dana is not None
        dana.work_phone, dana.unit = DANA_WORK, "North"
        session.add(
            Counselor(
                first_name="Ana",
                last_name="Ruiz",
                email="ana.ruiz@example.org",
                phone=None,
                created_at=clock(),
                role=Role.SUPERVISOR,
                unit="North",
                work_phone=ANA_WORK,
            )
        )
    yield built
    built.close()


def disclose(service: Service, clock: FixedClock) -> int:
    service.inbox.receive(inbound(ENGLISH_PHONE, "YES", "u1", clock()), MessageStatus.SENT)
    service.inbox.receive(inbound(ENGLISH_PHONE, "I want to kill myself", "u2", clock()), MessageStatus.SENT)
    return participant_id(service, ENGLISH_PHONE)


def texts(twilio: FakeTwilio) -> list[tuple[str, str]]:
    return [(form["To"], form["Body"]) for _, _, form in twilio.requests]


def test_the_counselor_is_texted_and_emailed_once_without_the_participants_words_or_name(
    county: Service, clock: FixedClock, twilio: FakeTwilio, mailbox: tuple[Mailbox, int]
) -> None:
    disclose(county, clock)
    assert county.alert() == {"alerted": 2, "email_sent": 1}
    county.dispatch()
    [(to, body)] = texts(twilio)
    assert to == DANA_WORK
    assert (
        body == "Urgent item in Waypoint (handoff 1): a participant on your caseload needs you. Please open Waypoint."
    )
    [(recipients, raw)] = mailbox[0].messages
    email = message_from_bytes(raw)
    assert recipients == ["dana.lee@example.org"] and email["Subject"] == "Urgent item in Waypoint"
    for sent in (body, raw.decode()):
        assert "Jordan" not in sent and "kill" not in sent and ENGLISH_PHONE not in sent
    assert county.alert() == {}, "once"
    county.dispatch()
    assert len(texts(twilio)) == 1


def test_not_handled_within_an_office_hour_the_supervisor_is_told_once(
    county: Service, clock: FixedClock, twilio: FakeTwilio, mailbox: tuple[Mailbox, int]
) -> None:
    disclose(county, clock)  # Monday 9:00 in Oakland
    county.alert()
    clock.advance(minutes=59)
    assert county.alert() == {}
    clock.advance(minutes=2)
    assert county.alert() == {"escalated": 2, "email_sent": 1}
    assert county.alert() == {}
    county.dispatch()
    sent = dict(texts(twilio))  # sent by parallel workers: in any order
    assert sorted(sent) == [ANA_WORK, DANA_WORK]
    assert "not handled yet" in sent[ANA_WORK] and "not handled yet" not in sent[DANA_WORK]
    assert [recipients for recipients, _ in mailbox[0].messages] == [["dana.lee@example.org"], ["ana.ruiz@example.org"]]


def test_seen_or_closed_in_time_nothing_is_escalated(county: Service, clock: FixedClock, twilio: FakeTwilio) -> None:
    participant = disclose(county, clock)
    county.alert()
    with county.sessions.begin() as session:
        session.execute(update(EventRecord).where(EventRecord.urgent.is_(True)).values(seen_at=clock()))
    clock.advance(hours=3)
    assert county.alert() == {}
    with county.sessions.begin() as session:
        session.execute(update(EventRecord).where(EventRecord.urgent.is_(True)).values(seen_at=None))
        dana = find_counselor_by_email(session, "dana.lee@example.org")
        assert dana is not None and close_handoff(session, participant, dana.id, clock())
    assert county.alert() == {}


def test_an_smtp_server_that_is_down_is_retried_later_and_the_text_still_goes(
    county: Service, clock: FixedClock, twilio: FakeTwilio
) -> None:
    disclose(county, clock)
    down = replace(county, mailer=replace(county.mailer, port=free_port()))  # type: ignore[type-var]
    assert down.alert() == {"alerted": 2, "email_failed": 1}
    assert down.alert() == {}, "not again before its backoff"
    down.dispatch()
    assert [to for to, _ in texts(twilio)] == [DANA_WORK]
    clock.advance(minutes=2)
    assert county.alert() == {"email_sent": 1}


def test_every_alert_and_the_closing_land_in_the_contacts_case_note(
    county: Service, clock: FixedClock, twilio: FakeTwilio
) -> None:
    participant = disclose(county, clock)
    county.alert()
    clock.advance(minutes=61)
    county.alert()
    with county.sessions.begin() as session:
        dana = find_counselor_by_email(session, "dana.lee@example.org")
        assert dana is not None and close_handoff(session, participant, dana.id, clock())
    county.dispatch()
    clock.advance(hours=3)
    draft_closed_contacts(county.sessions, county.notes, county.calendar, clock())
    with county.sessions.begin() as session:
        notes = {
            note.subject: note
            for note in session.scalars(select(CaseNote).where(CaseNote.participant_id == participant))
        }
    assert {"safety", "handoff"} <= set(notes)
    body = notes["handoff"].draft_body
    assert "The counselor was alerted by text message to the work phone (queued)." in body
    assert "The counselor was alerted by email (sent)." in body
    assert "The supervisor was alerted, as the item was not handled in time, by text message" in body
    assert "closed the handoff" in body
    assert "kill" not in body
    assert notes["handoff"].problems == []


def test_office_time_skips_evenings_weekends_and_holidays() -> None:
    zone = ZoneInfo("America/Los_Angeles")
    office = OfficeHours(parse_office_hours("Mon-Fri 08:00-17:00"), zone, Calendar())
    friday = datetime(2026, 3, 6, 16, 30, tzinfo=zone)
    assert office.after_office_time(friday, timedelta(hours=1)) == datetime(2026, 3, 9, 8, 30, tzinfo=zone)
    # Memorial Day 2026 is Monday 25 May: Friday 22 May at 16:30 + 1 hour is Tuesday 8:30.
    before_holiday = datetime(2026, 5, 22, 16, 30, tzinfo=zone)
    assert office.after_office_time(before_holiday, timedelta(hours=1)) == datetime(2026, 5, 26, 8, 30, tzinfo=zone)
    assert office.next_opening(datetime(2026, 3, 9, 9, 0, tzinfo=zone)) is None
    assert office.next_opening(datetime(2026, 3, 9, 7, 0, tzinfo=UTC)) == datetime(2026, 3, 9, 8, 0, tzinfo=zone)


@pytest.mark.parametrize("bad", ["weekdays 9-5", "Mon-Fri 17:00-08:00", "Mon-Fry 08:00-17:00", "Mon 25:00-26:00"])
def test_office_hours_that_cannot_be_read_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_office_hours(bad)


def test_office_hours_and_smtp_settings_are_read_or_refused_with_their_name() -> None:
    read = Settings.from_env(
        {
            "WAYPOINT_OFFICE_HOURS": "Tue-Sat 09:30-18:00",
            "WAYPOINT_SMTP_HOST": "smtp.county.example",
            "WAYPOINT_SMTP_STARTTLS": "off",
            "WAYPOINT_SMTP_PASSWORD": "s3cret",
        }
    )
    assert (read.office_hours, read.smtp_host, read.smtp_starttls) == (
        "Tue-Sat 09:30-18:00",
        "smtp.county.example",
        False,
    )
    assert "s3cret" not in repr(read)
    with pytest.raises(SettingsError, match="WAYPOINT_OFFICE_HOURS"):
        Settings.from_env({"WAYPOINT_OFFICE_HOURS": "9 to 5"})
    with pytest.raises(SettingsError, match="WAYPOINT_SMTP_STARTTLS"):
        Settings.from_env({"WAYPOINT_SMTP_STARTTLS": "maybe"})
