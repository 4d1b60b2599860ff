"""Fixtures: a real, migrated database for every test (a SQLite file; PostgreSQL too when
WAYPOINT_TEST_POSTGRES_URL names a server, as .ci/run does), and the service built on it."""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# Helpers that assert on behalf of tests: their failures should say what differed.
pytest.register_assert_rewrite("tests.channels", "tests.transcripts")

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, create_engine, make_url, text

from bot.app import Service, build_service, create_app
from bot.demo import seed_demo
from bot.settings import Secret, Settings
from casefile.database import make_engine, normalize_database_url
from casefile.migrate import upgrade
from tests.channels import ADAPTERS, TELEGRAM_SECRET, Adapter, ConsoleAdapter, SmsAdapter, TelegramAdapter
from tests.fake_telegram import TOKEN as TELEGRAM_TOKEN
from tests.fake_telegram import FakeTelegram, run_fake_telegram
from tests.support import AUTH_TOKEN, PUBLIC_URL, FixedClock

POSTGRES_URL = os.environ.get("WAYPOINT_TEST_POSTGRES_URL")
if os.environ.get("CI") and not POSTGRES_URL:
    raise pytest.UsageError("CI must test PostgreSQL too: set WAYPOINT_TEST_POSTGRES_URL (.ci/run does)")

BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy, so migrations run once per session."""
    path = tmp_path_factory.mktemp("template") / "waypoint.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    assert POSTGRES_URL is not None
    name = f"waypoint_template_{uuid.uuid4().hex[:8]}"
    admin = _postgres_admin()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(_postgres_url(name))
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _postgres_admin() -> Engine:
    assert POSTGRES_URL is not None
    return create_engine(normalize_database_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")


def _postgres_url(database: str) -> str:
    assert POSTGRES_URL is not None
    return make_url(normalize_database_url(POSTGRES_URL)).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "waypoint.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"waypoint_test_{uuid.uuid4().hex[:12]}"
    admin = _postgres_admin()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield _postgres_url(name)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def settings(database_url: str, tmp_path: Path, telegram: FakeTelegram) -> Settings:
    return Settings(
        database_url=database_url,
        public_url=PUBLIC_URL,
        program_name="Alameda County CalWORKs",
        twilio_auth_token=Secret(AUTH_TOKEN),
        documents_dir=str(tmp_path / "documents"),
        telegram_bot_token=Secret(TELEGRAM_TOKEN),
        telegram_webhook_secret=Secret(TELEGRAM_SECRET),
        telegram_api_base_url=telegram.url,
        # Telegram's one-a-second per chat is tested on the limiter itself (test_telegram.py).
        telegram_chat_interval=0.0,
    )


@pytest.fixture(scope="session")
def telegram_server() -> Iterator[FakeTelegram]:
    yield from run_fake_telegram()


@pytest.fixture
def telegram(telegram_server: FakeTelegram) -> FakeTelegram:
    """The fake Bot API, emptied for each test."""
    telegram_server.reset()
    return telegram_server


@pytest.fixture
def service(settings: Settings, clock: FixedClock) -> Iterator[Service]:
    """The service on a database holding the demo caseload (Dana Lee; Jordan, en; Guadalupe, es)."""
    built = build_service(settings, clock)
    with built.sessions.begin() as session:
        seed_demo(session, settings.timezone, clock())
    yield built
    built.close()


@pytest.fixture(params=list(ADAPTERS))
def adapter(request: pytest.FixtureRequest, service: Service, clock: FixedClock) -> Iterator[Adapter]:
    if request.param == "console":
        yield ConsoleAdapter(service, clock)
        return
    with TestClient(create_app(service, clock)) as client:
        if request.param == "telegram":
            yield TelegramAdapter.linked(client, service, request.getfixturevalue("telegram"), clock)
        else:
            yield SmsAdapter(client)


# --- Browser tests (tests/test_console_e2e.py): Debian's chromium driven by playwright ------------------
# Never `playwright install`: the browser comes from the system (apt-get install chromium), named by
# CHROMIUM_PATH or found on PATH. Without it the browser tests are skipped, unless E2E_REQUIRED=1
# (.ci/run sets it), where a missing browser is an error.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser_tests = [item for item in items if "page" in getattr(item, "fixturenames", ())]
    if CHROMIUM or not browser_tests:
        return
    if os.environ.get("E2E_REQUIRED") == "1":
        raise pytest.UsageError("E2E_REQUIRED=1 but no chromium: apt-get install chromium (or set CHROMIUM_PATH)")
    for item in browser_tests:
        item.add_marker(pytest.mark.skip(reason="no chromium (apt-get install chromium)"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, object]) -> dict[str, object]:
    """pytest-playwright's hook: launch the system's chromium, never one from ~/.cache/ms-playwright."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--no-sandbox"]}


@pytest.fixture(scope="session")
def base_url() -> None:
    """pytest-playwright's base URL: none, each browser test serves the app on its own database
    (and the plugin's own fixture trips a pytest deprecation under filterwarnings=error)."""
    return None
