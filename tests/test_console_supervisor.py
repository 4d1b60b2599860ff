"""The supervisor's view (issue 18): the unit's figures per counselor against a seeded office, the
list behind each figure, the two alerts, who may see what, and transferring a participant with a
note (a marker in the transcript; the new counselor sees the history, the old one no longer does)."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.app import Service, create_app
from casefile.facts import EventRecord
from casefile.people import Participant
from tests.console_support import Browser
from tests.support import FixedClock
from tests.unit_support import ANA, BEN, NORA, SOL, Units, seed_units


@pytest.fixture
def units(service: Service, clock: FixedClock) -> Units:
    return seed_units(service, clock())


@pytest.fixture
def client(service: Service, clock: FixedClock, units: Units) -> Iterator[TestClient]:
    with TestClient(create_app(service, clock), base_url="http://127.0.0.1:8000") as client:
        yield client


def signed_in(client: TestClient, email: str) -> Browser:
    client.cookies.clear()
    browser = Browser(client)
    assert browser.sign_in(email) == 303, browser.answer
    return browser


def figures(page: str, counselor: str) -> dict[str, int]:
    """The figures of one counselor's row, read by their accessible names."""
    return {
        title: int(value)
        for title, value in re.findall(rf'aria-label="([^",]+(?:\([^)]*\))?), {counselor}: (\d+)"', page)
    }


def test_the_units_figures_per_counselor(client: TestClient, units: Units) -> None:
    page = signed_in(client, NORA).get("/unit")
    assert figures(page, "Ana Ruiz") == {
        "Caseload": 5,
        "Disengaged (30+ days without two-way contact)": 1,
        "Needs-me items open": 3,
        "Drafts waiting": 2,
        "Drafts late": 1,
        "Short of hours last week": 2,
        "Outreach attempts this month": 2,
        "No two-way contact this month": 3,
    }
    assert figures(page, "Ben Cho") == {
        "Caseload": 1,
        "Disengaged (30+ days without two-way contact)": 0,
        "Needs-me items open": 1,
        "Drafts waiting": 0,
        "Drafts late": 0,
        "Short of hours last week": 0,
        "Outreach attempts this month": 0,
        "No two-way contact this month": 0,
    }
    # Lena's message of Wednesday 10:00 is the oldest open item: 4 days and 23 hours.
    assert re.search(r"Ana Ruiz.*?<td>4 days</td>", page, re.S)


def test_each_figure_opens_the_list_behind_it(client: TestClient, units: Units) -> None:
    nora = signed_in(client, NORA)
    lists = {
        figure: nora.get(f"/unit/counselors/{units.ana}/{figure}")
        for figure in ("disengaged", "hours_short", "no_contact", "open_items", "drafts", "drafts_late", "attempts")
    }
    names = ("Rosa Alvarez", "Marcus Bell", "Lena Cruz", "Kim Diaz", "Omar Reyes")

    def shown(figure: str) -> set[str]:
        return {name for name in names if name in lists[figure]}

    assert shown("disengaged") == {"Rosa Alvarez"}
    assert shown("hours_short") == {"Rosa Alvarez", "Lena Cruz"}
    assert shown("no_contact") == {"Rosa Alvarez", "Lena Cruz", "Kim Diaz"}
    assert (
        lists["open_items"].count("Safety concern: Marcus Bell") == 2
        and "Message to you: Lena Cruz" in lists["open_items"]
    )
    assert lists["drafts"].count("Check-in by text") == 2 and lists["drafts_late"].count("Check-in by text") == 1
    assert lists["attempts"].count("Rosa Alvarez:") == 2
    # A supervisor sees who and since when, never the participant's words.
    for text in lists.values():
        assert "he hit me" not in text and "bus pass" not in text


def test_the_two_alerts(client: TestClient, units: Units) -> None:
    page = signed_in(client, NORA).get("/unit")
    safety = re.search(r'<ul aria-labelledby="safety-heading">(.*?)</ul>', page, re.S)
    unread = re.search(r'<ul aria-labelledby="unread-heading">(.*?)</ul>', page, re.S)
    assert safety and unread
    # Friday 16:30's concern (one business hour: Monday 8:30), not this morning's 8:45 one.
    assert safety.group(1).count("<li>") == 1 and "Marcus Bell (Ana Ruiz's caseload)" in safety.group(1)
    # Lena's message is two business days old and unread; Tess's was read on Thursday.
    assert unread.group(1).count("<li>") == 1 and "Lena Cruz" in unread.group(1)
    assert "Tess" not in unread.group(1) and "he hit me" not in page


