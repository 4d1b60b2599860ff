"""The console at work: the caseload and its filters, the needs-me queue, the participant page, and
texting a participant through the outbox to the fake Twilio server (the real twilio client)."""

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.app import Service, build_service, create_app
from bot.demo import seed_demo
from bot.settings import Settings
from casefile.documents import Document
from casefile.facts import EventRecord
from casefile.messages import Message
from casefile.outreach import Outreach, OutreachKind, OutreachState
from casefile.people import Participant
from casefile.timesheets import TimesheetEntry
from casefile.vocabulary import Activity, EntryState
from tests.channels import SmsAdapter
from tests.console_support import DANA, Browser, Team, make_team, open_items
from tests.fake_twilio import FakeTwilio, run_fake_twilio
from tests.outreach import change, enrol
from tests.support import ENGLISH_PHONE, SPANISH_PHONE, FixedClock
from tests.test_dispatch import with_twilio

JORDAN, GUADALUPE = 1, 2


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    yield from run_fake_twilio()


@pytest.fixture
def sender(settings: Settings, clock: FixedClock, twilio: FakeTwilio) -> Iterator[Service]:
    """The demo service with Twilio's REST sender pointed at the fake server."""
    built = build_service(
        with_twilio(settings, twilio),
        clock,
    )
    with built.sessions.begin() as session:
        seed_demo(session, settings.timezone, clock())
    yield built
    built.close()


@pytest.fixture
def client(sender: Service, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(sender, clock), base_url="http://127.0.0.1:8000") as client:
        yield client


@pytest.fixture
def team(sender: Service, clock: FixedClock) -> Team:
    return make_team(sender, clock)


@pytest.fixture
def dana(client: TestClient, team: Team) -> Browser:
    browser = Browser(client)
    assert browser.sign_in(DANA) == 303
    return browser


def notice(answer_location: str, browser: Browser) -> str:
    page = browser.get(answer_location)
    found = re.search(r'class="(?:notice|problem)"[^>]*>([^<]+)<', page)
    return found.group(1) if found else ""


def test_a_counselors_text_reaches_twilio_once_and_the_answer_lands_in_the_same_transcript(
    dana: Browser, client: TestClient, sender: Service, twilio: FakeTwilio, clock: FixedClock
) -> None:
    posted = dana.post(f"/participants/{JORDAN}/texts", body="Hi Jordan, can you come in Tuesday at 10?")
    assert posted.status == 303 and notice(posted.location, dana) == "Sending now by text message."
    assert [(form["To"], form["Body"]) for _, _, form in twilio.requests] == [
        (ENGLISH_PHONE, "Hi Jordan, can you come in Tuesday at 10?")
    ]
    sender.dispatch()  # the scheduler's next pass sends nothing twice
    assert len(twilio.requests) == 1
    clock.advance(minutes=5)
    SmsAdapter(client).send("yes I can be there at 10", "SM" + "a" * 32)
    caseload = dana.get("/caseload")
    assert re.search(r'<tr class="unread">\s*<th scope="row">\s*<a href="/participants/1">', caseload)
    page = dana.get(f"/participants/{JORDAN}")
    transcript = page[page.index('aria-label="Conversation with Jordan"') :]
    assert transcript.index("Tuesday at 10?") < transcript.index("yes I can be there at 10")
    assert re.search(r"Tuesday at 10\?</div>", page) and "status-sent" in page
    assert 'class="unread"' not in dana.get("/caseload")  # opening the transcript read it
    with sender.sessions.begin() as session:
        kinds = [
            event.kind for event in session.scalars(select(EventRecord).where(EventRecord.participant_id == JORDAN))
        ]
    assert "outreach_changed" in kinds and "outreach_attempt" in kinds


def test_outside_texting_hours_the_text_waits_for_eight_and_an_opt_out_meanwhile_stops_it(
    dana: Browser, client: TestClient, sender: Service, twilio: FakeTwilio, clock: FixedClock
) -> None:
    clock.now = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)  # 22:30 on Monday in Oakland
    dana.sign_in(DANA)  # a session lasts a working day
    posted = dana.post(f"/participants/{GUADALUPE}/texts", body="Hola Guadalupe, ¿puede venir el jueves?")
    said = notice(posted.location, dana)
    assert said == "Outside texting hours for Guadalupe: it will send at 8:00 AM on Tuesday, March 3, their time."
    sender.dispatch()
    assert twilio.requests == []
    clock.now = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)  # 8:00
    sender.dispatch()
    assert [form["Body"] for _, _, form in twilio.requests] == ["Hola Guadalupe, ¿puede venir el jueves?"]

    clock.now = datetime(2026, 3, 4, 5, 30, tzinfo=UTC)  # 21:30 on Tuesday
    dana.sign_in(DANA)
    dana.post(f"/participants/{JORDAN}/texts", body="Jordan, your appointment moved to Friday.")
    SmsAdapter(client).send("STOP", "SM" + "b" * 32)
    clock.now = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)
    sender.dispatch()
    assert len(twilio.requests) == 1
    assert re.search(r"moved to Friday\.</div>", page := dana.get(f"/participants/{JORDAN}"))
    assert "status-opted-out" in page
    refused = dana.post(f"/participants/{JORDAN}/texts", body="Are you there?")
    assert refused.status == 422 and "Jordan opted out of texts" in refused.text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Your SSN 123-45-6789 is on file", "Social Security number"),
        ("Bring the letter for case number 7A1B2C3", "case number"),
        ("We have your birthday as 04/12/1990", "date of birth"),
        ("Jordan Smith, please call me back", "first and last name"),
        ("x" * 1601, "1601 characters long; SMS takes at most 1600"),
        ("   ", "the message is empty"),
    ],
)
def test_the_guard_refuses_a_text_that_carries_an_identifier_and_says_why(
    dana: Browser, sender: Service, twilio: FakeTwilio, text: str, reason: str
) -> None:
    refused = dana.post(f"/participants/{JORDAN}/texts", body=text)
    assert refused.status == 422 and reason in refused.text
    assert text.strip()[:40] in refused.text  # the draft is kept for the counselor to fix
    with sender.sessions.begin() as session:
        assert session.scalar(select(Message.id).where(Message.participant_id == JORDAN)) is None
    assert twilio.requests == []


