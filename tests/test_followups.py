"""After unanswered texts the counselor is asked to call, write or visit; they record what they did
and what came of it from the needs-me queue, and the month's attempts log says so (issue 20)."""

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.app import Service, build_service, create_app
from bot.settings import Settings
from casefile.case_notes import CaseNote
from casefile.facts import EventRecord, record_fact
from casefile.outreach import ReengagementTask
from tests.console_support import DANA, SAM, Browser, make_team
from tests.fake_twilio import run_fake_twilio
from tests.support import FixedClock
from tests.test_dispatch import with_twilio

JORDAN = 1


def _task(service: Service, clock: FixedClock) -> int:
    """The welcome texts went out unanswered, and the sweep asked Dana to follow up with Jordan."""
    for twilio in run_fake_twilio():
        sender = build_service(with_twilio(service.settings, twilio), clock)
        sender.sweep()
        assert sender.dispatch()["sent"] == 2
        sender.close()
    with service.sessions.begin() as session:
        record_fact(session, ReengagementTask(0, 2, date(2026, 3, 2)), JORDAN, None, None, clock())
        return int(session.scalar(select(EventRecord.id).where(EventRecord.kind == "reengagement_task")) or 0)


def test_a_follow_up_is_recorded_from_the_queue_and_lands_in_the_attempts_log(
    settings: Settings, service: Service, clock: FixedClock
) -> None:
    make_team(service, clock)
    task = _task(service, clock)
    with TestClient(create_app(service, clock)) as client:
        dana = Browser(client)
        assert dana.sign_in(DANA) == 303
        assert f'action="/queue/{task}/task-result"' in dana.get("/queue")
        refused = dana.post(f"/queue/{task}/task-result", action="email", result="x")
        assert refused.status == 303 and "error=" in refused.location
        assert dana.post(f"/queue/{task}/task-result", action="call", result="").status == 303
        sam = Browser(TestClient(create_app(service, clock)))
        assert sam.sign_in(SAM) == 303
        assert sam.post(f"/queue/{task}/task-result", action="call", result="Reached him").status == 404
        done = dana.post(f"/queue/{task}/task-result", action="call", result="Reached him; he starts work Monday")
        assert done.status == 303 and "notice=" in done.location
        assert f'action="/queue/{task}/task-result"' not in dana.get("/queue")
    with service.sessions.begin() as session:
        handled = session.get(EventRecord, task)
        assert handled is not None and handled.seen_at is not None
        assert session.scalars(select(EventRecord.kind).where(EventRecord.kind == "outreach_task_done")).all() == [
            "outreach_task_done"
        ]
    clock.now = datetime(2026, 4, 1, 7, 1, tzinfo=UTC)  # the month has ended in California
    service.draft_notes()
    with service.sessions.begin() as session:
        log = session.scalars(
            select(CaseNote).where(CaseNote.subject == "attempts", CaseNote.participant_id == JORDAN)
        ).one()
    assert "On 03/02/2026 the counselor called the participant: Reached him; he starts work Monday" in log.draft_body
    assert "After 2 unanswered texts the counselor was asked on 03/02/2026" in log.draft_body
