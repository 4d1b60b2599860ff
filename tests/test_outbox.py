"""Outbound texts through the real twilio Client to a fake Twilio on 127.0.0.1."""

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.app import Service
from bot.channels.sms.transport import TwilioTransport
from casefile.consent import consent_history
from casefile.facts import EventRecord
from casefile.messages import Message
from casefile.people import Participant, find_participant_by_phone
from casefile.vocabulary import Channel, ConsentAction, ConsentState, MessageStatus
from scheduler.outbox import deliver, queue_message
from tests.fake_twilio import FakeTwilio, Planned, run_fake_twilio
from tests.support import ENGLISH_PHONE, FixedClock

ACCOUNT = "AC" + "a" * 32
SERVICE_SID = "MG" + "b" * 32


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    yield from run_fake_twilio()


@pytest.fixture
def transport(twilio: FakeTwilio) -> TwilioTransport:
    return TwilioTransport(
        ACCOUNT,
        "secret-token",
        messaging_service_sid=SERVICE_SID,
        status_callback="https://waypoint.example.org/sms/twilio/status",
        api_base_url=twilio.url,
        timeout=1.0,
    )


def queued(service: Service, clock: FixedClock, body: str = "Your step is due today.") -> int:
    with service.sessions.begin() as session:
        participant = find_participant_by_phone(session, ENGLISH_PHONE)
        assert participant is not None
        return queue_message(session, participant, Channel.SMS, ENGLISH_PHONE, body, clock()).id


def stored(service: Service, message_id: int) -> Message:
    with service.sessions.begin() as session:
        return session.get_one(Message, message_id)


def test_a_queued_message_is_sent_through_the_sdk_and_completed(
    service: Service, clock: FixedClock, twilio: FakeTwilio, transport: TwilioTransport
) -> None:
    message_id = queued(service, clock)
    assert deliver(service.sessions, message_id, transport, clock) is MessageStatus.SENT
    [(account, user, form)] = twilio.requests
    assert (account, user) == (ACCOUNT, ACCOUNT)
    assert form == {
        "To": ENGLISH_PHONE,
        "Body": "Your step is due today.",
        "MessagingServiceSid": SERVICE_SID,
        "StatusCallback": "https://waypoint.example.org/sms/twilio/status",
    }
    message = stored(service, message_id)
    assert message.status is MessageStatus.SENT and message.provider_id and message.provider_id.startswith("SM")


def test_a_from_number_is_used_when_there_is_no_messaging_service(
    service: Service, clock: FixedClock, twilio: FakeTwilio
) -> None:
    transport = TwilioTransport(ACCOUNT, "t", from_number="+15105559999", api_base_url=twilio.url)
    deliver(service.sessions, queued(service, clock), transport, clock)
    assert twilio.requests[0][2]["From"] == "+15105559999"


def test_a_sender_is_required() -> None:
    with pytest.raises(ValueError, match="TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER"):
        TwilioTransport(ACCOUNT, "t")


def test_an_opted_out_recipient_is_recorded_and_not_retried(
    service: Service, clock: FixedClock, twilio: FakeTwilio, transport: TwilioTransport
) -> None:
    twilio.plan.append(Planned(status=400, error_code=21610))
    message_id = queued(service, clock)
    assert deliver(service.sessions, message_id, transport, clock) is MessageStatus.FAILED
    assert stored(service, message_id).error_code == "21610"
    with service.sessions.begin() as session:
        participant = find_participant_by_phone(session, ENGLISH_PHONE)
        assert participant is not None and participant.consent_state is ConsentState.OPTED_OUT
        assert consent_history(session, participant.id)[-1].action is ConsentAction.OPT_OUT
    assert deliver(service.sessions, message_id, transport, clock) is None
    assert len(twilio.requests) == 1


@pytest.mark.parametrize("code", [21211, 30005, 30006])
def test_a_bad_number_is_flagged_for_the_counselor(
    service: Service, clock: FixedClock, twilio: FakeTwilio, transport: TwilioTransport, code: int
) -> None:
    twilio.plan.append(Planned(status=400, error_code=code))
    message_id = queued(service, clock)
    assert deliver(service.sessions, message_id, transport, clock) is MessageStatus.FAILED
    with service.sessions.begin() as session:
        [event] = session.scalars(select(EventRecord)).all()
        assert (event.kind, event.payload, event.needs_counselor) == (
            "delivery_failed",
            {"channel": "sms", "code": str(code)},
            True,
        )


def test_a_transient_error_puts_the_message_back_in_the_queue_then_it_goes(
    service: Service, clock: FixedClock, twilio: FakeTwilio, transport: TwilioTransport
) -> None:
    twilio.plan.append(Planned(status=503, error_code=20503))
    message_id = queued(service, clock)
    assert deliver(service.sessions, message_id, transport, clock) is MessageStatus.QUEUED
    assert stored(service, message_id).error_code == "20503"
    assert deliver(service.sessions, message_id, transport, clock) is MessageStatus.SENT
    assert len(twilio.requests) == 2


def test_a_timeout_is_not_resent_blindly(
    service: Service, clock: FixedClock, twilio: FakeTwilio, transport: TwilioTransport
) -> None:
    twilio.plan.append(Planned(delay=1.5))
    message_id = queued(service, clock)
    assert deliver(service.sessions, message_id, transport, clock) is MessageStatus.SENDING
    assert stored(service, message_id).error_code == "timeout"
    assert deliver(service.sessions, message_id, transport, clock) is None


def test_two_dispatchers_racing_for_one_message_send_it_once(
    service: Service, clock: FixedClock, twilio: FakeTwilio, transport: TwilioTransport
) -> None:
    message_id = queued(service, clock)
    results: list[MessageStatus | None] = []
    threads = [
        threading.Thread(target=lambda: results.append(deliver(service.sessions, message_id, transport, clock)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == sorted([MessageStatus.SENT, None, None, None], key=str)
    assert len(twilio.requests) == 1


def test_no_participant_data_but_the_text_leaves_for_the_provider(
    service: Service, clock: FixedClock, twilio: FakeTwilio, transport: TwilioTransport
) -> None:
    deliver(service.sessions, queued(service, clock), transport, clock)
    with service.sessions.begin() as session:
        participant = session.scalars(select(Participant).where(Participant.phone == ENGLISH_PHONE)).one()
        sent = " ".join(twilio.requests[0][2].values())
        assert participant.last_name not in sent
