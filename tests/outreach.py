"""Helpers for the scheduler's tests: participants with a history, and what the sweep queued."""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from bot.app import Service
from casefile.enrolment import enrol_participant
from casefile.goals import Goal, GoalStep
from casefile.outreach import Outreach
from casefile.people import Participant, find_counselor_by_email
from casefile.vocabulary import FamilyType, GoalStatus, Language, StepStatus

LA = "America/Los_Angeles"


def enrol(service: Service, first_name: str, phone: str, enrolled_at: datetime, **fields: Any) -> int:
    """A participant enrolled at `enrolled_at` with Dana Lee, then given `fields` (last_heard_at, ...)."""
    with service.sessions.begin() as session:
        counselor = find_counselor_by_email(session, "dana.lee@example.org")
        assert counselor is not None
        participant = enrol_participant(
            session,
            first_name=first_name,
            last_name="Test",
            phone=phone,
            language=Language.ENGLISH,
            time_zone=fields.pop("time_zone", LA),
            counselor=counselor,
            family_type=FamilyType.ONE_PARENT,
            plan_hours=None,
            consent_note="signed WTW 2",
            at=enrolled_at,
        )
        for name, value in fields.items():
            setattr(participant, name, value)
        return participant.id


def change(service: Service, participant_id: int, **fields: Any) -> None:
    with service.sessions.begin() as session:
        session.execute(update(Participant).where(Participant.id == participant_id).values(**fields))


def add_step(service: Service, participant_id: int, due: date, at: datetime) -> None:
    with service.sessions.begin() as session:
        goal = Goal(
            participant_id=participant_id,
            words="Get my GED",
            details=None,
            measure="certificate",
            target_date=due + timedelta(days=60),
            status=GoalStatus.ACTIVE,
            message_id=None,
            set_at=at,
            updated_at=at,
            reached_at=None,
        )
        session.add(goal)
        session.flush()
        session.add(
            GoalStep(
                goal_id=goal.id,
                position=1,
                text="Call the adult school",
                due_date=due,
                status=StepStatus.PENDING,
                message_id=None,
                planned_at=at,
            )
        )


def queued(service: Service, participant_id: int | None = None) -> list[tuple[str, str, str, str | None]]:
    """(rule, occurrence, state, reason) of every outreach row, oldest first."""
    with service.sessions.begin() as session:
        query = select(Outreach).order_by(Outreach.id)
        if participant_id is not None:
            query = query.where(Outreach.participant_id == participant_id)
        return [(row.rule, row.occurrence, row.state.value, row.reason) for row in session.scalars(query)]


def rules_queued(service: Service, participant_id: int) -> list[str]:
    return [rule for rule, *_ in queued(service, participant_id)]