def test_the_queue_lists_safety_first_then_oldest_opens_the_conversation_there_and_marks_handled_with_who(
    dana: Browser, client: TestClient, sender: Service, clock: FixedClock, team: Team
) -> None:
    sms = SmsAdapter(client)
    for n, text in enumerate(["hi", "YES", "3", "Can we move my appointment to Thursday?"]):
        sms.send(text, f"SMj{n:032d}")
    clock.advance(hours=1)
    sms.send("ya no quiero vivir", "SM" + "g" * 32, sender=SPANISH_PHONE)
    queue = dana.get("/queue")
    assert queue.index("Safety concern") < queue.index("Message to you") and 'id="open-count">2<' in queue
    safety, message = open_items(sender, GUADALUPE)[0], open_items(sender, JORDAN)[0]
    link = f"/participants/{JORDAN}?at={message.message_id}#m{message.message_id}"
    assert link.replace("&", "&amp;") in queue or link in queue
    opened = dana.get(link.split("#")[0])
    assert f'id="m{message.message_id}" class="msg in anchor"' in opened
    handled = dana.post(f"/queue/{message.id}/handled", next="/queue")
    assert handled.status == 303 and 'id="open-count">1<' in dana.get("/caseload")
    assert dana.post(f"/queue/{message.id}/handled").status == 404  # once
    with sender.sessions.begin() as session:
        event = session.get_one(EventRecord, message.id)
        assert (event.seen_at, event.seen_by) == (clock(), team.dana_id)
        audit = session.scalars(select(EventRecord).where(EventRecord.kind == "queue_item_handled")).one()
        assert audit.payload == {"event_id": message.id, "item_kind": "counselor_message", "counselor_id": team.dana_id}
    assert "ya no quiero vivir" in dana.get("/queue") and safety.urgent


def test_the_caseload_filters_searches_and_sorts(
    dana: Browser, client: TestClient, sender: Service, clock: FixedClock
) -> None:
    now = clock()
    rosa = enrol(sender, "Rosa", "+15105550142", now - timedelta(days=90), last_heard_at=now - timedelta(days=45))
    change(sender, rosa, last_name="Díaz")
    with sender.sessions.begin() as session:
        for day, hours in [(date(2026, 3, 2), 6.0)]:
            session.add(
                TimesheetEntry(
                    participant_id=GUADALUPE,
                    day=day,
                    whole_week=False,
                    activity=Activity.JOB_SEARCH,
                    hours=hours,
                    excuse=None,
                    state=EntryState.CONFIRMED,
                    message_id=None,
                    corrected_message_id=None,
                    confirmed_message_id=None,
                    reported_at=now,
                    confirmed_at=now,
                )
            )
    SmsAdapter(client).send("STOP", "SM" + "s" * 32)

    def names(query: str) -> list[str]:
        return re.findall(r'<a href="/participants/\d+">([^<]+)</a>', dana.get(f"/caseload?{query}"))

    assert names("") == ["Rosa Díaz", "Guadalupe Ramírez", "Jordan Smith"]  # by last name
    assert names("show=opted_out") == ["Jordan Smith"]
    assert names("show=disengaged") == ["Rosa Díaz", "Guadalupe Ramírez"]  # Jordan wrote today
    assert names("q=ros") == names("q=0142") == names("q=510-555-0142") == ["Rosa Díaz"]
    assert names("q=guadalupe ram") == ["Guadalupe Ramírez"]
    assert names("show=hours_short&sort=hours") == [
        "Jordan Smith",
        "Rosa Díaz",
        "Guadalupe Ramírez",
    ]  # 30, 30, 14 short
    assert names("show=nonsense&sort=nonsense") == names("")
    page = dana.get("/caseload?q=Guadalupe")
    assert "6 of 20" in page and "Spanish · SMS" in page and "disengaged" not in page.split("Guadalupe")[1][:10]
    assert "Opted out" in dana.get("/caseload?show=opted_out")
    assert "disengaged" in dana.get("/caseload?q=rosa")


