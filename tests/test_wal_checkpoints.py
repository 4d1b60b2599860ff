"""SQLite's WAL is checkpointed by a thread of its own while the web app runs, never by the commit
of a webhook message (casefile.database.WalCheckpoints): a checkpoint writes and syncs the database
file, and on the inline path every request queued behind that commit would wait for it."""

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import Service, create_app
from casefile.database import CHECKPOINT_EVERY_SECONDS
from tests.support import FixedClock, signed, sms_form

INBOUND = "/sms/twilio"


#: A PostgreSQL server checkpoints by itself: these run on SQLite alone.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def sqlite_service(service: Service) -> Service:
    assert service.settings.is_sqlite
    return service


def database_file(service: Service) -> Path:
    return Path(str(service.engine.url.database))


def messages_in_the_file_itself(path: Path) -> int:
    """Messages in the database file, without what is still only in its WAL (immutable: the WAL
    is not read)."""
    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as connection:
        return int(connection.execute("SELECT count(*) FROM messages").fetchone()[0])


def autocheckpoint_of(service: Service) -> int:
    with service.engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def text(client: TestClient, n: int) -> None:
    payload, headers = signed(INBOUND, sms_form("hi", f"SMwal{n:04d}"))
    assert client.post(INBOUND, content=payload, headers=headers).status_code == 200


@pytest.fixture
def client(sqlite_service: Service, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_service, clock)) as test_client:
        yield test_client


def test_while_the_app_runs_commits_do_not_checkpoint(client: TestClient, sqlite_service: Service) -> None:
    assert autocheckpoint_of(sqlite_service) == 0
    with sqlite_service.inline_engine.connect() as connection:  # type: ignore[union-attr]
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 0


def test_messages_reach_the_database_file_within_a_checkpoint_interval(
    client: TestClient, sqlite_service: Service
) -> None:
    path = database_file(sqlite_service)
    before = messages_in_the_file_itself(path)
    for n in range(5):
        text(client, n)
    # A handful of messages is far below the 1,000 pages at which a commit would checkpoint: only
    # the thread puts them in the file.
    deadline = time.monotonic() + 20 * CHECKPOINT_EVERY_SECONDS
    while messages_in_the_file_itself(path) < before + 10 and time.monotonic() < deadline:
        time.sleep(CHECKPOINT_EVERY_SECONDS / 5)
    assert messages_in_the_file_itself(path) >= before + 10  # five texts and their replies


def test_after_the_app_stops_connections_checkpoint_again(sqlite_service: Service, clock: FixedClock) -> None:
    with TestClient(create_app(sqlite_service, clock)) as running:
        text(running, 1)
        assert autocheckpoint_of(sqlite_service) == 0
    assert autocheckpoint_of(sqlite_service) == 1000


def test_two_apps_on_one_service_stop_in_any_order(sqlite_service: Service, clock: FixedClock) -> None:
    """Tests and `serve` may run two apps on the same engines: the first to stop leaves the other's
    connections not checkpointing, the last one's leave them checkpointing again."""
    with TestClient(create_app(sqlite_service, clock)) as first:
        with TestClient(create_app(sqlite_service, clock)) as second:
            text(second, 2)
        text(first, 3)
        assert autocheckpoint_of(sqlite_service) == 0
    assert autocheckpoint_of(sqlite_service) == 1000
