"""`waypoint demo` shows the whole loop: weeks of history made by the service itself."""

from sqlalchemy import func, select

from bot.app import Service
from bot.demo import DEMO_COUNSELOR_EMAIL
from bot.demo_history import DEMO_SUPERVISOR_EMAIL, seed_demo_history
from casefile.facts import EventRecord
from casefile.people import find_counselor_by_email
from casefile.timesheets import TimesheetEntry
from casefile.vocabulary import Role
from notes import review
from tests.support import FixedClock


def test_the_demo_history_fills_every_screen_a_county_looks_at(service: Service, clock: FixedClock) -> None:
    now = clock()
    assert seed_demo_history(service, DEMO_COUNSELOR_EMAIL, now)
    with service.sessions() as session:
        dana = find_counselor_by_email(session, DEMO_COUNSELOR_EMAIL)
        sam = find_counselor_by_email(session, DEMO_SUPERVISOR_EMAIL)
        assert dana is not None and sam is not None
        assert (sam.role, sam.unit) == (Role.SUPERVISOR, dana.unit)
        open_items = set(
            session.scalars(
                select(EventRecord.kind).where(EventRecord.needs_counselor, EventRecord.seen_at.is_(None))
            )
        )
        assert {"barrier_raised", "support_requested", "counselor_message"} <= open_items
        drafts = review.queue(session, dana, now)
        assert drafts and sum(late for _, late in drafts) == 1
        assert session.scalar(select(func.count()).select_from(TimesheetEntry)) >= 5
    # The replay ran on its own clock: the service's is where it was, and a second run adds nothing.
    assert clock() == now
    assert not seed_demo_history(service, DEMO_COUNSELOR_EMAIL, now)
