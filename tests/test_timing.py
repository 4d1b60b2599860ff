"""When outreach may go: quiet hours on the participant's clock across DST, business days and
holidays, month arithmetic, and the dates a rule counts back to. Pure functions, fixed dates."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from casefile.outreach import OutreachKind
from casefile.vocabulary import ConsentState, ProgrammeStatus
from scheduler.decisions import Action, Recipient, decide
from scheduler.rules import Anchor, Busy, Rule, Unit
from scheduler.sweep import anchors_due_on
from scheduler.timing import Calendar, add_months

LA = ZoneInfo("America/Los_Angeles")
CALENDAR = Calendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        ("2026-03-06T07:59:59-08:00", False),
        ("2026-03-06T08:00:00-08:00", True),
        ("2026-03-06T20:59:59-08:00", True),
        ("2026-03-06T21:00:00-08:00", False),
        # Spring forward (Sun 8 Mar 2026): 15:30 UTC is 8:30 PDT, where it was 7:30 PST the day before.
        ("2026-03-08T15:30:00+00:00", True),
        ("2026-03-07T15:30:00+00:00", False),
        # Fall back (Sun 1 Nov 2026): 15:30 UTC is 7:30 PST, where it was 8:30 PDT the day before.
        ("2026-11-01T15:30:00+00:00", False),
        ("2026-10-31T15:30:00+00:00", True),
    ],
)
def test_texts_go_only_between_8am_and_9pm_on_the_participants_clock(moment: str, allowed: bool) -> None:
    assert CALENDAR.is_allowed(at(moment), LA, business_days=False) is allowed


@pytest.mark.parametrize(
    ("moment", "business_days", "expected"),
    [
        ("2026-03-06T06:10:00-08:00", False, "2026-03-06T08:00:00-08:00"),
        ("2026-03-06T21:30:00-08:00", False, "2026-03-07T08:00:00-08:00"),
        # Deferred across the spring-forward night: 8:00 the next morning is PDT.
        ("2026-03-07T22:00:00-08:00", False, "2026-03-08T08:00:00-07:00"),
        ("2026-10-31T23:00:00-07:00", False, "2026-11-01T08:00:00-08:00"),
        # A business-day rule on Friday night waits for Monday; before Thanksgiving, for the Monday after.
        ("2026-03-06T21:30:00-08:00", True, "2026-03-09T08:00:00-07:00"),
        ("2026-11-25T22:00:00-08:00", True, "2026-11-30T08:00:00-08:00"),
        # Independence Day observed on Friday 3 July 2026; Cesar Chavez Day, a California holiday.
        ("2026-07-03T12:00:00-07:00", True, "2026-07-06T08:00:00-07:00"),
        ("2026-03-31T12:00:00-07:00", True, "2026-04-01T08:00:00-07:00"),
        ("2026-03-06T12:00:00-08:00", True, "2026-03-06T12:00:00-08:00"),
    ],
)
def test_a_text_outside_its_time_is_deferred_to_8am_of_the_next_allowed_day(
    moment: str, business_days: bool, expected: str
) -> None:
    deferred = CALENDAR.next_allowed(at(moment), LA, business_days)
    assert deferred == at(expected)
    assert CALENDAR.is_allowed(deferred, LA, business_days)


def test_business_days_skip_weekends_and_federal_and_california_holidays() -> None:
    assert CALENDAR.add_business_days(date(2026, 11, 25), 1) == date(2026, 11, 30)  # Thanksgiving and the day after
    assert CALENDAR.add_business_days(date(2026, 1, 16), 1) == date(2026, 1, 20)  # Martin Luther King Jr. Day
    assert CALENDAR.add_business_days(date(2026, 3, 1), 0) == date(2026, 3, 2)  # Sunday: Monday
    assert CALENDAR.add_business_days(date(2026, 12, 31), 1) == date(2027, 1, 4)  # New Year's Day, a weekend
    assert not CALENDAR.is_business_day(date(2026, 3, 31))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 1, 31), 13, date(2028, 2, 29)),
        (date(2026, 8, 31), 3, date(2026, 11, 30)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 20), 12, date(2027, 5, 20)),
    ],
)
def test_months_end_on_the_last_day_when_the_day_does_not_exist(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def rule(relative_to: Anchor = Anchor.EXITED, unit: Unit = Unit.MONTHS, **fields: object) -> Rule:
    return Rule("test", relative_to, ("outreach_follow_up",), unit=unit, **fields)  # type: ignore[arg-type]


def test_the_dates_a_rule_counts_back_to() -> None:
    # Everyone who left on 28, 29, 30 or 31 January is due their 1-month follow-up on 28 February.
    assert anchors_due_on(rule(), 1, date(2026, 2, 28), CALENDAR) == [date(2026, 1, d) for d in (28, 29, 30, 31)]
    assert anchors_due_on(rule(), 1, date(2026, 3, 15), CALENDAR) == [date(2026, 2, 15)]
    # Enrolled on Saturday, Sunday or Monday: welcomed by Monday, the first business day.
    welcome = rule(Anchor.ENROLLED, Unit.BUSINESS_DAYS)
    assert anchors_due_on(welcome, 0, date(2026, 3, 2), CALENDAR) == [
        date(2026, 2, 28),
        date(2026, 3, 1),
        date(2026, 3, 2),
    ]
    assert anchors_due_on(welcome, 1, date(2026, 11, 30), CALENDAR) == [
        date(2026, 11, 25),
        date(2026, 11, 26),
        date(2026, 11, 27),
        date(2026, 11, 28),
        date(2026, 11, 29),
    ]
    assert anchors_due_on(rule(Anchor.PERIOD_END, Unit.DAYS), 2, date(2026, 3, 3), CALENDAR) == [date(2026, 3, 1)]


def test_every_day_of_a_year_is_the_due_day_of_exactly_one_set_of_dates() -> None:
    """Counting forward from each anchor and back from each due day agree, for every unit."""
    for unit, offset in ((Unit.MONTHS, 1), (Unit.MONTHS, 12), (Unit.BUSINESS_DAYS, 1), (Unit.BUSINESS_DAYS, 0)):
        forward = {}
        for n in range(400):
            anchor = date(2026, 1, 1) + timedelta(days=n)
            due = add_months(anchor, offset) if unit is Unit.MONTHS else CALENDAR.add_business_days(anchor, offset)
            forward.setdefault(due, []).append(anchor)
        for due, anchors in forward.items():
            if due <= date(2027, 1, 1) and anchors[0] > date(2026, 1, 10):
                assert anchors_due_on(rule(unit=unit), offset, due, CALENDAR) == anchors, (unit, offset, due)


NOW = at("2026-03-04T10:30:00-08:00")  # a Wednesday morning in California
CREATED = NOW - timedelta(hours=2)


def recipient(**changes: object) -> Recipient:
    values: dict[str, object] = {
        "consent": ConsentState.CONFIRMED,
        "status": ProgrammeStatus.ACTIVE,
        "time_zone": "America/Los_Angeles",
        "paused_until": None,
        "last_heard_at": NOW - timedelta(days=40),
        "conversation_at": None,
        "texted_today": False,
    }
    return Recipient(**(values | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("who", "the_rule", "action", "reason"),
    [
        (recipient(), rule(Anchor.QUIET_SINCE, Unit.DAYS), Action.SEND, None),
        (recipient(consent=ConsentState.OPTED_OUT), rule(Anchor.QUIET_SINCE, Unit.DAYS), Action.CANCEL, "opted_out"),
        (recipient(status=ProgrammeStatus.EXITED), rule(Anchor.QUIET_SINCE, Unit.DAYS), Action.SKIP, "status_changed"),
        (recipient(paused_until=date(2026, 3, 4)), rule(Anchor.QUIET_SINCE, Unit.DAYS), Action.SKIP, "paused"),
        (recipient(paused_until=date(2026, 3, 3)), rule(Anchor.QUIET_SINCE, Unit.DAYS), Action.SEND, None),
        (
            recipient(last_heard_at=NOW - timedelta(hours=1)),
            rule(Anchor.QUIET_SINCE, Unit.DAYS, stop_on_reply=True),
            Action.CANCEL,
            "answered",
        ),
        (recipient(last_heard_at=NOW - timedelta(hours=1)), rule(Anchor.QUIET_SINCE, Unit.DAYS), Action.SEND, None),
        (
            recipient(conversation_at=NOW - timedelta(minutes=5)),
            rule(Anchor.CHECK_IN_DAY, Unit.DAYS),
            Action.DEFER,
            "busy",
        ),
        (
            recipient(conversation_at=NOW - timedelta(minutes=5)),
            rule(Anchor.CHECK_IN_DAY, Unit.DAYS, busy=Busy.SKIP),
            Action.SKIP,
            "busy",
        ),
        (recipient(conversation_at=NOW - timedelta(hours=3)), rule(Anchor.CHECK_IN_DAY, Unit.DAYS), Action.SEND, None),
        (recipient(texted_today=True), rule(Anchor.CHECK_IN_DAY, Unit.DAYS), Action.DEFER, "one_a_day"),
        (recipient(time_zone="America/New_York"), rule(Anchor.CHECK_IN_DAY, Unit.DAYS), Action.SEND, None),
        (recipient(time_zone="Pacific/Honolulu"), rule(Anchor.CHECK_IN_DAY, Unit.DAYS), Action.SEND, None),
        (recipient(time_zone="Asia/Tokyo"), rule(Anchor.CHECK_IN_DAY, Unit.DAYS), Action.DEFER, "quiet_hours"),
        (recipient(), rule(Anchor.ENROLLED, Unit.BUSINESS_DAYS), Action.SKIP, "in_touch"),
        (recipient(last_heard_at=None), rule(Anchor.ENROLLED, Unit.BUSINESS_DAYS), Action.SEND, None),
    ],
)
def test_the_dispatchers_decision(who: Recipient, the_rule: Rule, action: Action, reason: str | None) -> None:
    decision = decide(the_rule, OutreachKind.TEXT, CREATED, who, CALENDAR, NOW)
    assert (decision.action, decision.reason) == (action, reason)


def test_deferred_decisions_say_until_when() -> None:
    busy = decide(
        rule(Anchor.CHECK_IN_DAY, Unit.DAYS), OutreachKind.TEXT, CREATED, recipient(conversation_at=NOW), CALENDAR, NOW
    )
    assert busy.until == NOW + timedelta(minutes=30)
    tomorrow = decide(
        rule(Anchor.CHECK_IN_DAY, Unit.DAYS), OutreachKind.TEXT, CREATED, recipient(texted_today=True), CALENDAR, NOW
    )
    assert tomorrow.until == at("2026-03-05T08:00:00-08:00")
    tokyo = decide(
        rule(Anchor.CHECK_IN_DAY, Unit.DAYS),
        OutreachKind.TEXT,
        CREATED,
        recipient(time_zone="Asia/Tokyo"),
        CALENDAR,
        NOW,
    )
    assert tokyo.until == datetime(2026, 3, 5, 8, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert decide(None, OutreachKind.TEXT, CREATED, recipient(), CALENDAR, NOW).reason == "rule_removed"
    task = decide(
        rule(Anchor.QUIET_SINCE, Unit.DAYS),
        OutreachKind.TASK,
        CREATED,
        recipient(time_zone="Asia/Tokyo"),
        CALENDAR,
        NOW,
    )
    assert task.action is Action.TASK  # a task is for the counselor: quiet hours are the participant's
