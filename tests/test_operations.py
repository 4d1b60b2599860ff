"""What a county's IT person meets: settings checked before start, one home for data, backups,
retention, logs, metrics and offline API docs — through the real `waypoint` command where they would."""

import dataclasses
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.app import Service, create_app
from bot.settings import Settings, SettingsError
from tests.channels import SmsAdapter
from tests.support import FixedClock

WAYPOINT = str(Path(sys.executable).with_name("waypoint"))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A new user's environment: nothing of ours set, a home of their own."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WAYPOINT_", "TWILIO_", "TELEGRAM_", "XDG_"))}
    return {**clean, "HOME": str(tmp_path / "user")}


def waypoint(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([WAYPOINT, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WAYPOINT_TIMEZONE", "Mars/Olympus"),
        ("WAYPOINT_SWEEP_SECONDS", "-5"),
        ("WAYPOINT_SMS_PER_SECOND", "0"),
        ("WAYPOINT_HOLIDAYS", "XX-YY"),
        ("WAYPOINT_PUBLIC_URL", "waypoint.example.org"),
        ("WAYPOINT_DATABASE_URL", "mysql://x"),
        ("WAYPOINT_LOG_FORMAT", "xml"),
        ("WAYPOINT_MESSAGES_PER_WEEK", "lots"),
        ("TWILIO_AUTH_TOKEN_FILE", "/no/such/file"),
        ("WAYPOINT_METRICS", "maybe"),
    ],
)
def test_each_bad_setting_is_one_plain_line_naming_it(env: dict[str, str], name: str, value: str) -> None:
    result = waypoint({**env, name: value}, "serve")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    problems = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert len(problems) == 1 and name in problems[0]


def test_every_problem_is_told_at_once() -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"WAYPOINT_TIMEZONE": "Mars/Olympus", "WAYPOINT_SWEEP_SECONDS": "-1", "HOME": "/tmp"})
    assert [p.split()[0] for p in raised.value.problems] == ["WAYPOINT_TIMEZONE", "WAYPOINT_SWEEP_SECONDS"]


def test_secrets_come_from_files_and_a_dot_env_without_overriding_the_environment(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("from-a-file\n")
    (tmp_path / "waypoint.env").write_text("# county settings\nWAYPOINT_PROGRAM_NAME='Kern WTW'\nWAYPOINT_TIMEZONE=UTC\n")
    settings = Settings.from_env(
        {
            "TWILIO_AUTH_TOKEN_FILE": str(tmp_path / "token"),
            "WAYPOINT_ENV_FILE": str(tmp_path / "waypoint.env"),
            "WAYPOINT_TIMEZONE": "America/Chicago",
            "HOME": str(tmp_path),
        }
    )
    assert settings.twilio_auth_token is not None and settings.twilio_auth_token.reveal() == "from-a-file"
    assert (settings.program_name, settings.timezone) == ("Kern WTW", "America/Chicago")


def test_check_prints_the_configuration_with_secrets_masked(env: dict[str, str]) -> None:
    secrets = {"TWILIO_AUTH_TOKEN": "tw-s3cret", "TELEGRAM_BOT_TOKEN": "123:tg-s3cret",
               "WAYPOINT_DATABASE_URL": "postgresql://waypoint:pg-s3cret@127.0.0.1:1/none"}
    result = waypoint({**env, **secrets}, "check")
    output = result.stdout + result.stderr
    assert "twilio_auth_token" in output and "Secret('**********')" in output
    assert not any(secret in output for secret in ("tw-s3cret", "tg-s3cret", "pg-s3cret"))
    # Half a Twilio set-up, half a Telegram one and no database: each named, and the exit says so.
    assert result.returncode == 1
    assert "SMS (Twilio) is set up only in part" in result.stderr and "the database cannot be reached" in result.stderr


def test_check_passes_on_a_set_up_home(env: dict[str, str]) -> None:
    assert waypoint(env, "db", "upgrade").returncode == 0
    result = waypoint(env, "check")
    assert result.returncode == 0, result.stderr
    assert "Database: reachable, schema current" in result.stdout
    assert str(Path(env["HOME"]) / ".local/share/waypoint/waypoint.sqlite3") in result.stdout


def test_the_folder_a_command_runs_in_does_not_change_the_database(env: dict[str, str], tmp_path: Path) -> None:
    one, other = tmp_path / "one", tmp_path / "other"
    one.mkdir()
    other.mkdir()
    assert waypoint(env, "db", "upgrade", cwd=one).returncode == 0
    added = waypoint(env, "counselor", "add", "--first-name", "Dana", "--last-name", "Lee",
                     "--email", "dana@county.example", cwd=one)
    assert added.returncode == 0, added.stderr
    again = waypoint(env, "counselor", "add", "--first-name", "Dana", "--last-name", "Lee",
                     "--email", "dana@county.example", cwd=other)
    assert again.returncode != 0 and "dana@county.example" in again.stderr


def test_backup_then_restore_into_a_fresh_home_keeps_every_row(env: dict[str, str], tmp_path: Path) -> None:
    assert waypoint(env, "db", "upgrade").returncode == 0
    assert waypoint(env, "counselor", "add", "--first-name", "Dana", "--last-name", "Lee",
                    "--email", "dana@county.example").returncode == 0
    documents = Path(env["HOME"]) / ".local/share/waypoint/documents"
    documents.mkdir(parents=True, exist_ok=True)
    (documents / "timesheet.jpg").write_bytes(b"\xff\xd8 a signed timesheet")
    backup = waypoint(env, "backup", str(tmp_path / "backup"))
    assert backup.returncode == 0, backup.stderr

    fresh = {**env, "WAYPOINT_HOME": str(tmp_path / "fresh")}
    restored = waypoint(fresh, "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    assert _rows(Path(env["HOME"]) / ".local/share/waypoint/waypoint.sqlite3") == _rows(
        tmp_path / "fresh" / "waypoint.sqlite3"
    )
    assert (tmp_path / "fresh" / "documents" / "timesheet.jpg").read_bytes() == b"\xff\xd8 a signed timesheet"
    assert waypoint(fresh, "restore", str(tmp_path / "backup")).returncode == 1  # never over live data


def _rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: sorted(connection.execute(f'SELECT * FROM "{table}"'), key=repr) for table in tables}


