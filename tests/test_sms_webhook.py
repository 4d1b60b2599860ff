"""The Twilio webhook end to end: signed form in, TwiML out, everything stored once."""

import random
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from urllib.parse import parse_qsl

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.app import Service, create_app
from bot.channels.sms.webhook import MAX_FIELDS, parse_form
from casefile.consent import consent_history
from casefile.facts import EventRecord
from casefile.messages import Message, UnknownSender
from casefile.people import find_participant_by_phone
from casefile.vocabulary import ConsentAction, ConsentState, Direction, MessageStatus
from tests.support import ENGLISH_PHONE, PUBLIC_URL, SPANISH_PHONE, UNKNOWN_PHONE, FixedClock, signed, sms_form

INBOUND = "/sms/twilio"
STATUS = "/sms/twilio/status"


@pytest.fixture
def client(service: Service, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(service, clock)) as test_client:
        yield test_client


def text(client: TestClient, body: str, sid: str, sender: str = ENGLISH_PHONE, **extra: str) -> list[str]:
    """Send one signed SMS; return the bodies of the TwiML replies."""
    payload, headers = signed(INBOUND, sms_form(body, sid, sender, **extra))
    response = client.post(INBOUND, content=payload, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return [node.text or "" for node in ET.fromstring(response.text).iter("Message")]


def count(service: Service, *where: object) -> int:
    with service.sessions.begin() as session:
        return session.scalar(select(func.count()).select_from(Message).where(*where)) or 0


def test_a_text_is_stored_answered_in_twiml_and_its_reply_recorded(client: TestClient, service: Service) -> None:
    replies = text(client, "hi", "SM" + "1" * 32)
    assert replies == [
        "Hi Jordan! This is Alameda County CalWORKs. Dana Lee set up texts with you about your goals and "
        "hours. Reply YES to start or STOP to end. Msg & data rates may apply."
    ]
    with service.sessions.begin() as session:
        inbound, outbound = session.scalars(select(Message).order_by(Message.id)).all()
        assert (inbound.direction, inbound.status, inbound.body) == (Direction.INBOUND, MessageStatus.PROCESSED, "hi")
        assert inbound.participant_id is not None and inbound.contact_id is not None
        assert (outbound.direction, outbound.status, outbound.in_reply_to_id) == (
            Direction.OUTBOUND,
            MessageStatus.SENT,
            inbound.id,
        )
        assert outbound.contact_id == inbound.contact_id


def test_a_whole_spanish_conversation_over_sms(client: TestClient, service: Service) -> None:
    assert "Responda SI para empezar" in text(client, "Hola", "SM-es-1", SPANISH_PHONE)[0]
    confirmed = text(client, "sí", "SM-es-2", SPANISH_PHONE)
    assert confirmed[0].startswith("¡Gracias, Guadalupe!")
    assert "3 Mensaje a mi consejero(a)" in confirmed[1]
    assert text(client, "3", "SM-es-3", SPANISH_PHONE) == [
        "¿Qué le quiere decir a Dana Lee? Escriba su mensaje y envielo."
    ]
    assert text(client, "No tengo quien cuide a mis hijos el martes", "SM-es-4", SPANISH_PHONE) == [
        "Gracias. Envié su mensaje a Dana Lee. Le responderan pronto."
    ]
    with service.sessions.begin() as session:
        flagged = session.scalars(select(EventRecord).where(EventRecord.needs_counselor)).all()
        assert [(e.kind, e.payload) for e in flagged] == [
            ("counselor_message", {"text": "No tengo quien cuide a mis hijos el martes"})
        ]
        assert flagged[0].message_id is not None


def test_stop_records_the_opt_out_in_the_ledger_and_nothing_more_is_sent(client: TestClient, service: Service) -> None:
    text(client, "yes", "SM-a")
    assert text(client, "STOP", "SM-b") == [
        "You will not get more texts from Alameda County CalWORKs. Reply START to come back."
    ]
    assert text(client, "hello?", "SM-c") == []
    assert text(client, "STOP", "SM-d") == []
    assert text(client, "START", "SM-e")[0].startswith("Welcome back, Jordan!")
    with service.sessions.begin() as session:
        participant = find_participant_by_phone(session, ENGLISH_PHONE)
        assert participant is not None and participant.consent_state is ConsentState.CONFIRMED
        ledger = [(e.action, e.raw_text, e.channel, e.provider_id) for e in consent_history(session, participant.id)]
    assert ledger == [
        (ConsentAction.OPT_IN, "demo participant: consent to texts recorded at enrolment", "enrolment", None),
        (ConsentAction.OPT_IN, "yes", "sms", "SM-a"),
        (ConsentAction.OPT_OUT, "STOP", "sms", "SM-b"),
        (ConsentAction.OPT_IN, "START", "sms", "SM-e"),
    ]
    assert count(service, Message.direction == Direction.INBOUND) == 5


def test_a_bad_signature_is_refused_and_nothing_is_stored(client: TestClient, service: Service) -> None:
    payload, headers = signed(INBOUND, sms_form("hi", "SM-forged"), token="not-the-token")
    assert client.post(INBOUND, content=payload, headers=headers).status_code == 403
    del headers["X-Twilio-Signature"]
    assert client.post(INBOUND, content=payload, headers=headers).status_code == 403
    assert count(service) == 0


def test_a_body_changed_after_signing_is_refused(client: TestClient, service: Service) -> None:
    payload, headers = signed(INBOUND, sms_form("hi", "SM-x"))
    assert client.post(INBOUND, content=payload.replace(b"hi", b"STOP"), headers=headers).status_code == 403
    assert count(service) == 0


def test_the_signature_is_checked_against_the_public_url_behind_a_proxy(client: TestClient) -> None:
    # TestClient calls http://testserver/...; Twilio signed https://waypoint.example.org/...
    assert client.base_url.host != PUBLIC_URL.removeprefix("https://")
    assert text(client, "hi", "SM-proxy")


def test_a_duplicate_delivery_answers_200_and_changes_nothing(client: TestClient, service: Service) -> None:
    first = text(client, "hi", "SM-dup")
    before = count(service)
    assert first
    assert text(client, "hi", "SM-dup") == []
    assert count(service) == before


@pytest.mark.parametrize(
    "body, reply_starts",
    [
        ("", "Your message came through empty."),
        ("x" * 1600, "Sorry, I didn't get that."),  # the longest Body Twilio sends (past it: a dead letter)
        ("🙂🙂 ok 👍🏽", "Sorry, I didn't get that."),
        ("\x00hello", "Hi Jordan!"),
    ],
)
def test_odd_bodies_get_a_clear_answer_and_are_stored_whole(
    client: TestClient, service: Service, body: str, reply_starts: str
) -> None:
    text(client, "yes", "SM-consent")
    [reply] = text(client, body, "SM-odd")
    assert reply.startswith(reply_starts)
    with service.sessions.begin() as session:
        stored = session.scalars(select(Message).where(Message.provider_id == "SM-odd")).one()
        assert stored.body == body.replace("\x00", "\ufffd")


@pytest.mark.parametrize("missing", ["MessageSid", "From"])
def test_a_signed_form_that_is_not_a_message_is_refused_with_a_reason(
    client: TestClient, service: Service, missing: str
) -> None:
    form = sms_form("hi", "SM-incomplete")
    del form[missing]
    payload, headers = signed(INBOUND, form)
    response = client.post(INBOUND, content=payload, headers=headers)
    assert response.status_code == 400
    assert missing in response.text
    assert count(service) == 0


def test_a_photo_is_stored_with_its_media_and_acknowledged(client: TestClient, service: Service) -> None:
    text(client, "yes", "SM-consent")
    replies = text(
        client,
        "",
        "MM-photo",
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM-photo/Media/ME1",
        MediaContentType0="image/jpeg",
    )
    assert replies == ["Thanks, I got your photo. Your counselor can see it."]
    with service.sessions.begin() as session:
        stored = session.scalars(select(Message).where(Message.provider_id == "MM-photo")).one()
        assert stored.media == [
            {
                "url": "https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM-photo/Media/ME1",
                "content_type": "image/jpeg",
            }
        ]
        assert session.scalars(select(EventRecord.kind).where(EventRecord.message_id == stored.id)).all() == [
            "document_received"
        ]


def test_an_unknown_number_gets_one_polite_reply_and_is_listed_for_staff(client: TestClient, service: Service) -> None:
    [reply] = text(client, "hello, is this the county?", "SM-u1", UNKNOWN_PHONE)
    assert "we don't know this number" in reply
    assert "CalWORKs" not in reply and "Dana" not in reply
    assert text(client, "hello??", "SM-u2", UNKNOWN_PHONE) == []
    assert text(client, "HELP", "SM-u3", UNKNOWN_PHONE) == []
    with service.sessions.begin() as session:
        sender = session.scalars(select(UnknownSender)).one()
        assert (sender.address, sender.message_count) == (UNKNOWN_PHONE, 3)
    assert count(service, Message.direction == Direction.INBOUND) == 3


def test_an_unknown_number_that_texts_stop_first_gets_nothing(client: TestClient) -> None:
    assert text(client, "STOP", "SM-u-stop", UNKNOWN_PHONE) == []
    assert text(client, "hi", "SM-u-hi", UNKNOWN_PHONE) == []


def post_status(client: TestClient, sid: str, status: str, error_code: str = "", query: str = "") -> int:
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC0"}
    if error_code:
        form["ErrorCode"] = error_code
    path = STATUS + (f"?{query}" if query else "")
    payload, headers = signed(path, form)
    return client.post(path, content=payload, headers=headers).status_code


def test_delivery_status_never_goes_backwards(client: TestClient, service: Service, clock: FixedClock) -> None:
    with service.sessions.begin() as session:
        participant = find_participant_by_phone(session, ENGLISH_PHONE)
        assert participant is not None
        session.add(
            Message(
                participant_id=participant.id,
                direction=Direction.OUTBOUND,
                channel="sms",
                address=ENGLISH_PHONE,
                body="reminder",
                media=[],
                provider_id="SM-out",
                status=MessageStatus.QUEUED,
                created_at=clock(),
                status_at=clock(),
            )
        )
    assert post_status(client, "SM-out", "sent") == 200
    assert post_status(client, "SM-out", "delivered") == 200
    assert post_status(client, "SM-out", "sending") == 200
    assert post_status(client, "SM-out", "undelivered", "30003") == 200
    with service.sessions.begin() as session:
        stored = session.scalars(select(Message).where(Message.provider_id == "SM-out")).one()
        assert (stored.status, stored.error_code) == (MessageStatus.DELIVERED, None)


def test_a_status_for_an_unknown_message_is_answered_200(client: TestClient, service: Service) -> None:
    assert post_status(client, "SM-nobody", "delivered") == 200
    assert count(service) == 0


def test_an_unsigned_status_callback_is_refused(client: TestClient) -> None:
    payload, headers = signed(STATUS, {"MessageSid": "SM-out", "MessageStatus": "failed"}, token="wrong")
    assert client.post(STATUS, content=payload, headers=headers).status_code == 403


def test_health_check(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_replies_are_escaped_in_twiml(client: TestClient, service: Service) -> None:
    text(client, "yes", "SM-consent")
    text(client, "3", "SM-menu")
    # The counselor's name in the reply is plain text; markup characters must survive as text.
    with service.sessions.begin() as session:
        from casefile.people import Counselor

        session.scalars(select(Counselor)).one().last_name = "Lee <&> O'Hara"
    assert text(client, "HELP", "SM-help")[0].startswith(
        "Alameda County CalWORKs: texts about your goals and hours. Your counselor: Dana Lee <&> O'Hara,"
    )


def test_facts_are_read_back_typed_and_linked_to_their_messages(client: TestClient, service: Service) -> None:
    from casefile.facts import ConsentConfirmed, CounselorMessage, LanguageChanged, facts_for

    text(client, "yes", "SM-f1")
    text(client, "español", "SM-f2")
    text(client, "3", "SM-f3")
    text(client, "¿Me puede llamar mañana?", "SM-f4")
    with service.sessions.begin() as session:
        participant = find_participant_by_phone(session, ENGLISH_PHONE)
        assert participant is not None and participant.language.value == "es"
        records = facts_for(session, participant.id)
        assert [r.fact() for r in records] == [
            ConsentConfirmed(text="yes"),
            LanguageChanged(language=participant.language),
            CounselorMessage(text="¿Me puede llamar mañana?"),
        ]
        sources = [session.get_one(Message, r.message_id).provider_id for r in records if r.message_id]
        assert sources == ["SM-f1", "SM-f2", "SM-f4"]
        assert len({r.contact_id for r in records}) == 1


def test_an_inline_reply_that_the_carrier_could_not_deliver_shows_on_its_stored_row(
    client: TestClient, service: Service
) -> None:
    payload, headers = signed(INBOUND, sms_form("hi", "SM-cb"))
    response = client.post(INBOUND, content=payload, headers=headers)
    [node] = ET.fromstring(response.text).iter("Message")
    callback = node.attrib["statusCallback"]
    assert callback.startswith(PUBLIC_URL + STATUS + "?reply=")
    query = callback.split("?", 1)[1]
    assert post_status(client, "SM-reply-at-twilio", "sent", query=query) == 200
    assert post_status(client, "SM-reply-at-twilio", "undelivered", "30003", query=query) == 200
    with service.sessions.begin() as session:
        reply = session.get_one(Message, int(query.removeprefix("reply=")))
        # 30003 (handset unreachable) is worth another try: queued again, the carrier's code kept.
        assert (reply.provider_id, reply.status, reply.error_code) == (
            "SM-reply-at-twilio",
            MessageStatus.QUEUED,
            "30003",
        )
        assert reply.retry_at is not None


def test_a_form_is_read_as_the_standard_librarys_parse_qsl_reads_it() -> None:
    """parse_form against `parse_qsl(..., keep_blank_values=True)` over hostile bodies: stray and
    broken escapes, pluses, bare names, empty fields, bytes that are not UTF-8, and the field limit."""
    pieces = [
        b"Body",
        b"From",
        b"=",
        b"&",
        b"&&",
        b"+",
        b"%2B",
        b"%",
        b"%2",
        b"%zz",
        b"%C3%A9",
        b"\xc3",
        b"\xff",
        b"%F0%9F%92%AA",
        "é".encode(),
        b";",
        b"%00",
        b"%26",
        b"%3D",
        b"hola",
        b" ",
        b"8 hrs",
    ]
    rng = random.Random(19)
    for _ in range(3000):
        body = b"".join(rng.choice(pieces) for _ in range(rng.randrange(12)))
        expected: dict[str, list[str]] = {}
        for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            expected.setdefault(name, []).append(value)
        assert parse_form(body) == expected, body
    assert len(parse_form(b"&".join(b"f%d=x" % i for i in range(MAX_FIELDS)))) == MAX_FIELDS
    with pytest.raises(ValueError):
        parse_form(b"&".join(b"f%d=x" % i for i in range(MAX_FIELDS + 1)))
    with pytest.raises(ValueError):
        parse_qsl("&".join(f"f{i}=x" for i in range(MAX_FIELDS + 1)), max_num_fields=MAX_FIELDS)
