"""Which week hours belong to, when a week has ended, and a pending question that must not swallow a
message that is plainly something else (issue 15). The pure engine, on the participant's clock."""

from dataclasses import replace
from datetime import UTC, date, datetime

from casefile.timesheets import HoursConfirmed, HoursShort, TimesheetLine, lines_from_json
from casefile.vocabulary import Activity, Language
from tests.engine_driver import Conversation, participant


def _confirmed(conversation: Conversation) -> list[TimesheetLine]:
    return [line for fact in conversation.facts if isinstance(fact, HoursConfirmed) for line in lines_from_json(fact.lines)]


def test_a_report_just_after_midnight_on_sunday_is_not_asked_why_the_week_ended_short() -> None:
    # 00:04 on Sunday 8 March in Oakland: Sunday is still to come.
    conversation = Conversation(now=datetime(2026, 3, 8, 8, 3, tzinfo=UTC))
    conversation.person = replace(conversation.person, hours=replace(conversation.person.hours, activities=(Activity.JOB_SEARCH,)))
    conversation.send("12 hours this week")
    keys = conversation.keys("yes")
    assert keys == ["hours_saved"]
    assert not [fact for fact in conversation.facts if isinstance(fact, HoursShort)]