def test_purge_dry_run_names_what_would_go_and_changes_nothing(service: Service, clock: FixedClock) -> None:
    from bot.ops_cli import purge_plan
    from casefile.consent import ConsentEvent
    from casefile.messages import Message
    from casefile.people import Participant
    from casefile.vocabulary import ProgrammeStatus

    adapter = SmsAdapter(TestClient(create_app(service, clock)))
    adapter.send("hi", "SMpurge1")
    with service.sessions.begin() as session:
        jordan = session.query(Participant).filter_by(first_name="Jordan").one()
        jordan.status = ProgrammeStatus.EXITED
        jordan.exited_on = date(2020, 1, 1)
    plan, gone = purge_plan(service, clock())
    assert plan.participants == 1 and plan.messages >= 2 and plan.consent_rows_kept >= 1
    with service.sessions() as session:
        # A dry run changes nothing; the consent ledger is never purged (evidence, refused by the database).
        assert session.query(Message).filter(Message.participant_id.in_(gone)).count() == plan.messages
        assert session.query(ConsentEvent).filter(ConsentEvent.participant_id.in_(gone)).count() == plan.consent_rows_kept


def test_metrics_count_requests_and_read_the_queues(service: Service, clock: FixedClock) -> None:
    metered = dataclasses.replace(service, settings=dataclasses.replace(service.settings, metrics_enabled=True))
    with TestClient(create_app(metered, clock)) as client:
        adapter = SmsAdapter(client)
        for n in range(3):
            adapter.send("hi" if n == 0 else "MENU", f"SMmetrics{n}")
        body = client.get("/metrics").text
    assert 'waypoint_http_requests_total{route="/sms/twilio",status="200"} 3.0' in body
    assert 'waypoint_http_request_duration_seconds_count{route="/sms/twilio"} 3.0' in body
    assert 'waypoint_inbound_batch_size_bucket{le="1.0"} 3.0' in body  # one at a time: three batches of one
    for gauge in ("waypoint_outbox_due", "waypoint_needs_counselor_open", "waypoint_note_drafts"):
        assert gauge in body


def test_metrics_are_off_unless_asked_for(service: Service, clock: FixedClock) -> None:
    with TestClient(create_app(service, clock)) as client:
        assert client.get("/metrics").status_code == 404


def test_api_docs_load_nothing_from_another_host(service: Service, clock: FixedClock) -> None:
    with TestClient(create_app(service, clock)) as client:
        for page in ("/docs", "/redoc"):
            html = client.get(page).text
            assert "http://" not in html and "https://" not in html, page
            for asset in [part.split('"')[0] for part in html.split('src="')[1:] + html.split('href="')[1:]]:
                if asset.startswith("/api-docs/"):
                    assert client.get(asset).status_code == 200, asset


