"""The dispatcher's texts: what an outreach row says to its participant, and on which channel and
address it goes (scheduler/dispatch.py decides which rows are sent and writes them). Making a text
only reads; every text passes the identifier guard here.
"""

from collections.abc import Collection
from datetime import date, datetime
from typing import NamedTuple, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from casefile.addresses import outreach_address
from casefile.base import table_of
from casefile.goals import Goal, GoalStep
from casefile.identifiers import outbound_problems
from casefile.people import Counselor, Participant
from casefile.vocabulary import Channel, GoalStatus, Language, StepStatus
from conversations.rendering import MessageRenderer
from scheduler.plain_texts import plain_texts
from scheduler.rules import Anchor, Rule


class DueRow(Protocol):
    """What making a text needs of its outreach row."""

    participant_id: int
    template: str
    body: str | None
    occurrence: str


class Composed(NamedTuple):
    """An outreach text as made by the read-only pass: where it goes, what it says, and what the
    identifier guard found in it (then nothing is sent: the row is skipped and the counselor told)."""

    channel: Channel
    address: str
    body: str
    problems: tuple[str, ...]


class Addressee(NamedTuple):
    """What making a text reads of its participant: their names, language and addresses."""

    id: int
    first_name: str
    last_name: str
    language: Language
    phone: str
    preferred_channel: Channel
    counselor_name: str


_PARTICIPANTS = table_of(Participant)
_COUNSELORS = table_of(Counselor)
_ADDRESSEES = (
    select(
        _PARTICIPANTS.c.id,
        _PARTICIPANTS.c.first_name,
        _PARTICIPANTS.c.last_name,
        _PARTICIPANTS.c.language,
        _PARTICIPANTS.c.phone,
        _PARTICIPANTS.c.preferred_channel,
        (_COUNSELORS.c.first_name + " " + _COUNSELORS.c.last_name).label("counselor_name"),
    )
    .join(_COUNSELORS, _PARTICIPANTS.c.counselor_id == _COUNSELORS.c.id)
    .where(_PARTICIPANTS.c.id.in_(bindparam("participants", expanding=True)))
)


def addressees(session: Session, ids: Collection[int]) -> dict[int, Addressee]:
    """The participants these texts are for, with their counselors' names: one statement of plain
    rows (loading them as ORM objects, with their counselors, was a fifth of the read-only pass)."""
    if not ids:
        return {}
    return {row.id: Addressee(*row) for row in session.execute(_ADDRESSEES, {"participants": list(ids)})}


def compose(
    session: Session, row: DueRow, participant: Addressee, rule: Rule, renderer: MessageRenderer, now: datetime
) -> Composed:
    """The row's text for the participant, and where it goes (this only reads)."""
    channel, address = outreach_address(session, participant)
    body = row.body or plain_texts(renderer).render(
        row.template, _params(session, participant, row, rule), participant.language
    )
    # Every text the scheduler sends, on every channel, passes the identifier guard (issue 16, item 12).
    return Composed(channel, address, body, tuple(outbound_problems(body, participant, now.date())))


def _params(session: Session, participant: Addressee, row: DueRow, rule: Rule) -> dict[str, object]:
    params: dict[str, object] = {
        "first_name": participant.first_name,
        "counselor_name": participant.counselor_name,
    }
    anchor = date.fromisoformat(row.occurrence.split("+")[0]) if "+" in row.occurrence else None
    if rule.relative_to is Anchor.PERIOD_END:
        params["period_end"] = anchor
    if rule.relative_to is Anchor.STEP_DUE:
        params["step"] = (
            session.scalar(
                select(GoalStep.text)
                .join(Goal, GoalStep.goal_id == Goal.id)
                .where(
                    Goal.participant_id == participant.id,
                    Goal.status == GoalStatus.ACTIVE,
                    GoalStep.status == StepStatus.PENDING,
                    GoalStep.due_date == anchor,
                )
                .order_by(GoalStep.position)
            )
            or ""
        )
    return params
