"""Which week hours belong to, when a week has ended, and a pending question that must not swallow a
message that is plainly something else (issue 15). The pure engine, on the participant's clock."""

from dataclasses import replace
from datetime import UTC, date, datetime

from casefile.goals import BarrierRaised, GoalPlan, PlannedStep, StepMissed
from casefile.timesheets import HoursConfirmed, HoursPlan, HoursShort, TimesheetLine, lines_from_json
from casefile.vocabulary import Activity, Barrier, Language
from tests.engine_driver import Conversation, participant


def _confirmed(conversation: Conversation) -> list[TimesheetLine]:
    return [
        line for fact in conversation.facts if isinstance(fact, HoursConfirmed) for line in lines_from_json(fact.lines)
    ]


def test_a_report_just_after_midnight_on_sunday_is_not_asked_why_the_week_ended_short() -> None:
    # 00:04 on Sunday 8 March in Oakland: Sunday is still to come.
    conversation = Conversation(now=datetime(2026, 3, 8, 8, 3, tzinfo=UTC))
    conversation.person = replace(
        conversation.person, hours=replace(conversation.person.hours, activities=(Activity.JOB_SEARCH,))
    )
    conversation.send("12 hours this week")
    keys = conversation.keys("yes")
    assert keys == ["hours_saved"]
    assert not [fact for fact in conversation.facts if isinstance(fact, HoursShort)]


def test_last_weeks_total_is_filed_in_last_week() -> None:
    # Wednesday 4 March: "la semana pasada" is the week of Monday 23 February.
    conversation = Conversation(now=datetime(2026, 3, 4, 18, 0, tzinfo=UTC))
    conversation.person = replace(
        conversation.person, language=Language.SPANISH, hours=HoursPlan(activities=(Activity.JOB_SEARCH,))
    )
    conversation.send("la semana pasada 12 horas")
    conversation.send("sí")
    assert _confirmed(conversation) == [TimesheetLine(date(2026, 2, 23), Activity.JOB_SEARCH, 12, None, True)]


def test_an_hours_report_sent_at_what_got_in_the_way_is_taken_as_a_report() -> None:
    conversation = Conversation(now=datetime(2026, 3, 10, 18, 0, tzinfo=UTC))  # Tuesday
    conversation.person = replace(conversation.person, hours=HoursPlan(activities=(Activity.JOB_SEARCH,)))
    conversation.send("last week 12 hours")
    assert conversation.keys("yes") == ["hours_saved", "hours_short_ask"]
    keys = conversation.keys("worked 6 hours monday")
    assert keys == ["hours_readback"]
    assert not [fact for fact in conversation.facts if isinstance(fact, BarrierRaised)]
    conversation.send("yes")
    assert TimesheetLine(date(2026, 3, 9), Activity.JOB_SEARCH, 6) in _confirmed(conversation)


def test_what_got_in_the_way_is_still_taken_in_words_that_name_hours() -> None:
    conversation = Conversation(now=datetime(2026, 3, 10, 18, 0, tzinfo=UTC))
    conversation.person = replace(conversation.person, hours=HoursPlan(activities=(Activity.JOB_SEARCH,)))
    conversation.send("last week 12 hours")
    conversation.send("yes")
    assert conversation.keys("no childcare so only 12 hours") == ["support_offer"]
    assert [fact.category for fact in conversation.facts if isinstance(fact, BarrierRaised)] == [Barrier.CHILDCARE]


def test_a_check_in_answer_that_names_a_barrier_takes_both() -> None:
    plan = GoalPlan(
        7,
        "get my GED",
        None,
        "I pass",
        date(2026, 6, 2),
        (PlannedStep(70, "call the school", date(2026, 3, 2), False),),
    )
    conversation = Conversation(person=replace(participant(), goal=plan))
    conversation.send("hi")
    assert conversation.keys("no cuz my kid was sick") == ["support_offer"]
    assert [type(fact) for fact in conversation.facts] == [StepMissed, BarrierRaised]
    assert conversation.facts[-1].category is Barrier.CHILDCARE  # type: ignore[attr-defined]
