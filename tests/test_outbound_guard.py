"""The outbound identifier guard where texts enter the outbox (issue 16, item 12): a counselor's
edit is refused with the reasons, and a text that holds an identifier is never sent on any channel:
the outreach is skipped and the counselor told why."""

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.app import Service, build_service
from bot.cli import main
from bot.demo import seed_demo
from bot.settings import Settings
from casefile.addresses import create_link_code, redeem_link_code
from casefile.facts import EventRecord
from casefile.identifiers import OutboundRefused
from casefile.messages import Message
from casefile.outreach import Outreach, OutreachChangeRefused, OutreachState, edit_queued
from casefile.people import find_counselor_by_email, find_participant_by_phone
from casefile.vocabulary import Channel
from scheduler.outbox import queue_message
from tests.fake_telegram import FakeTelegram
from tests.fake_twilio import FakeTwilio, run_fake_twilio
from tests.support import ENGLISH_PHONE, FixedClock
from tests.test_dispatch import with_twilio

#: What issue 16 saw sent as it was: a name in full, an SSN, a date of birth and a case number.
LEAKY = "Jordan Smith, your SSN 612-34-5678 and DOB 4/12/1991 are on case #C-448812. Call Dana."


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    yield from run_fake_twilio()


@pytest.fixture
def sender(settings: Settings, clock: FixedClock, twilio: FakeTwilio) -> Iterator[Service]:
    """The demo caseload with Twilio's sender set, and the welcome queued for each participant."""
    built = build_service(
        with_twilio(settings, twilio),
        clock,
    )
    with built.sessions.begin() as session:
        seed_demo(session, settings.timezone, clock())
    built.sweep()
    yield built
    built.close()


def jordans_welcome(service: Service) -> int:
    with service.sessions.begin() as session:
        jordan = find_participant_by_phone(session, ENGLISH_PHONE)
        assert jordan is not None
        return session.scalars(select(Outreach.id).where(Outreach.participant_id == jordan.id)).one()


def test_a_counselors_edit_with_identifiers_is_refused_with_every_reason(sender: Service, clock: FixedClock) -> None:
    outreach_id = jordans_welcome(sender)
    with pytest.raises(OutreachChangeRefused) as refused, sender.sessions.begin() as session:
        dana = find_counselor_by_email(session, "dana.lee@example.org")
        assert dana is not None
        edit_queued(session, outreach_id, dana.id, LEAKY, clock())
    reason = str(refused.value)
    for part in ("Social Security number", "case number", "date of birth", "first and last name together"):
        assert part in reason
    assert "612-34-5678" not in reason and "Smith" not in reason
    with sender.sessions.begin() as session:
        assert session.get_one(Outreach, outreach_id).body is None


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.TELEGRAM])
def test_a_text_with_identifiers_is_never_sent_and_the_counselor_is_told(
    sender: Service, clock: FixedClock, twilio: FakeTwilio, telegram: FakeTelegram, channel: Channel
) -> None:
    outreach_id = jordans_welcome(sender)
    with sender.sessions.begin() as session:
        jordan = find_participant_by_phone(session, ENGLISH_PHONE)
        assert jordan is not None
        if channel is Channel.TELEGRAM:
            code = create_link_code(session, jordan.id, Channel.TELEGRAM, clock())
            redeem_link_code(session, code, Channel.TELEGRAM, "7001", clock())
            jordan.preferred_channel = Channel.TELEGRAM
        # Written before the guard was there (or straight into the database): the dispatcher must stop it.
        session.get_one(Outreach, outreach_id).body = LEAKY
    sender.dispatch()
    assert [form["To"] for _, _, form in twilio.requests] == ["+15105550101"]  # Guadalupe's welcome only
    assert telegram.sent == []
    with sender.sessions.begin() as session:
        row = session.get_one(Outreach, outreach_id)
        assert (row.state, row.reason) == (OutreachState.SKIPPED, "identifier")
        assert not session.scalars(select(Message).where(Message.outreach_id == outreach_id)).all()
        [told] = session.scalars(select(EventRecord).where(EventRecord.kind == "outreach_refused")).all()
        assert told.needs_counselor and told.participant_id == row.participant_id
        assert "Social Security number" in told.payload["reasons"]
        assert "612-34-5678" not in str(told.payload)


def test_a_text_queued_by_hand_is_refused_before_it_is_recorded(sender: Service, clock: FixedClock) -> None:
    with sender.sessions.begin() as session:
        jordan = find_participant_by_phone(session, ENGLISH_PHONE)
        assert jordan is not None
        with pytest.raises(OutboundRefused) as refused:
            queue_message(session, jordan, Channel.SMS, ENGLISH_PHONE, LEAKY, clock())
        assert len(refused.value.problems) == 4
        queue_message(session, jordan, Channel.SMS, ENGLISH_PHONE, "Hi Jordan, it's Dana. Call me back?", clock())
        assert len(session.scalars(select(Message).where(Message.body == LEAKY)).all()) == 0


def test_the_counselor_sees_why_from_the_terminal(
    sender: Service, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WAYPOINT_DATABASE_URL", sender.settings.database_url)
    outreach_id = str(jordans_welcome(sender))
    edit = ["outreach", "edit", outreach_id, "--counselor", "dana.lee@example.org", "--text"]
    assert main([*edit, "Hi Jordan Smith, is your SSN still 612-34-5678?"]) == 1
    assert capsys.readouterr().err == (
        "waypoint: the text was not saved: it contains what looks like a Social Security number: leave it out; "
        "it gives the participant's first and last name together: use the first name only\n"
    )
    assert main([*edit, "Hi Jordan, it's Dana. Can you call me this week?"]) == 0
