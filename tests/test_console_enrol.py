"""Enrolment and the plan from the console (issue 18): the same rules as `waypoint enroll`, a bad
phone then a good one, a phone already enrolled refused, nothing half-saved, and every change of
plan or status recorded with who made it."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.app import Service, create_app
from casefile.consent import ConsentEvent
from casefile.facts import EventRecord
from casefile.people import Participant
from casefile.vocabulary import ConsentState, FamilyType, ProgrammeStatus, ReportingPeriod
from tests.console_support import Browser
from tests.support import FixedClock
from tests.unit_support import ANA, Units, seed_units

GUADALUPE = {
    "first_name": "María Guadalupe",
    "last_name": "Núñez <b>",
    "language": "es",
    "family_type": "one_parent_child_under_6",
    "activity_education": "on",
    "activity_job_search": "on",
    "reporting_period": "biweekly",
    "check_in_day": "2",
    "case_number": "b12c3d4",
    "consent_how": "Signed the WTW 2 form",
    "consent_details": "signed 3/2 at the Oakland office",
}


@pytest.fixture
def units(service: Service, clock: FixedClock) -> Units:
    return seed_units(service, clock())


@pytest.fixture
def ana(service: Service, clock: FixedClock, units: Units) -> Iterator[Browser]:
    with TestClient(create_app(service, clock), base_url="http://127.0.0.1:8000") as client:
        browser = Browser(client)
        assert browser.sign_in(ANA) == 303
        yield browser


def counts(service: Service) -> tuple[int, int, int]:
    with service.sessions() as session:
        return (
            session.scalar(select(func.count(Participant.id))) or 0,
            session.scalar(select(func.count(ConsentEvent.id))) or 0,
            session.scalar(select(func.count(EventRecord.id))) or 0,
        )


def test_a_bad_phone_then_a_good_one(ana: Browser, service: Service, units: Units) -> None:
    before = counts(service)
    for bad in ("510-555-01", "call me maybe", "+1 (000) 555-0199", ""):
        refused = ana.post("/participants", phone=bad, **GUADALUPE)
        assert refused.status == 422, bad
        assert "That phone number is not one that can receive texts" in refused.text
        # The counselor's entries come back, escaped, and nothing was saved.
        assert 'value="María Guadalupe"' in refused.text and "Núñez &lt;b&gt;" in refused.text
        assert 'name="activity_education" checked' in refused.text
        assert counts(service) == before
    done = ana.post("/participants", phone="(510) 555-0142", **GUADALUPE)
    assert done.status == 303 and "is%20enrolled" in done.location
    page = ana.get(done.location)
    assert "María Guadalupe Núñez &lt;b&gt;" in page and "is enrolled" in page
    with service.sessions() as session:
        guadalupe = session.scalars(select(Participant).where(Participant.phone == "+15105550142")).one()
        assert (guadalupe.counselor_id, guadalupe.weekly_required_hours, guadalupe.family_type) == (
            units.ana,
            20,
            FamilyType.ONE_PARENT_CHILD_UNDER_6,
        )
        assert guadalupe.activities == ["job_search", "education"] and guadalupe.check_in_day == 2
        assert guadalupe.reporting_period is ReportingPeriod.BIWEEKLY and guadalupe.case_number == "B12C3D4"
        assert guadalupe.consent_state is ConsentState.RECORDED
        consent = session.scalars(select(ConsentEvent).where(ConsentEvent.participant_id == guadalupe.id)).one()
        assert consent.raw_text == "Signed the WTW 2 form: signed 3/2 at the Oakland office"
        audit = session.scalars(select(EventRecord).where(EventRecord.participant_id == guadalupe.id)).one()
        assert (audit.kind, audit.payload) == ("participant_enrolled", {"counselor_id": units.ana})
    assert counts(service) == (before[0] + 1, before[1] + 1, before[2] + 1)


def test_a_phone_already_enrolled_is_refused_however_it_is_typed(ana: Browser, service: Service) -> None:
    before = counts(service)
    for typed in ("(510) 555-0301", "510.555.0301", "+1 510 555 0301"):  # Rosa's number
        refused = ana.post("/participants", phone=typed, **GUADALUPE)
        assert refused.status == 422 and "already enrolled" in refused.text, typed
    assert counts(service) == before


def test_the_plan_and_status_change_and_each_change_is_recorded(ana: Browser, service: Service, units: Units) -> None:
    form = ana.get(f"/participants/{units.marcus}/plan")
    assert 'value="30"' in form
    future = ana.post(
        f"/participants/{units.marcus}/plan-changes", hours="20", status="exited", exited_on="2026-03-09",
        reporting_period="weekly", check_in_day="0",
    )  # fmt: skip
    assert future.status == 422 and "cannot be in the future" in future.text
    too_many = ana.post(f"/participants/{units.marcus}/plan-changes", hours="90", status="active")
    assert too_many.status == 422 and "between 0 and 80" in too_many.text
    with service.sessions() as session:
        marcus = session.get_one(Participant, units.marcus)
        assert (marcus.weekly_required_hours, marcus.status) == (30, ProgrammeStatus.ACTIVE)
    saved = ana.post(
        f"/participants/{units.marcus}/plan-changes", hours="20", status="exited", exited_on="2026-02-27",
        reporting_period="weekly", check_in_day="0", activity_employment="on",
    )  # fmt: skip
    assert saved.status == 303 and "Plan%20saved" in saved.location
    with service.sessions() as session:
        marcus = session.get_one(Participant, units.marcus)
        assert (marcus.weekly_required_hours, marcus.family_type) == (20, FamilyType.PLAN)
        assert marcus.status is ProgrammeStatus.EXITED and str(marcus.exited_on) == "2026-02-27"
        changes = session.scalars(
            select(EventRecord).where(EventRecord.participant_id == units.marcus, EventRecord.kind == "plan_changed")
        ).all()
        assert {(c.payload["field"], c.payload["before"], c.payload["after"]) for c in changes} == {
            ("weekly_required_hours", "30", "20"),
            ("activities", "", "employment"),
            ("status", "active", "exited"),
            ("exited_on", None, "2026-02-27"),
        }
        assert {c.payload["counselor_id"] for c in changes} == {units.ana}
    again = ana.post(
        f"/participants/{units.marcus}/plan-changes", hours="20", status="exited", exited_on="2026-02-27",
        reporting_period="weekly", check_in_day="0", activity_employment="on",
    )  # fmt: skip
    assert again.status == 303 and "Nothing%20changed" in again.location


def test_another_caseloads_plan_is_not_found(ana: Browser, units: Units, service: Service) -> None:
    """Tess is on Ben's caseload: Ana can neither read nor change her plan."""
    assert ana.client.get(f"/participants/{units.tess}/plan").status_code == 404
    assert ana.post(f"/participants/{units.tess}/plan-changes", hours="5", status="exempt").status == 404
    with service.sessions() as session:
        assert session.get_one(Participant, units.tess).status is ProgrammeStatus.ACTIVE
