"""The Twilio client keeps a connection open for each thread the dispatcher sends on: against
api.twilio.com a new connection is a TCP and TLS handshake before the request."""

from collections.abc import Iterator

import pytest

from bot.app import Service
from bot.channels.sms.transport import TwilioTransport
from casefile.people import find_participant_by_phone
from casefile.vocabulary import Channel, MessageStatus
from scheduler.outbox import queue_message, send_queued
from tests.fake_twilio import FakeTwilio, run_fake_twilio
from tests.support import ENGLISH_PHONE, FixedClock

ACCOUNT = "AC" + "c" * 32
#: More threads than either pool the SDK's session keeps by itself: requests' 10 connections to an
#: http host, min(32, cores + 4) to https.
SENDERS = 12


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    yield from run_fake_twilio()


def queue_texts(service: Service, clock: FixedClock, count: int) -> None:
    with service.sessions.begin() as session:
        participant = find_participant_by_phone(session, ENGLISH_PHONE)
        assert participant is not None
        for n in range(count):
            body = f"Your step is due today. Reply DONE when it is done ({n + 1} of {count})."
            queue_message(session, participant, Channel.SMS, ENGLISH_PHONE, body, clock())


def test_twelve_sender_threads_reuse_twelve_connections(
    service: Service, clock: FixedClock, twilio: FakeTwilio
) -> None:
    queue_texts(service, clock, 200)
    transport = TwilioTransport(ACCOUNT, "secret-token", from_number="+15105559999", api_base_url=twilio.url)
    sent = send_queued(service.sessions, {Channel.SMS: transport}, clock, workers=SENDERS)
    assert sent == {MessageStatus.SENT: 200}
    assert len(twilio.requests) == 200
    # Each group of texts ends with every thread's connection back in the pool at once: a pool kept
    # smaller than the threads dropped the extra ones and opened new ones for the next group.
    assert twilio.connections <= SENDERS


def test_one_thread_keeps_one_connection(service: Service, clock: FixedClock, twilio: FakeTwilio) -> None:
    queue_texts(service, clock, 40)
    transport = TwilioTransport(ACCOUNT, "secret-token", from_number="+15105559999", api_base_url=twilio.url)
    assert send_queued(service.sessions, {Channel.SMS: transport}, clock, workers=1) == {MessageStatus.SENT: 40}
    assert twilio.connections == 1
