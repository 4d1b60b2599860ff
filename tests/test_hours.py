"""Participation hours on a real database: reporting periods, the timesheet kept from the facts, the
month a counselor verifies (a week spanning two months), and the flow's answers to impossible input."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import Service
from bot.caseload_cli import format_month
from casefile.documents import add_documents
from casefile.facts import record_fact
from casefile.people import Participant, find_participant_by_phone
from casefile.timesheets import (
    HoursConfirmed,
    HoursCorrected,
    HoursPlan,
    HoursReported,
    Period,
    TimesheetEntry,
    TimesheetLine,
    lines_json,
    open_since,
    period_of,
    week_of,
)
from casefile.verification import month_totals
from casefile.vocabulary import Activity, Channel, EntryState, Excuse, ReportingPeriod
from tests.channels import Adapter
from tests.support import ENGLISH_PHONE, SPANISH_PHONE, FixedClock

SEARCH, SCHOOL = Activity.JOB_SEARCH, Activity.EDUCATION
WEEKLY, BIWEEKLY, MONTHLY = ReportingPeriod.WEEKLY, ReportingPeriod.BIWEEKLY, ReportingPeriod.MONTHLY


# --- Periods -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, kind, period",
    [
        (date(2026, 3, 4), WEEKLY, Period(date(2026, 3, 2), date(2026, 3, 8))),
        (date(2026, 3, 8), WEEKLY, Period(date(2026, 3, 2), date(2026, 3, 8))),
        (date(2026, 4, 1), WEEKLY, Period(date(2026, 3, 30), date(2026, 4, 5))),
        (date(2026, 3, 4), BIWEEKLY, Period(date(2026, 2, 23), date(2026, 3, 8))),
        (date(2026, 3, 9), BIWEEKLY, Period(date(2026, 3, 9), date(2026, 3, 22))),
        (date(2026, 2, 14), MONTHLY, Period(date(2026, 2, 1), date(2026, 2, 28))),
        (date(2028, 2, 29), MONTHLY, Period(date(2028, 2, 1), date(2028, 2, 29))),
        (date(2026, 12, 31), MONTHLY, Period(date(2026, 12, 1), date(2026, 12, 31))),
    ],
)
def test_reporting_periods(day: date, kind: ReportingPeriod, period: Period) -> None:
    assert period_of(day, kind) == period
    assert day in period


@pytest.mark.parametrize(
    "today, kind, since",
    [
        (date(2026, 3, 4), WEEKLY, date(2026, 2, 23)),
        (date(2026, 3, 4), BIWEEKLY, date(2026, 2, 9)),
        (date(2026, 3, 4), MONTHLY, date(2026, 2, 1)),
        (date(2026, 1, 2), MONTHLY, date(2025, 12, 1)),
    ],
)
def test_hours_may_be_reported_for_this_period_and_the_one_before(
    today: date, kind: ReportingPeriod, since: date
) -> None:
    assert open_since(today, kind) == since


def test_a_report_is_due_from_two_days_before_its_period_ends_until_a_week_after() -> None:
    plan = HoursPlan(enrolled_on=date(2026, 2, 1), recorded=(TimesheetLine(date(2026, 2, 24), SEARCH, 4),))
    week = Period(date(2026, 3, 2), date(2026, 3, 8))
    assert plan.report_due(date(2026, 3, 5)) is None
    assert plan.report_due(date(2026, 3, 6)) == week
    # Of two reports due at once, the older is named.
    assert plan.report_due(date(2026, 3, 15)) == week
    assert plan.report_due(date(2026, 3, 16)) == Period(date(2026, 3, 9), date(2026, 3, 15))
    reported = HoursPlan(enrolled_on=date(2026, 2, 1), recorded=(TimesheetLine(date(2026, 3, 3), SEARCH, 4),))
    assert reported.report_due(date(2026, 3, 9)) is None
    # Enrolled after the report window opened: that period is not asked of them.
    assert HoursPlan(enrolled_on=date(2026, 3, 7)).report_due(date(2026, 3, 9)) is None
    monthly = HoursPlan(period=MONTHLY, enrolled_on=date(2026, 3, 1))
    assert monthly.report_due(date(2026, 3, 28)) is None
    assert monthly.report_due(date(2026, 3, 29)) == Period(date(2026, 3, 1), date(2026, 3, 31))
    assert monthly.report_due(date(2026, 4, 7)) == Period(date(2026, 3, 1), date(2026, 3, 31))
    assert monthly.report_due(date(2026, 4, 8)) is None


def test_a_week_counts_a_later_report_of_the_same_day_and_activity_once() -> None:
    plan = HoursPlan(
        required=30,
        recorded=(TimesheetLine(date(2026, 3, 2), SEARCH, 8), TimesheetLine(date(2026, 3, 3), SEARCH, 4, Excuse.SICK)),
    )
    hours = plan.week_hours(week_of(date(2026, 3, 2)), [TimesheetLine(date(2026, 3, 2), SEARCH, 6)])
    assert (hours.participated, hours.excused, hours.short_by) == (6, 4, 20)


# --- The timesheet kept from the facts ---------------------------------------------------------------


def participant(service: Service, phone: str = ENGLISH_PHONE) -> Participant:
    with service.sessions.begin() as session:
        found = find_participant_by_phone(session, phone)
        assert found is not None
        return found


def record(service: Service, participant_id: int, *facts: object, at: datetime | None = None) -> None:
    with service.sessions.begin() as session:
        for fact in facts:
            record_fact(session, fact, participant_id, None, None, at or datetime(2026, 3, 4, 18, tzinfo=UTC))  # type: ignore[arg-type]


def entries(service: Service, participant_id: int) -> list[tuple[date, Activity, float, EntryState]]:
    with service.sessions.begin() as session:
        rows = session.scalars(
            select(TimesheetEntry).where(TimesheetEntry.participant_id == participant_id).order_by(TimesheetEntry.id)
        )
        return [(row.day, row.activity, row.hours, row.state) for row in rows]


MON, TUE = date(2026, 3, 2), date(2026, 3, 3)


def test_a_report_left_without_a_yes_stays_on_file_as_unconfirmed(service: Service) -> None:
    jordan = participant(service).id
    record(service, jordan, HoursReported(lines_json([TimesheetLine(MON, SEARCH, 8)])))
    record(service, jordan, HoursReported(lines_json([TimesheetLine(TUE, SEARCH, 6)])), HoursConfirmed(()))
    assert entries(service, jordan) == [
        (MON, SEARCH, 8, EntryState.UNCONFIRMED),
        (TUE, SEARCH, 6, EntryState.CONFIRMED),
    ]


def test_a_correction_changes_adds_and_drops_lines_of_the_report_in_progress(service: Service) -> None:
    jordan = participant(service).id
    record(service, jordan, HoursReported(lines_json([TimesheetLine(MON, SEARCH, 8), TimesheetLine(TUE, SEARCH, 6)])))
    corrected = [TimesheetLine(MON, SEARCH, 7), TimesheetLine(TUE, SCHOOL, 6)]
    record(service, jordan, HoursCorrected(lines_json(corrected)))
    assert entries(service, jordan) == [(MON, SEARCH, 7, EntryState.DRAFT), (TUE, SCHOOL, 6, EntryState.DRAFT)]


def test_confirming_the_same_day_and_activity_again_replaces_the_earlier_hours(service: Service) -> None:
    jordan = participant(service).id
    record(service, jordan, HoursReported(lines_json([TimesheetLine(MON, SEARCH, 8)])), HoursConfirmed(()))
    record(service, jordan, HoursReported(lines_json([TimesheetLine(MON, SEARCH, 5)])), HoursConfirmed(()))
    record(service, jordan, HoursReported(lines_json([TimesheetLine(MON, SCHOOL, 2)])), HoursConfirmed(()))
    assert entries(service, jordan) == [
        (MON, SEARCH, 8, EntryState.REPLACED),
        (MON, SEARCH, 5, EntryState.CONFIRMED),
        (MON, SCHOOL, 2, EntryState.CONFIRMED),
    ]


def test_one_participants_report_never_touches_anothers(service: Service) -> None:
    jordan, guadalupe = participant(service).id, participant(service, SPANISH_PHONE).id
    record(service, guadalupe, HoursReported(lines_json([TimesheetLine(MON, SEARCH, 3)])))
    record(service, jordan, HoursReported(lines_json([TimesheetLine(MON, SEARCH, 8)])), HoursConfirmed(()))
    assert entries(service, guadalupe) == [(MON, SEARCH, 3, EntryState.DRAFT)]


# --- The month a counselor verifies ------------------------------------------------------------------


def test_a_week_spanning_two_months_is_split_by_day_and_its_weekly_total_left_to_the_counselor(
    service: Service,
) -> None:
    jordan = participant(service)
    march_30, april_2 = date(2026, 3, 30), date(2026, 4, 2)
    lines = [
        TimesheetLine(date(2026, 3, 2), SEARCH, 8),
        TimesheetLine(date(2026, 3, 3), SCHOOL, 6),
        TimesheetLine(date(2026, 3, 4), SEARCH, 4, Excuse.CHILD_SICK),
        TimesheetLine(march_30, SEARCH, 8),
        TimesheetLine(april_2, SEARCH, 6),
    ]
    record(service, jordan.id, HoursReported(lines_json(lines)), HoursConfirmed(()))
    record(service, jordan.id, HoursReported(lines_json([TimesheetLine(march_30, SCHOOL, 10, whole_week=True)])))
    record(service, jordan.id, HoursConfirmed(()))
    record(service, jordan.id, HoursReported(lines_json([TimesheetLine(date(2026, 3, 5), SEARCH, 2)])))
    with service.sessions.begin() as session:
        # 23:00 on 31 March in California is already April in UTC: the document belongs to March.
        add_documents(
            session,
            jordan.id,
            _a_message(session, jordan.id),
            Channel.SMS,
            [("u", "image/jpeg")],
            datetime(2026, 4, 1, 6, tzinfo=UTC),
        )
        march = month_totals(session, jordan, 2026, 3)
        april = month_totals(session, jordan, 2026, 4)

    assert march.verify_by == date(2026, 4, 20)
    assert (march.participated, march.excused) == (22, 4)
    assert march.by_activity == {SEARCH: 16, SCHOOL: 6}
    assert march.by_excuse == {Excuse.CHILD_SICK: 4}
    assert march.required == round(30 * 31 / 7, 1)
    assert [week.week.start for week in march.weeks] == [date(2026, 2, 23) + timedelta(weeks=n) for n in range(6)]
    spanning = march.weeks[-1]
    assert (spanning.participated, spanning.spans_months, spanning.met) == (24, True, False)
    assert [line.hours for line in march.unassigned] == [10]
    assert [line.hours for line in march.unconfirmed] == [2]
    assert [document.content_type for document in march.documents] == ["image/jpeg"]

    assert (april.participated, april.by_activity) == (6, {SEARCH: 6})
    assert april.weeks[0].week == week_of(march_30)
    assert [line.hours for line in april.unassigned] == [10]
    assert april.documents == ()

    text = format_month(march)
    assert "March 2026: verify by Apr 20" in text
    assert "Mon Mar 30-Sun Apr 05: 24 of 30 h short, excused 0 h (runs into another month)" in text
    assert "documents received: 1" in text


def _a_message(session: object, participant_id: int) -> int:
    from casefile.messages import add_outbound

    [message_id] = add_outbound(
        session,  # type: ignore[arg-type]
        [
            {
                "participant_id": participant_id,
                "contact_id": None,
                "channel": Channel.SMS,
                "address": ENGLISH_PHONE,
                "body": "",
                "status": "sent",
                "in_reply_to_id": None,
                "created_at": datetime(2026, 4, 1, 6, tzinfo=UTC),
                "status_at": datetime(2026, 4, 1, 6, tzinfo=UTC),
            }
        ],
    )
    return message_id


# --- Impossible input, through every channel -----------------------------------------------------------


def talk(adapter: Adapter, clock: FixedClock, *texts: str, sender: str = ENGLISH_PHONE) -> list[str]:
    """Send each text a minute apart; the replies to the last one."""
    replies: list[str] = []
    for index, text in enumerate(texts):
        clock.advance(minutes=1)
        replies = adapter.send(text, f"hours-{sender}-{clock().isoformat()}-{index}", sender=sender)
    return replies


@pytest.fixture
def wednesday(adapter: Adapter, clock: FixedClock) -> Adapter:
    """Jordan, enrolled on Monday 2 March and confirmed; now Wednesday 4 March, 9:00."""
    talk(adapter, clock, "yes")
    clock.advance(days=2)
    return adapter


@pytest.mark.parametrize(
    "text, reply",
    [
        ("120 hours this week", "120 hours in one week is more than I can take."),
        ("worked 5 hours on 2/10", "Tue, Feb 10 is before the hours I can take, which start Mon, Feb 23."),
        ("-2 hours yesterday", "Hours can't be less than zero."),
        ("25 hrs today", "I read 25 hours on Wed, Mar 4, but a day has only 24."),
        ("4 hours job search tomorrow", "Thu, Mar 5 hasn't come yet"),
    ],
)
def test_impossible_hours_get_the_reason_and_the_question_again(
    wednesday: Adapter, clock: FixedClock, text: str, reply: str
) -> None:
    replies = talk(wednesday, clock, text)
    assert replies[0].startswith(reply)
    assert replies[1].startswith("How many hours did you do")


def test_hours_over_a_day_across_activities_are_questioned_and_the_read_back_kept(
    wednesday: Adapter, clock: FixedClock
) -> None:
    talk(wednesday, clock, "8 hours school today", "yes")
    assert talk(wednesday, clock, "10 hours job search today")[0].startswith("Wed, Mar 4: 10 h")
    replies = talk(wednesday, clock, "today was 18")
    assert replies[0] == "I read 26 hours on Wed, Mar 4, but a day has only 24."
    assert replies[1].startswith("Wed, Mar 4: 10 h\nAll job search.\nTotal this week: 18 of 30.")


def test_a_day_that_reads_two_ways_is_asked_about_in_spanish(adapter: Adapter, clock: FixedClock) -> None:
    talk(adapter, clock, "hola", "sí", sender=SPANISH_PHONE)
    clock.advance(days=2)
    assert talk(adapter, clock, "2/3 5 horas", sender=SPANISH_PHONE) == [
        "¿Quiso decir 1 el lunes 2 de marzo o 2 el martes 3 de febrero? Responda 1 o 2."
    ]
    assert talk(adapter, clock, "1", sender=SPANISH_PHONE)[0].startswith("Lunes 2 de marzo: 5 h")


def test_the_menu_says_when_a_report_is_due(service: Service, adapter: Adapter, clock: FixedClock) -> None:
    with service.sessions.begin() as session:
        jordan = find_participant_by_phone(session, ENGLISH_PHONE)
        assert jordan is not None
        jordan.enrolled_at = datetime(2026, 2, 1, tzinfo=UTC)
    replies = talk(adapter, clock, "yes")
    assert replies[1].endswith("Your hours through Sun, Mar 1 are due: reply 2.")
    talk(adapter, clock, "2", "8 hours job search friday", "yes")
    assert "are due" not in talk(adapter, clock, "menu")[0]


def test_a_monthly_reporter_may_still_report_last_month(service: Service, adapter: Adapter, clock: FixedClock) -> None:
    with service.sessions.begin() as session:
        jordan = find_participant_by_phone(session, ENGLISH_PHONE)
        assert jordan is not None
        jordan.reporting_period = MONTHLY
    talk(adapter, clock, "yes")
    assert talk(adapter, clock, "3 hours school on 2/10")[0].startswith("Tue, Feb 10: 3 h")
