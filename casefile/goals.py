"""Goals and their steps (CalWORKs 2.0 Goal–Plan–Do–Review): the facts a check-in emits, and the
tables kept from them so that the scheduler can remind on due dates and the notes can say where a
participant stands without re-reading messages.

The participant's words are kept as they said them; nothing here rewrites a goal.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Text, Update, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from casefile.base import Base, string_enum, table_of
from casefile.facts import Fact, FactSource, projects, register_fact
from casefile.prepared import Prepared
from casefile.vocabulary import Barrier, GoalStatus, StepStatus

# --- The facts ------------------------------------------------------------------------------------


@register_fact
@dataclass(frozen=True)
class GoalSet(Fact):
    """The participant named a goal in their own words (before the SMART questions)."""

    kind = "goal_set"
    words: str


@register_fact
@dataclass(frozen=True)
class GoalConfirmed(Fact):
    """The participant confirmed the goal as read back to them: it becomes their active goal."""

    kind = "goal_confirmed"
    words: str
    details: str | None
    measure: str
    target: date


@register_fact
@dataclass(frozen=True)
class GoalRevised(Fact):
    kind = "goal_revised"
    goal_id: int
    words: str
    details: str | None
    measure: str
    target: date


@register_fact
@dataclass(frozen=True)
class GoalReached(Fact):
    kind = "goal_reached"
    goal_id: int
    words: str


@register_fact
@dataclass(frozen=True)
class StepPlanned(Fact):
    kind = "step_planned"
    goal_id: int
    text: str
    due: date


@register_fact
@dataclass(frozen=True)
class StepDone(Fact):
    kind = "step_done"
    step_id: int
    text: str


@register_fact
@dataclass(frozen=True)
class StepMissed(Fact):
    """A step not done by its date. Revised, never scolded: a DateRevised or StepChanged follows."""

    kind = "step_missed"
    step_id: int
    text: str
    due: date


@register_fact
@dataclass(frozen=True)
class DateRevised(Fact):
    kind = "date_revised"
    step_id: int
    text: str
    previous_due: date
    due: date


@register_fact
@dataclass(frozen=True)
class StepChanged(Fact):
    """The participant replaced a step they were stuck on with another."""

    kind = "step_changed"
    step_id: int
    previous_text: str
    text: str
    due: date


@register_fact
@dataclass(frozen=True)
class BarrierRaised(Fact):
    """A pothole or detour, with the participant's own words: what a counselor can help with."""

    kind = "barrier_raised"
    needs_counselor = True
    category: Barrier
    words: str
    step_id: int | None


@register_fact
@dataclass(frozen=True)
class SupportRequested(Fact):
    """The participant said yes to "Would you like your counselor to help with this?"."""

    kind = "support_requested"
    needs_counselor = True
    category: Barrier
    step_id: int | None


# --- What a conversation sees ---------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedStep:
    id: int
    text: str
    due: date
    done: bool


@dataclass(frozen=True)
class GoalPlan:
    """A participant's active goal and its steps in plan order."""

    id: int
    words: str
    details: str | None
    measure: str
    target: date
    steps: tuple[PlannedStep, ...]

    def step(self, step_id: int) -> PlannedStep | None:
        return next((step for step in self.steps if step.id == step_id), None)

    @property
    def pending(self) -> tuple[PlannedStep, ...]:
        """Steps not done yet, soonest first."""
        return tuple(sorted((step for step in self.steps if not step.done), key=lambda step: step.due))

    def due_step(self, today: date) -> PlannedStep | None:
        """The step a check-in asks about: the soonest one whose date has come."""
        return next((step for step in self.pending if step.due <= today), None)

    def with_step_done(self, step_id: int) -> "GoalPlan":
        """The plan as it is once this step is done: a turn looks ahead before the tables change."""
        return replace(self, steps=tuple(replace(s, done=True) if s.id == step_id else s for s in self.steps))

    @property
    def all_done(self) -> bool:
        return bool(self.steps) and not self.pending


# --- The tables -----------------------------------------------------------------------------------


