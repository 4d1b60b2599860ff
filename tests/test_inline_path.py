"""The SMS webhook's inline path (on the event loop, SQLite only) is tried only when none of the
process's writers holds the write lock or waits for it (casefile.write_gate). While a job writes it
would only fail: a transaction begun, an error raised, a rollback, on every text."""

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from bot.app import Service, create_app
from tests.support import FixedClock, signed, sms_form

INBOUND = "/sms/twilio"

#: PostgreSQL has no inline path.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def client(service: Service, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(service, clock)) as test_client:
        yield test_client


def inline_begins(service: Service) -> list[object]:
    """The inline path's attempts: each takes a connection of the inline engine's pool."""
    begun: list[object] = []
    assert service.inline_engine is not None
    event.listen(service.inline_engine, "checkout", lambda connection, record, proxy: begun.append(record))
    return begun


def test_a_text_goes_inline_when_no_writer_holds_the_lock(client: TestClient, service: Service) -> None:
    begun = inline_begins(service)
    payload, headers = signed(INBOUND, sms_form("hi", "SMinline0001"))
    assert client.post(INBOUND, content=payload, headers=headers).status_code == 200
    assert len(begun) == 1


def test_while_another_writer_holds_the_lock_the_inline_path_is_not_even_tried(
    client: TestClient, service: Service
) -> None:
    holding, done = threading.Event(), threading.Event()

    def job() -> None:
        with service.sessions.begin() as session:
            session.connection()
            holding.set()
            done.wait(timeout=10)

    writer = threading.Thread(target=job)
    writer.start()
    holding.wait(timeout=10)
    begun = inline_begins(service)
    # The job lets go once the text waits in line on its thread.
    threading.Timer(0.3, done.set).start()
    payload, headers = signed(INBOUND, sms_form("hi", "SMinline0002"))
    assert client.post(INBOUND, content=payload, headers=headers).status_code == 200
    writer.join()
    assert begun == []
