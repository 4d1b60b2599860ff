"""Goals and steps: kept from facts in the same transaction, one active goal, never across cases."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.app import Service
from casefile.facts import facts_for, record_fact
from casefile.goals import (
    DateRevised,
    Goal,
    GoalConfirmed,
    GoalPlan,
    GoalReached,
    PlannedStep,
    StepDone,
    StepPlanned,
    active_goal,
)
from casefile.people import find_participant_by_phone
from casefile.vocabulary import GoalStatus
from conversations.rendering import english_day, shorten, spanish_day
from tests.support import ENGLISH_PHONE, SPANISH_PHONE

AT = datetime(2026, 3, 2, 17, tzinfo=UTC)
GOAL = GoalConfirmed(words="get my GED", details=None, measure="I pass", target=date(2026, 6, 2))


def participant_id(service: Service, phone: str = ENGLISH_PHONE) -> int:
    with service.sessions.begin() as session:
        participant = find_participant_by_phone(session, phone)
        assert participant is not None
        return participant.id


def record(service: Service, who: int, *facts: object) -> None:
    with service.sessions.begin() as session:
        for fact in facts:
            record_fact(session, fact, who, None, None, AT)  # type: ignore[arg-type]


def test_facts_build_the_goal_and_its_steps_and_read_back_typed(service: Service) -> None:
    jordan = participant_id(service)
    record(service, jordan, GOAL)
    with service.sessions.begin() as session:
        goal = active_goal(session, jordan)
    assert goal is not None and goal.steps == ()
    record(
        service,
        jordan,
        StepPlanned(goal_id=goal.id, text="call the school", due=date(2026, 3, 6)),
        StepPlanned(goal_id=goal.id, text="sign up", due=date(2026, 3, 4)),
    )
    with service.sessions.begin() as session:
        plan = active_goal(session, jordan)
        assert plan is not None
        assert [(s.text, s.due, s.done) for s in plan.steps] == [
            ("call the school", date(2026, 3, 6), False),
            ("sign up", date(2026, 3, 4), False),
        ]
        first, second = plan.steps
    record(
        service,
        jordan,
        StepDone(step_id=second.id, text="sign up"),
        DateRevised(step_id=first.id, text="call the school", previous_due=date(2026, 3, 6), due=date(2026, 3, 9)),
    )
    with service.sessions.begin() as session:
        plan = active_goal(session, jordan)
        assert plan is not None
        assert [(s.due, s.done) for s in plan.steps] == [(date(2026, 3, 9), False), (date(2026, 3, 4), True)]
        assert [record.fact() for record in facts_for(session, jordan)][-1] == DateRevised(
            step_id=first.id, text="call the school", previous_due=date(2026, 3, 6), due=date(2026, 3, 9)
        )


def test_a_reached_goal_is_kept_and_no_longer_active(service: Service) -> None:
    jordan = participant_id(service)
    record(service, jordan, GOAL)
    with service.sessions.begin() as session:
        goal = active_goal(session, jordan)
    assert goal is not None
    record(service, jordan, GoalReached(goal_id=goal.id, words=goal.words), GOAL)
    with service.sessions.begin() as session:
        statuses = session.scalars(select(Goal.status).where(Goal.participant_id == jordan).order_by(Goal.id)).all()
    assert statuses == [GoalStatus.REACHED, GoalStatus.ACTIVE]


def test_the_database_allows_one_active_goal_a_participant(service: Service) -> None:
    jordan = participant_id(service)
    record(service, jordan, GOAL)
    with pytest.raises(IntegrityError):
        record(service, jordan, GOAL)


def test_a_fact_never_changes_another_participants_goal(service: Service) -> None:
    jordan, guadalupe = participant_id(service), participant_id(service, SPANISH_PHONE)
    record(service, jordan, GOAL)
    with service.sessions.begin() as session:
        goal = active_goal(session, jordan)
    assert goal is not None
    with pytest.raises(ValueError, match="not this participant's"):
        record(service, guadalupe, StepPlanned(goal_id=goal.id, text="x", due=date(2026, 3, 6)))
    record(service, jordan, StepPlanned(goal_id=goal.id, text="mine", due=date(2026, 3, 6)))
    with service.sessions.begin() as session:
        step = active_goal(session, jordan).steps[0]  # type: ignore[union-attr]
    record(service, guadalupe, StepDone(step_id=step.id, text="mine"), GoalReached(goal_id=goal.id, words="x"))
    with service.sessions.begin() as session:
        still = active_goal(session, jordan)
    assert still is not None and not still.steps[0].done


def test_the_due_step_is_the_soonest_pending_one_whose_date_has_come() -> None:
    plan = GoalPlan(
        1,
        "job",
        None,
        "hired",
        date(2026, 6, 1),
        (
            PlannedStep(1, "a", date(2026, 3, 9), False),
            PlannedStep(2, "b", date(2026, 3, 4), False),
            PlannedStep(3, "c", date(2026, 3, 2), True),
        ),
    )
    assert plan.due_step(date(2026, 3, 3)) is None
    assert plan.due_step(date(2026, 3, 10)) == plan.steps[1]
    assert [step.id for step in plan.pending] == [2, 1]
    assert not plan.all_done and plan.with_step_done(1).with_step_done(2).all_done


def test_days_are_written_in_each_language() -> None:
    assert english_day(date(2026, 3, 6)) == "Fri, Mar 6"
    assert spanish_day(date(2026, 3, 7)) == "sabado 7 de marzo"
    assert spanish_day(date(2026, 3, 4)) == "miércoles 4 de marzo"


def test_long_words_are_shortened_at_a_word() -> None:
    assert shorten("call the school") == "call the school"
    assert shorten("word " * 20) == "word word word word word word word word word word word..."
    assert len(shorten("x" * 100)) <= 60
