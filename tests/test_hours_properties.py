"""Random hours reports, corrections and answers, end to end on a real database: processing never
fails, and the confirmed timesheet never holds an impossible day or week, a day to come, a second
entry for the same day and activity, or hours the participant did not say YES to."""

import itertools
from collections import defaultdict
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import Service
from bot.channels.console.chat import send_line
from casefile.enrolment import enrol_participant
from casefile.messages import Message
from casefile.people import Counselor
from casefile.timesheets import TimesheetEntry, week_of
from casefile.vocabulary import Activity, Direction, EntryState, FamilyType, Language, MessageStatus
from conversations.answers import read_yes_no
from tests.support import FixedClock

REPORTS = [
    *("8 hrs mon 6 tue", "20 hours this week", "worked 4.5 hours at my job", "eight hours", "7.5", "15 hrs today"),
    *("3h job search yesterday", "trabajé 6 horas hoy", "mon 8, tue 6", "sick monday 8 hours", "2/3 5 horas"),
    *("hours", "2", "hi", "HELP", "menu", "STOP", "START", "español"),
]
#: Reports that must not be taken as they are, alone or added to what is on file.
IMPOSSIBLE = [
    *("tomorrow 4 hours", "-3 hours", "30 hrs today", "120 hours this week", "today 20", "60 hours this week"),
    *("worked 5 hours on 2/10", "4 hours job search on friday next week"),
]
#: Answers to "which day?", "which activity?", "which of two dates?".
CLARIFY = ["1", "2", "today", "yesterday", "week", "school", "job search", "fri", "?"]
#: Answers to the read-back.
FINAL = [
    *("yes", "yes", "yes", "sí", "no", "maybe", "ok"),
    *("no, tuesday was 5", "change monday to 17", "remove tue", "quita el lunes", "today was 22", "it was school"),
]
#: One report: the hours, what it takes to make them clear, the answer to the read-back, and a pause.
episodes = st.lists(
    st.tuples(
        st.one_of(*[st.sampled_from(REPORTS)] * 3, *[st.sampled_from(IMPOSSIBLE)] * 3, st.text(max_size=60)),
        st.lists(st.sampled_from(CLARIFY), max_size=2),
        st.lists(st.sampled_from(FINAL), min_size=1, max_size=3),
        st.sampled_from([timedelta(minutes=1), timedelta(hours=5), timedelta(days=1), timedelta(days=4)]),
    ),
    min_size=1,
    max_size=8,
)
_PHONES = (f"+1510556{n:04d}" for n in itertools.count(3000))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(episodes, st.sampled_from([(), (Activity.JOB_SEARCH,), (Activity.JOB_SEARCH, Activity.EDUCATION)]))
def test_random_reports_never_fail_nor_store_impossible_hours(
    service: Service,
    clock: FixedClock,
    reports: list[tuple[str, list[str], list[str], timedelta]],
    activities: tuple[Activity, ...],
) -> None:
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
            activities=activities,
        ).id
    confirmed_before: set[int] = set()
    sequence = [("yes", timedelta(minutes=1))]
    for report, clarifications, answers, pause in reports:
        sequence += [(report, pause), *((text, timedelta(minutes=1)) for text in [*clarifications, *answers])]
    for text, wait in sequence:
        clock.advance(seconds=wait.total_seconds())
        send_line(service.inbox, phone, text, clock)
        today = clock().astimezone(ZoneInfo("America/Los_Angeles")).date()
        with service.sessions.begin() as session:
            inbound = session.scalars(
                select(Message)
                .where(Message.address == phone, Message.direction == Direction.INBOUND)
                .order_by(Message.id.desc())
            ).first()
            assert inbound is not None and inbound.status is MessageStatus.PROCESSED, f"{text!r} not processed"
            confirmed = session.scalars(
                select(TimesheetEntry).where(
                    TimesheetEntry.participant_id == participant_id, TimesheetEntry.state == EntryState.CONFIRMED
                )
            ).all()
        new = {entry.id for entry in confirmed} - confirmed_before
        assert not new or read_yes_no(text) is True, f"hours saved without a YES, on {text!r}"
        confirmed_before = {entry.id for entry in confirmed}
        _assert_possible(confirmed, today)


def _assert_possible(confirmed: list[TimesheetEntry], today: date) -> None:
    by_day: dict[date, float] = defaultdict(float)
    by_week: dict[date, float] = defaultdict(float)
    keys = set()
    for entry in confirmed:
        key = (entry.day, entry.whole_week, entry.activity, entry.excuse)
        assert key not in keys, f"two confirmed entries for {key}"
        keys.add(key)
        assert entry.hours >= 0
        assert entry.day <= today, f"hours for a day to come: {entry.day}"
        if not entry.whole_week:
            by_day[entry.day] += entry.hours
        by_week[week_of(entry.day).start] += entry.hours
    assert all(hours <= 24 for hours in by_day.values()), by_day
    assert all(hours < 100 for hours in by_week.values()), by_week