class Goal(Base):
    __tablename__ = "goals"
    __table_args__ = (
        # One active goal a participant, enforced by the database too.
        Index(
            "uq_goals_one_active",
            "participant_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    words: Mapped[str] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(Text)
    target_date: Mapped[date]
    status: Mapped[GoalStatus] = mapped_column(string_enum(GoalStatus, 16))
    #: The message that confirmed it.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    set_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    reached_at: Mapped[datetime | None]


class GoalStep(Base):
    __tablename__ = "goal_steps"
    __table_args__ = (Index("ix_goal_steps_status_due", "status", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"), index=True)
    #: 1, 2, 3… in the order planned.
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date]
    status: Mapped[StepStatus] = mapped_column(string_enum(StepStatus, 16))
    #: The message that planned it.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    planned_at: Mapped[datetime]
    done_at: Mapped[datetime | None]


_GOALS = table_of(Goal)
_STEPS = table_of(GoalStep)

# Read on every message from a participant, so built once (casefile.base.table_of).
_ACTIVE_GOAL = Prepared(
    select(
        _GOALS.c.id,
        _GOALS.c.words,
        _GOALS.c.details,
        _GOALS.c.measure,
        _GOALS.c.target_date,
        _STEPS.c.id.label("step_id"),
        _STEPS.c.text,
        _STEPS.c.due_date,
        _STEPS.c.status.label("step_status"),
    )
    .outerjoin(_STEPS, _STEPS.c.goal_id == _GOALS.c.id)
    .where(_GOALS.c.participant_id == bindparam("participant_id"), _GOALS.c.status == GoalStatus.ACTIVE)
    .order_by(_STEPS.c.position)
)


def active_goal(session: Session, participant_id: int) -> GoalPlan | None:
    rows = _ACTIVE_GOAL.rows(session, {"participant_id": participant_id})
    if not rows:
        return None
    goal_id, words, details, measure, target_date = rows[0][:5]
    steps = tuple(
        PlannedStep(step_id, text, due_date, step_status is StepStatus.DONE)
        for step_id, text, due_date, step_status in (row[5:] for row in rows)
        if step_id is not None
    )
    return GoalPlan(goal_id, words, details, measure, target_date, steps)


# --- Keeping the tables from the facts --------------------------------------------------------------


@projects(GoalConfirmed)
def _add_goal(session: Session, fact: GoalConfirmed, source: FactSource) -> None:
    session.execute(
        insert(_GOALS).values(
            participant_id=source.participant_id,
            words=fact.words,
            details=fact.details,
            measure=fact.measure,
            target_date=fact.target,
            status=GoalStatus.ACTIVE,
            message_id=source.message_id,
            set_at=source.at,
            updated_at=source.at,
        )
    )


@projects(GoalRevised)
def _revise_goal(session: Session, fact: GoalRevised, source: FactSource) -> None:
    session.execute(
        _goal_of(source, fact.goal_id).values(
            words=fact.words, details=fact.details, measure=fact.measure, target_date=fact.target, updated_at=source.at
        )
    )


@projects(GoalReached)
def _reach_goal(session: Session, fact: GoalReached, source: FactSource) -> None:
    session.execute(
        _goal_of(source, fact.goal_id).values(status=GoalStatus.REACHED, reached_at=source.at, updated_at=source.at)
    )


@projects(StepPlanned)
def _add_step(session: Session, fact: StepPlanned, source: FactSource) -> None:
    position = session.scalar(
        select(func.coalesce(func.max(_STEPS.c.position), 0) + 1)
        .select_from(_GOALS.outerjoin(_STEPS, _STEPS.c.goal_id == _GOALS.c.id))
        .where(_GOALS.c.id == fact.goal_id, _GOALS.c.participant_id == source.participant_id)
        .group_by(_GOALS.c.id)
    )
    if position is None:
        raise ValueError(f"goal {fact.goal_id} is not this participant's")
    session.execute(
        insert(_STEPS).values(
            goal_id=fact.goal_id,
            position=position,
            text=fact.text,
            due_date=fact.due,
            status=StepStatus.PENDING,
            message_id=source.message_id,
            planned_at=source.at,
        )
    )


@projects(StepDone)
def _finish_step(session: Session, fact: StepDone, source: FactSource) -> None:
    session.execute(_step_of(source, fact.step_id).values(status=StepStatus.DONE, done_at=source.at))


@projects(DateRevised)
def _move_step(session: Session, fact: DateRevised, source: FactSource) -> None:
    session.execute(_step_of(source, fact.step_id).values(due_date=fact.due))


@projects(StepChanged)
def _change_step(session: Session, fact: StepChanged, source: FactSource) -> None:
    session.execute(_step_of(source, fact.step_id).values(text=fact.text, due_date=fact.due))


def _goal_of(source: FactSource, goal_id: int) -> Update:
    """An update of one goal, only if it is this participant's: a fact never reaches across cases."""
    return update(_GOALS).where(_GOALS.c.id == goal_id, _GOALS.c.participant_id == source.participant_id)


def _step_of(source: FactSource, step_id: int) -> Update:
    mine = select(_GOALS.c.id).where(_GOALS.c.participant_id == source.participant_id)
    return update(_STEPS).where(_STEPS.c.id == step_id, _STEPS.c.goal_id.in_(mine))
