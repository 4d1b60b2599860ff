"""What a participant is told, what is stored and what the counselor's monthly view shows always agree
(issue 15: a report with two amounts on one day was read back as "Total this week: 1 of 30", saved so,
and shown as 3 to the counselor). Random reports of several amounts on the same and different days and
activities, end to end on a real database, through the console channel as a participant types them."""

import itertools
import re
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import Service
from bot.channels.console.chat import send_line
from casefile.enrolment import enrol_participant
from casefile.people import Counselor, Participant
from casefile.timesheets import TimesheetEntry
from casefile.verification import month_totals
from casefile.vocabulary import Activity, EntryState, FamilyType, Language
from tests.support import FixedClock

#: Saturday evening in Oakland: Monday to Saturday of this week may be reported.
SATURDAY_EVENING = datetime(2026, 3, 8, 4, 0, tzinfo=UTC)
MONDAY = date(2026, 3, 2)
DAYS = ["monday", "tuesday", "wed", "thursday", "fri", "saturday"]
ACTIVITY_WORDS = {
    Activity.JOB_SEARCH: ["job search", "job club", "applications"],
    Activity.EDUCATION: ["school", "class"],
}
#: One amount: half-hour steps up to 6 hours, a day of this week, and the words for an activity.
amounts = st.tuples(
    st.integers(min_value=1, max_value=12).map(lambda halves: halves / 2),
    st.sampled_from(DAYS),
    st.sampled_from([word for words in ACTIVITY_WORDS.values() for word in words]),
)


def _within_a_day(texts: list[list[tuple[float, str, str]]]) -> bool:
    """No day over 24 hours across the reports: the engine rightly refuses that ("a day has only 24")."""
    by_day: dict[str, float] = {}
    for hours, day, _ in itertools.chain.from_iterable(texts):
        by_day[day] = by_day.get(day, 0.0) + hours
    return max(by_day.values()) <= 24


reports = st.lists(st.lists(amounts, min_size=1, max_size=4), min_size=1, max_size=3).filter(_within_a_day)
_PHONES = (f"+1510557{n:04d}" for n in itertools.count(1000))
_TOLD = re.compile(r"(?:Total this week|This week): (\d+(?:\.\d+)?) of 30")


def _text(report: list[tuple[float, str, str]]) -> str:
    return ", ".join(f"{hours:g} hrs {activity} {day}" for hours, day, activity in report)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reports)
def test_what_is_told_stored_and_shown_agree(
    service: Service, clock: FixedClock, texts: list[list[tuple[float, str, str]]]
) -> None:
    clock.now = SATURDAY_EVENING
    phone = next(_PHONES)
    with service.sessions.begin() as session:
        participant_id = enrol_participant(
            session,
            first_name="Ana",
            last_name="Test",
            phone=phone,
            language=Language.ENGLISH,
            time_zone="America/Los_Angeles",
            counselor=session.scalars(select(Counselor)).first(),  # type: ignore[arg-type]
            family_type=FamilyType.ONE_PARENT,
            plan_hours=None,
            consent_note="signed WTW 2",
            at=clock(),
            activities=(Activity.JOB_SEARCH, Activity.EDUCATION),
        ).id
    send_line(service.inbox, phone, "yes", clock)
    for report in texts:
        clock.advance(minutes=1)
        replies = send_line(service.inbox, phone, _text(report), clock)
        told = [float(found) for reply in replies for found in _TOLD.findall(reply)]
        assert told, f"{_text(report)!r} was not read back: {replies}"
        clock.advance(minutes=1)
        saved = [
            float(found) for reply in send_line(service.inbox, phone, "yes", clock) for found in _TOLD.findall(reply)
        ]
        assert saved == told[-1:], f"read back {told}, saved {saved}"
        with service.sessions.begin() as session:
            stored = sum(
                session.scalars(
                    select(TimesheetEntry.hours).where(
                        TimesheetEntry.participant_id == participant_id,
                        TimesheetEntry.state == EntryState.CONFIRMED,
                        TimesheetEntry.day >= MONDAY,
                    )
                )
            )
            participant = session.get(Participant, participant_id)
            assert participant is not None
            shown = next(
                week for week in month_totals(session, participant, 2026, 3).weeks if week.week.start == MONDAY
            )
        assert told[-1] == stored == shown.participated, f"told {told[-1]}, stored {stored}, shown {shown.participated}"
        assert sum(shown.by_activity.values()) == stored


def test_two_amounts_on_one_day_are_added_in_the_read_back(service: Service, clock: FixedClock) -> None:
    """The issue's report, pinned: the read-back names one line of 3 hours and a total of 3."""
    clock.now = SATURDAY_EVENING - timedelta(days=5)  # Monday evening
    send_line(service.inbox, "+15105550100", "yes", clock)
    replies = send_line(service.inbox, "+15105550100", "2 hours job search today and 1 hr job search today", clock)
    assert "3 h" in replies[-1] and "Total this week: 3 of" in replies[-1], replies