def test_serve_logs_json_with_request_ids_and_stops_on_sigterm(env: dict[str, str]) -> None:
    assert waypoint(env, "db", "upgrade").returncode == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [WAYPOINT, "serve", "--port", str(port)],
        env={**env, "WAYPOINT_LOG_FORMAT": "json", "TWILIO_AUTH_TOKEN": "token"},
        stderr=subprocess.PIPE, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base)
        answer = httpx.get(f"{base}/healthz", headers={"X-Request-ID": "county-proxy-0001"})
        assert answer.headers["x-request-id"] == "county-proxy-0001"
        httpx.post(f"{base}/sms/twilio", data={"Body": "my ssn is 123-45-6789", "From": "+15105550100"})
        time.sleep(0.3)
    finally:
        server.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        _, stderr = server.communicate(timeout=15)
    # uvicorn shuts down, then re-raises the signal it caught: systemd and containers read that as a clean stop.
    assert time.monotonic() - stopped_at < 10 and server.returncode in (0, -signal.SIGTERM)
    assert "Finished server process" in stderr
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "waypoint.access"]
    assert any(line["request_id"] == "county-proxy-0001" and "/healthz 200" in line["message"] for line in access)
    assert any("/sms/twilio 403" in line["message"] and line["request_id"] != "-" for line in access)
    assert "123-45-6789" not in stderr and "5550100" not in stderr


def _wait_for(base: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/healthz")
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("waypoint serve did not start")


def test_several_workers_are_refused_on_sqlite_with_the_reason(env: dict[str, str]) -> None:
    assert waypoint(env, "db", "upgrade").returncode == 0
    result = waypoint(env, "serve", "--workers", "2")
    assert result.returncode == 1 and "--workers needs PostgreSQL" in result.stderr


def test_the_version_is_printed(env: dict[str, str]) -> None:
    result = waypoint(env, "--version")
    assert result.returncode == 0 and result.stdout.startswith("waypoint ")


def test_defaults_keep_data_in_the_users_data_folder() -> None:
    settings = Settings.from_env({"HOME": "/home/dana"})
    assert settings.database_url == "sqlite:////home/dana/.local/share/waypoint/waypoint.sqlite3"
    assert settings.documents_dir == "/home/dana/.local/share/waypoint/documents"
    assert Settings.from_env({"XDG_DATA_HOME": "/srv/data"}).home == "/srv/data/waypoint"
    assert Settings.from_env({"WAYPOINT_HOME": "/var/lib/waypoint"}).database_url.endswith(
        "/var/lib/waypoint/waypoint.sqlite3"
    )


def test_the_api_declares_how_to_sign_requests_so_docs_can_authorize(service: Service, clock: FixedClock) -> None:
    with TestClient(create_app(service, clock)) as client:
        schema = client.get("/openapi.json").json()
        assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
        assert client.get("/api/notes").status_code == 401


def test_a_demo_user_closes_their_contact_without_waiting_two_hours(env: dict[str, str]) -> None:
    assert waypoint(env, "db", "upgrade").returncode == 0
    assert waypoint(env, "counselor", "add", "--first-name", "Dana", "--last-name", "Lee",
                    "--email", "dana@county.example").returncode == 0
    enrolled = waypoint(env, "enroll", "--first-name", "Rosa", "--last-name", "Diaz", "--phone", "510-555-0142",
                        "--hours", "20", "--counselor", "dana@county.example", "--consent", "signed WTW 2")
    assert enrolled.returncode == 0, enrolled.stderr
    chatted = subprocess.run([WAYPOINT, "chat", "--phone", "510-555-0142"], input="hi\nYES\n", env=env,
                             capture_output=True, text=True, timeout=60)
    assert chatted.returncode == 0
    assert waypoint(env, "notes", "draft").stdout.startswith("0 drafts from contacts")
    assert waypoint(env, "notes", "draft", "--now-plus", "soon").returncode == 2
    assert waypoint(env, "notes", "draft", "--now-plus", "3h").stdout.startswith("1 drafts from contacts")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_metrics_scrape_reads_without_the_write_lock(service: Service, clock: FixedClock) -> None:
    """A scrape counts over a county's tables: holding SQLite's write lock that long would hold up
    every message. While another writer holds the lock, the scrape still answers."""
    from casefile.database import make_engine, session_factory

    # The scrape waits half a second for a lock, not 30 s: a scrape that needs the lock fails here.
    impatient = make_engine(service.settings.database_url, lock_wait_ms=500)
    metered = dataclasses.replace(
        service,
        settings=dataclasses.replace(service.settings, metrics_enabled=True),
        sessions=session_factory(impatient),
    )
    writer = sqlite3.connect(str(service.engine.url.database), isolation_level=None)
    try:
        with TestClient(create_app(metered, clock)) as client:
            writer.execute("BEGIN IMMEDIATE")
            response = client.get("/metrics")
            writer.execute("ROLLBACK")
        assert response.status_code == 200 and "waypoint_outbox_due" in response.text
    finally:
        writer.close()
        impatient.dispose()
