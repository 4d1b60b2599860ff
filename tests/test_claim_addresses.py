"""The claim reads each text's own address's disabled time (scheduler/claim.py). When it read it in
the claim's one statement, SQLite compared channel_addresses' row with itself, so every text got the
first address's: a participant's blocked Telegram chat held everyone's texts as unreachable, and a
landline marked unreachable was texted again (found in review; both tests fail on that code)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from bot.app import Service
from casefile.addresses import ChannelAddress, mark_unreachable
from casefile.people import Participant
from casefile.vocabulary import Channel
from scheduler.claim import Claimed, Held, claim_all
from scheduler.outbox import queue_message
from tests.outreach import enrol

T0 = datetime(2026, 11, 2, 17, 0, tzinfo=UTC)


def queue_text(service: Service, participant_id: int, phone: str) -> int:
    with service.sessions.begin() as session:
        participant = session.get_one(Participant, participant_id)
        return queue_message(session, participant, Channel.SMS, phone, "Hi, how is the week going?", T0).id


def test_another_participants_blocked_chat_does_not_hold_a_text_to_this_one(service: Service) -> None:
    blocked = enrol(service, "Ana", "+12095550181", T0 - timedelta(days=30))
    other = enrol(service, "Ben", "+12095550182", T0 - timedelta(days=30))
    with service.sessions.begin() as session:
        # Ana's Telegram chat blocked the bot: hers is the only row of channel_addresses.
        mark_unreachable(session, blocked, Channel.TELEGRAM, "777", "blocked", T0 - timedelta(days=1))
    text_id = queue_text(service, other, "+12095550182")
    with service.sessions.begin() as session:
        outcome = claim_all(session, [text_id], T0)
    claimed = outcome[text_id]
    assert isinstance(claimed, Claimed), claimed
    assert claimed.address_disabled_at is None


def test_a_text_to_a_number_marked_unreachable_is_held_whatever_address_comes_first(service: Service) -> None:
    fine = enrol(service, "Ben", "+12095550182", T0 - timedelta(days=30))
    landline = enrol(service, "Ana", "+12095550181", T0 - timedelta(days=30))
    with service.sessions.begin() as session:
        # A first row that is no longer disabled (Ben unblocked the bot), then Ana's landline.
        mark_unreachable(session, fine, Channel.TELEGRAM, "888", "blocked", T0 - timedelta(days=3))
        session.flush()
        session.execute(update(ChannelAddress).values(disabled_at=None, disabled_reason=None))
        mark_unreachable(session, landline, Channel.SMS, "+12095550181", "30006", T0 - timedelta(days=1))
    text_id = queue_text(service, landline, "+12095550181")
    with service.sessions.begin() as session:
        outcome = claim_all(session, [text_id], T0)
    assert outcome[text_id] == Held("unreachable")
