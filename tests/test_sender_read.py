"""The one read of a text's sender (casefile/arrivals.py) says what the separate reads say, for
every participant of a seeded county: their open contacts, open handoff, active goal with its steps
in order, and whether outreach is unanswered or queued. Some are given an open contact, some
two (a text on another channel), so that contacts and steps multiply each other's rows."""

import random
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import exists, insert, select
from sqlalchemy.orm import Session

from bench.seed import NOW, phone_of, seed
from bot.app import Service, build_service
from bot.settings import Settings
from casefile.arrivals import sender_by_id, sender_by_phone
from casefile.contacts import Contact
from casefile.goals import active_goal
from casefile.handoffs import open_handoff_of
from casefile.outreach import Outreach, OutreachKind, OutreachState
from tests.support import FixedClock

PARTICIPANTS = 300


@pytest.fixture
def county(database_url: str) -> Iterator[Service]:
    seed(database_url, PARTICIPANTS, weeks=4)
    service = build_service(Settings(database_url=database_url), FixedClock(NOW))
    rng = random.Random(7)
    with service.sessions.begin() as session:
        session.execute(
            insert(Contact),
            [
                {
                    "participant_id": participant_id,
                    "channel": channel,
                    "opened_by": "participant",
                    "opened_at": NOW - timedelta(minutes=rng.randrange(100, 200)),
                    "last_message_at": NOW - timedelta(minutes=rng.randrange(1, 100)),
                }
                for participant_id in rng.sample(range(1, PARTICIPANTS + 1), 90)
                for channel in (("sms", "telegram") if participant_id % 3 else ("sms",))
            ],
        )
        # A few queued texts too (the seed has none queued at its moment).
        session.execute(
            insert(Outreach),
            [
                {
                    "participant_id": participant_id,
                    "rule": "check_in",
                    "occurrence": f"test-{participant_id}",
                    "kind": OutreachKind.TEXT,
                    "template": "check_in",
                    "due_at": NOW + timedelta(days=1),
                    "state": OutreachState.QUEUED,
                    "created_at": NOW,
                    "state_at": NOW,
                }
                for participant_id in rng.sample(range(1, PARTICIPANTS + 1), 40)
            ],
        )
    yield service
    service.close()


def _open_contacts(session: Session, participant_id: int) -> list[tuple[int, object]]:
    rows = session.execute(
        select(Contact.id, Contact.last_message_at).where(
            Contact.participant_id == participant_id, Contact.closed_at.is_(None)
        )
    ).all()
    return sorted((contact_id, at) for contact_id, at in rows)


def _has_outreach(session: Session, participant_id: int, *conditions: object) -> bool:
    return bool(session.scalar(select(exists().where(Outreach.participant_id == participant_id, *conditions))))


def test_one_read_of_the_sender_says_what_the_separate_reads_say(county: Service) -> None:
    shapes = {"goal with steps": 0, "two open contacts": 0, "both": 0, "unanswered": 0, "queued": 0}
    for participant_id in range(1, PARTICIPANTS + 1):
        with county.sessions.begin() as session:
            sender = sender_by_phone(session, phone_of(participant_id))
            assert sender is not None and sender.participant.id == participant_id
            assert sender_by_id(session, participant_id) == sender
            assert sender.goal == active_goal(session, participant_id)
            assert sorted(sender.open_contacts) == _open_contacts(session, participant_id)
            assert sender.handoff == open_handoff_of(session, participant_id)
            unanswered = _has_outreach(
                session,
                participant_id,
                Outreach.state == OutreachState.DISPATCHED,
                Outreach.kind == OutreachKind.TEXT,
                Outreach.answered_at.is_(None),
            )
            queued = _has_outreach(session, participant_id, Outreach.state == OutreachState.QUEUED)
            assert (sender.unanswered_outreach, sender.queued_outreach) == (unanswered, queued)
        steps = sender.goal is not None and len(sender.goal.steps) > 1
        contacts = len(sender.open_contacts) > 1
        shapes["goal with steps"] += steps
        shapes["two open contacts"] += contacts
        shapes["both"] += steps and contacts
        shapes["unanswered"] += unanswered
        shapes["queued"] += queued
    # The county holds every shape the read must take apart.
    assert all(count > 0 for count in shapes.values()), shapes
    assert sender_by_phone(session, "+15550000000") is None