def test_documents_are_served_to_their_counselor_only_with_type_and_disposition(
    dana: Browser, client: TestClient, sender: Service, clock: FixedClock, settings: Settings
) -> None:
    SmsAdapter(client).send("hi", "SM" + "d" * 32)
    root = Path(settings.documents_dir)
    (root / "1").mkdir(parents=True)
    (root / "1" / "1.jpg").write_bytes(b"\xff\xd8\xff\xe0 a signed timesheet")
    (root / "secret.txt").write_text("outside any participant")
    with sender.sessions.begin() as session:
        message_id = session.scalars(select(Message.id).where(Message.participant_id == JORDAN)).first()
        for path in ("1/1.jpg", "../secret.txt"):
            session.add(
                Document(
                    participant_id=JORDAN,
                    message_id=message_id,
                    channel="sms",
                    source="https://api.twilio.com/m",
                    content_type="image/jpeg",
                    status="stored",
                    attempts=1,
                    next_attempt_at=None,
                    last_error=None,
                    path=path,
                    size=20,
                    sha256="0" * 64,
                    received_at=clock(),
                    stored_at=clock(),
                )
            )
    answer = dana.client.get(f"/participants/{JORDAN}/documents/1")
    assert answer.status_code == 200 and answer.content.startswith(b"\xff\xd8")
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["content-disposition"] == 'inline; filename="document-1.jpg"'
    assert answer.headers["cache-control"] == "no-store" and answer.headers["x-content-type-options"] == "nosniff"
    assert dana.client.get(f"/participants/{JORDAN}/documents/2").status_code == 404  # outside the store
    assert dana.client.get(f"/participants/{GUADALUPE}/documents/1").status_code == 404
    for public in ("/documents/1/1.jpg", "/static/../documents/1/1.jpg", "/1/1.jpg"):
        assert client.get(public).status_code == 404
    assert 'href="/participants/1/documents/1"' in dana.get(f"/participants/{JORDAN}")


def test_pause_edit_cancel_and_a_telegram_link_shown_once(dana: Browser, sender: Service, clock: FixedClock) -> None:
    paused = dana.post(f"/participants/{JORDAN}/pause", until="2026-03-20", action="pause")
    assert notice(paused.location, dana) == "Automatic texts paused through March 20, 2026."
    past = dana.post(f"/participants/{JORDAN}/pause", until="2026-02-01")
    assert notice(past.location, dana) == "That date has passed: pick today or a later day."
    with sender.sessions.begin() as session:
        assert session.get_one(Participant, JORDAN).outreach_paused_until == date(2026, 3, 20)
        for rule in ("check_in", "step_due"):
            session.add(
                Outreach(
                    participant_id=JORDAN,
                    rule=rule,
                    occurrence="2026-03-23",
                    kind=OutreachKind.TEXT,
                    template=f"outreach_{rule}",
                    due_at=clock() + timedelta(days=21),
                    state=OutreachState.QUEUED,
                    reason=None,
                    body=None,
                    created_at=clock(),
                    state_at=clock(),
                    answered_at=None,
                )
            )
    assert dana.post(f"/participants/{JORDAN}/outreach/1/edit", body="Hi Jordan, how did the week go?").status == 303
    assert dana.post(f"/participants/{JORDAN}/outreach/2/cancel").status == 303
    resumed = dana.post(f"/participants/{JORDAN}/pause", until="2026-03-20", action="resume")
    assert notice(resumed.location, dana) == "Automatic texts resumed."
    with sender.sessions.begin() as session:
        rows = list(session.scalars(select(Outreach).order_by(Outreach.id)))
        assert [(row.state, row.body) for row in rows] == [
            (OutreachState.QUEUED, "Hi Jordan, how did the week go?"),
            (OutreachState.CANCELLED, None),
        ]
        assert session.get_one(Participant, JORDAN).outreach_paused_until is None
        changes = [
            e.payload["action"]
            for e in session.scalars(select(EventRecord).where(EventRecord.kind == "outreach_changed"))
        ]
        assert changes == ["pause", "edit", "cancel", "resume"]
    linked = dana.post(f"/participants/{JORDAN}/telegram-link")
    code = re.search(r"/start ([\w-]+)<", linked.text)
    assert linked.status == 200 and code is not None
    assert code.group(1) not in dana.get(f"/participants/{JORDAN}")
    unread = dana.post(f"/participants/{JORDAN}/pause", until="March 20")
    assert notice(unread.location, dana) == "Give the date as YYYY-MM-DD."


def test_the_hours_table_marks_short_only_weeks_that_ended_since_enrolment(
    dana: Browser, sender: Service, clock: FixedClock
) -> None:
    def short_weeks(participant_id: int) -> int:
        page = dana.get(f"/participants/{participant_id}")
        return page[page.index('id="hours-heading"') : page.index('id="docs-heading"')].count('class="short"')

    rosa = enrol(sender, "Rosa", "+15105550142", clock() - timedelta(days=90))
    assert short_weeks(rosa) == 1  # the week of Feb 23 ended with no hours; this week is not over
    assert short_weeks(JORDAN) == 0  # enrolled today: that week was never his to report
