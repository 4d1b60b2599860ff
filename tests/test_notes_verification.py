"""The monthly hours verification a county can rely on: from the enrolment date, a week that spans
two months counted once (by its days in each), no report apart from a reported zero, self-reported
apart from documented, and the month's other notes named for the counselor."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.app import Service
from casefile.case_notes import CaseNote
from casefile.documents import add_documents
from casefile.messages import Message
from casefile.people import find_participant_by_phone
from casefile.timesheets import TimesheetEntry
from casefile.verification import month_records
from casefile.vocabulary import Channel, Direction, EntryState, MessageStatus
from tests.support import ENGLISH_PHONE, SPANISH_PHONE, FixedClock


def _hours(service: Service, clock: FixedClock, *days: tuple[date, float]) -> int:
    with service.sessions.begin() as session:
        jordan = find_participant_by_phone(session, ENGLISH_PHONE)
        assert jordan is not None
        for day, hours in days:
            session.add(
                TimesheetEntry(
                    participant_id=jordan.id, day=day, whole_week=False, activity="job_search", hours=hours,
                    excuse=None, state=EntryState.CONFIRMED, message_id=None, reported_at=clock(), confirmed_at=clock(),
                )
            )  # fmt: skip
        return jordan.id


def _verification(service: Service, participant_id: int, month: str) -> CaseNote:
    with service.sessions.begin() as session:
        return session.scalars(
            select(CaseNote).where(
                CaseNote.participant_id == participant_id,
                CaseNote.subject == "verification",
                CaseNote.occurrence == month,
            )
        ).one()


def test_a_month_is_verified_from_enrolment_week_by_week_with_no_report_apart_from_zero(
    service: Service, clock: FixedClock
) -> None:
    # Jordan was enrolled on Monday 2 March 2026 (the demo caseload, at the clock's start).
    jordan = _hours(
        service,
        clock,
        (date(2026, 3, 2), 6.0),
        (date(2026, 3, 3), 5.5),
        (date(2026, 3, 17), 0.0),  # a week reported as zero hours
        (date(2026, 3, 30), 4.0),  # the week of 30 March runs into April
        (date(2026, 4, 1), 8.0),
    )
    clock.now = datetime(2026, 4, 1, 8, tzinfo=UTC)
    service.draft_notes()
    march = _verification(service, jordan, "2026-03").draft_body
    assert "Week of 02/23/2026" not in march, "no week before enrolment"
    assert (
        "Week of 03/02/2026 (03/02/2026-03/08/2026): 11.5 participation hours and 0 excused hours confirmed "
        "(self-reported), against 30 hours required for these days." in march
    )
    assert "Week of 03/09/2026 (03/09/2026-03/15/2026): no report received, against 30 hours required" in march
    assert "Week of 03/16/2026 (03/16/2026-03/22/2026): 0 participation hours" in march
    assert "Week of 03/23/2026 (03/23/2026-03/29/2026): no report received" in march
    assert "Week of 03/30/2026 (03/30/2026-03/31/2026): 4 participation hours and 0 excused hours" in march
    assert "against 8.6 hours required for these days." in march
    assert "15.5 participation hours against a requirement of 128.6 hours from enrolment on 03/02/2026" in march
    assert "every hour above is self-reported" in march
    clock.now = datetime(2026, 5, 1, 8, tzinfo=UTC)
    service.draft_notes()
    april = _verification(service, jordan, "2026-04").draft_body
    assert "Week of 03/30/2026 (04/01/2026-04/05/2026): 8 participation hours" in april, "its April days only"
    assert "from enrolment" not in april and "for the month" in april
    assert _verification(service, jordan, "2026-03").problems == []


def test_the_verification_names_the_months_other_notes(service: Service, clock: FixedClock) -> None:
    from tests.channels import ConsoleAdapter

    ConsoleAdapter(service, clock).send("yes", "1")
    clock.advance(minutes=5)
    ConsoleAdapter(service, clock).send("I got hired at Target, I start monday", "2")
    clock.advance(hours=3)
    service.draft_notes()
    jordan = _hours(service, clock)
    clock.now = datetime(2026, 4, 1, 8, tzinfo=UTC)
    service.draft_notes()
    march = _verification(service, jordan, "2026-03").draft_body
    assert "Also this month, for the verification: note " in march
    assert "Text contact: change reported, job started" in march


def test_documents_read_for_many_participants_at_once_count_in_each_ones_own_month(
    service: Service, clock: FixedClock
) -> None:
    """The verification reads a batch's documents in one query over a range wide enough for every
    time zone. 06:30 UTC on 1 March is still the last evening of February in California, and
    already March in New York: the same instant is February's document for one and not the other."""
    at = datetime(2026, 3, 1, 6, 30, tzinfo=UTC)
    with service.sessions.begin() as session:
        people = [find_participant_by_phone(session, phone) for phone in (ENGLISH_PHONE, SPANISH_PHONE)]
        assert people[0] is not None and people[1] is not None
        people[0].time_zone, people[1].time_zone = "America/Los_Angeles", "America/New_York"
        for person in people:
            assert person is not None
            message = Message(
                participant_id=person.id, contact_id=None, direction=Direction.INBOUND, channel=Channel.SMS,
                address=person.phone, body="", media=[], status=MessageStatus.PROCESSED, attempts=0,
                created_at=at, status_at=at,
            )  # fmt: skip
            session.add(message)
            session.flush()
            add_documents(session, person.id, message.id, Channel.SMS, [("https://example.org/m", "image/jpeg")], at)
    with service.sessions.begin() as session:
        people = [find_participant_by_phone(session, phone) for phone in (ENGLISH_PHONE, SPANISH_PHONE)]
        february = month_records(session, [p for p in people if p is not None], 2026, 2)
        march = month_records(session, [p for p in people if p is not None], 2026, 3)
        california, new_york = (p.id for p in people if p is not None)
        assert [len(february[california].documents), len(february[new_york].documents)] == [1, 0]
        assert [len(march[california].documents), len(march[new_york].documents)] == [0, 1]
