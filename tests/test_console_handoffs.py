"""A participant handed to a person shows as such in the console, and their counselor closes the
handoff there: the bot then picks up where the participant was (issue 14 through the console)."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import Service, create_app
from casefile.handoffs import open_handoff_of
from tests.channels import SmsAdapter
from tests.console_support import DANA, SAM, Browser, make_team
from tests.support import ENGLISH_PHONE, FixedClock

JORDAN = 1


@pytest.fixture
def client(service: Service, clock: FixedClock) -> Iterator[TestClient]:
    make_team(service, clock)
    with TestClient(create_app(service, clock)) as client:
        yield client


def _open(service: Service) -> bool:
    with service.sessions() as session:
        return open_handoff_of(session, JORDAN) is not None


def test_a_request_for_a_person_is_handed_to_the_counselor_who_closes_it_and_the_bot_resumes(
    service: Service, client: TestClient, clock: FixedClock
) -> None:
    sms = SmsAdapter(client)
    sms.send("YES", "SMh1", sender=ENGLISH_PHONE)
    sms.send("1", "SMh2", sender=ENGLISH_PHONE)  # into the goal flow
    sms.send("can i talk to my worker pls", "SMh3", sender=ENGLISH_PHONE)
    assert _open(service)
    dana = Browser(client)
    assert dana.sign_in(DANA) == 303
    assert "Asked for a person" in dana.get("/queue")
    page = dana.get(f"/participants/{JORDAN}")
    assert "Handed to you" in page and "they asked for a person" in page

    sam = Browser(TestClient(create_app(service, clock)))
    assert sam.sign_in(SAM) == 303
    assert sam.post(f"/participants/{JORDAN}/handoff/close").status == 404
    assert _open(service)
    assert dana.client.post(f"/participants/{JORDAN}/handoff/close", data={}).status_code == 403  # no form token

    closed = dana.post(f"/participants/{JORDAN}/handoff/close")
    assert closed.status == 303 and closed.location.startswith(f"/participants/{JORDAN}?notice=Handoff%20closed")
    assert not _open(service)
    assert "Handed to you" not in dana.get(f"/participants/{JORDAN}")
    # The bot asks its question again: the participant was setting a goal.
    [reply] = sms.send("hi", "SMh4", sender=ENGLISH_PHONE)[-1:]
    assert "goal" in reply.lower()