def test_the_alerts_follow_the_office_clock(
    client: TestClient, units: Units, clock: FixedClock, service: Service
) -> None:
    clock.advance(hours=1)  # 10:00: this morning's concern has waited its business hour too
    page = signed_in(client, NORA).get("/unit")
    safety = re.search(r'<ul aria-labelledby="safety-heading">(.*?)</ul>', page, re.S)
    assert safety and safety.group(1).count("Marcus Bell") == 2
    # Ana marks Friday's concern handled and opens Lena's conversation: those alerts are gone.
    with service.sessions() as session:
        friday = session.scalars(
            select(EventRecord.id).where(
                EventRecord.kind == "safety_concern", EventRecord.participant_id == units.marcus
            )
        ).first()
    ana = signed_in(client, ANA)
    assert ana.post(f"/queue/{friday}/handled").status == 303
    ana.get(f"/participants/{units.lena}")
    page = signed_in(client, NORA).get("/unit")
    safety = re.search(r'<ul aria-labelledby="safety-heading">(.*?)</ul>', page, re.S)
    assert safety and safety.group(1).count("Marcus Bell") == 1
    assert 'aria-labelledby="unread-heading"' not in page


def test_a_supervisor_sees_nothing_of_another_unit(client: TestClient, units: Units, service: Service) -> None:
    nora = signed_in(client, NORA)
    page = nora.get("/unit")
    assert "Pat Soto" not in page and "Pia Gomez" not in page and "Sol Vega" not in page
    for path in (
        f"/unit/counselors/{units.pat}/caseload",
        f"/unit/counselors/{units.sol}/caseload",
        f"/unit/participants/{units.pia}/transfer",
        f"/unit/counselors/{units.ana}/no_such_figure",
    ):
        assert client.get(path).status_code == 404, path
    # Nor can she move South's participant, or move her own into South.
    assert (
        nora.post(f"/unit/participants/{units.pia}/transfers", counselor=str(units.ana), note="mine now").status == 404
    )
    refused = nora.post(f"/unit/participants/{units.rosa}/transfers", counselor=str(units.pat), note="to South")
    assert refused.status == 422 and "Pick a counselor of your unit" in refused.text
    sol_page = signed_in(client, SOL).get("/unit")
    assert "Pia Gomez (Pat Soto's caseload)" in sol_page and "Ana Ruiz" not in sol_page and "Marcus" not in sol_page
    assert counselor_of(service, units.pia) == units.pat and counselor_of(service, units.rosa) == units.ana


def test_a_counselor_cannot_open_the_supervisors_pages(client: TestClient, units: Units, service: Service) -> None:
    ana = signed_in(client, ANA)
    assert 'href="/unit"' not in ana.get("/caseload")
    for path in ("/unit", f"/unit/counselors/{units.ana}/caseload", f"/unit/participants/{units.rosa}/transfer"):
        assert client.get(path).status_code == 404, path
    assert ana.post(f"/unit/participants/{units.rosa}/transfers", counselor=str(units.ben), note="x").status == 404
    assert counselor_of(service, units.rosa) == units.ana
    assert 'href="/unit"' in signed_in(client, NORA).get("/caseload")


def test_transfer_with_a_note(client: TestClient, units: Units, service: Service) -> None:
    nora = signed_in(client, NORA)
    form = nora.get(f"/unit/participants/{units.rosa}/transfer")
    assert "Now on Ana Ruiz's caseload" in form and "Ben Cho" in form
    empty = nora.post(f"/unit/participants/{units.rosa}/transfers", counselor=str(units.ben), note="   ")
    assert empty.status == 422 and "Write a note" in empty.text and counselor_of(service, units.rosa) == units.ana
    note = "Ana is on leave from March; Rosa starts GED class, call her <after 3pm>."
    done = nora.post(f"/unit/participants/{units.rosa}/transfers", counselor=str(units.ben), note=note)
    assert done.status == 303 and done.location.startswith(f"/unit/counselors/{units.ben}/caseload?notice=")
    assert "Rosa Alvarez is now on Ben Cho" in nora.get(done.location)
    assert counselor_of(service, units.rosa) == units.ben
    # The new counselor sees the whole history, the marker with the note (escaped), and an item.
    ben = signed_in(client, BEN)
    page = ben.get(f"/participants/{units.rosa}")
    assert "I start the GED class in January" in page
    assert "Transferred from Ana Ruiz to Ben Cho. Note: Ana is on leave" in page and "&lt;after 3pm&gt;" in page
    assert "Ana is on leave from March" in ben.get("/queue")
    # Rosa's outreach attempts and open figures moved with her.
    assert figures(signed_in(client, NORA).get("/unit"), "Ben Cho")["Caseload"] == 2
    # The old counselor no longer sees her at all.
    ana = signed_in(client, ANA)
    assert client.get(f"/participants/{units.rosa}").status_code == 404
    assert "Rosa Alvarez" not in ana.get("/caseload") and "Marcus Bell" in ana.get("/caseload")
    with service.sessions() as session:
        audit = session.scalars(select(EventRecord).where(EventRecord.kind == "participant_transferred")).one()
        assert audit.participant_id == units.rosa and audit.payload == {
            "from_counselor_id": units.ana,
            "to_counselor_id": units.ben,
            "by_counselor_id": units.nora,
            "text": note,
        }


def counselor_of(service: Service, participant_id: int) -> int:
    with service.sessions() as session:
        return session.scalars(select(Participant.counselor_id).where(Participant.id == participant_id)).one()
