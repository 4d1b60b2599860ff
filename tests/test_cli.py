"""The `waypoint` command as a new user runs it: a real process, a real SQLite file, piped input."""

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

WAYPOINT = str(Path(sys.executable).with_name("waypoint"))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WAYPOINT_", "TWILIO_"))}
    return {**clean, "WAYPOINT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}


def waypoint(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([WAYPOINT, *args], input=stdin, env=env, capture_output=True, text=True, timeout=60)


def test_help_lists_every_command(env: dict[str, str]) -> None:
    result = waypoint(env, "--help")
    assert result.returncode == 0
    for command in (
        "demo",
        "serve",
        "chat",
        "enroll",
        "counselor",
        "db",
        "unknown-senders",
        "sweep",
        "dispatch",
        "outreach",
        "notes",
    ):
        assert command in result.stdout


def test_a_database_that_is_not_set_up_is_explained(env: dict[str, str]) -> None:
    result = waypoint(env, "chat", "--phone", "+15105550100")
    assert result.returncode == 1
    assert "run `waypoint db upgrade`" in result.stderr


def test_enrol_then_replay_a_transcript_through_the_console_channel(env: dict[str, str]) -> None:
    assert waypoint(env, "db", "upgrade").returncode == 0
    added = waypoint(
        env,
        "counselor",
        "add",
        "--first-name",
        "Dana",
        "--last-name",
        "Lee",
        "--email",
        "dana@example.org",
        "--phone",
        "510-555-0199",
    )
    assert added.returncode == 0, added.stderr
    enrolled = waypoint(
        env,
        "enroll",
        "--first-name",
        "Rosa",
        "--last-name",
        "Diaz",
        "--phone",
        "(510) 555-0142",
        "--language",
        "es",
        "--family-type",
        "one_parent_child_under_6",
        "--counselor",
        "dana@example.org",
        "--consent",
        "signed WTW 2",
    )
    assert enrolled.returncode == 0, enrolled.stderr
    assert "20 h/week" in enrolled.stdout

    result = waypoint(env, "chat", "--phone", "510-555-0142", stdin="hola\nsi\nHELP\nenglish\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "¡Hola, Rosa! Le escribe Waypoint CalWORKs. Dana Lee le dio de alta para recibir mensajes sobre sus "
        "metas y horas. Responda SI para empezar o ALTO para terminar. Pueden aplicar tarifas de mensajes y datos.",
        "¡Gracias, Rosa! Ya esta inscrito(a). Puede escribirme cuando quiera.",
        "¿Qué quiere hacer? Responda con un numero:",
        "1 Mi meta y mis pasos",
        "2 Reportar mis horas",
        "3 Mensaje a mi consejero(a)",
        "4 Idioma / Language",
        "5 Ayuda",
        "Waypoint CalWORKs: mensajes sobre sus metas y horas. Consejero(a): Dana Lee, (510) 555-0199. Hasta 8 "
        "mensajes por semana. Pueden aplicar tarifas de mensajes y datos. Responda ALTO para dejar de recibirlos, "
        "MENU para ver opciones.",
        "OK, I will text you in English.",
    ]
    assert result.stderr == ""


def test_enrolment_mistakes_are_explained_without_a_traceback(env: dict[str, str]) -> None:
    waypoint(env, "db", "upgrade")
    result = waypoint(
        env,
        "enroll",
        "--first-name",
        "A",
        "--last-name",
        "B",
        "--phone",
        "12",
        "--hours",
        "20",
        "--counselor",
        "nobody@example.org",
        "--consent",
        "form",
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == "waypoint: no counselor with email nobody@example.org: add one with `waypoint counselor add`"
    )


def test_unknown_senders_are_listed_for_staff(env: dict[str, str]) -> None:
    waypoint(env, "db", "upgrade")
    waypoint(env, "chat", "--phone", "+15105550177", stdin="hello\n")
    result = waypoint(env, "unknown-senders")
    assert "+15105550177" in result.stdout and "1 messages" in result.stdout


def enrol_rosa(env: dict[str, str], *extra: str) -> None:
    assert waypoint(env, "db", "upgrade").returncode == 0
    waypoint(env, "counselor", "add", "--first-name", "Dana", "--last-name", "Lee", "--email", "dana@example.org")
    waypoint(env, "counselor", "add", "--first-name", "Sam", "--last-name", "Ortiz", "--email", "sam@example.org")
    enrolled = waypoint(
        env,
        "enroll",
        "--first-name",
        "Rosa",
        "--last-name",
        "Diaz",
        "--phone",
        "(510) 555-0142",
        "--family-type",
        "one_parent",
        "--counselor",
        "dana@example.org",
        "--consent",
        "signed WTW 2",
        *extra,
    )
    assert enrolled.returncode == 0, enrolled.stderr


def test_sweep_then_list_edit_cancel_and_pause_outreach_from_the_terminal(env: dict[str, str], tmp_path: Path) -> None:
    # A county's own rules file: a welcome counted in days, so that it is due whatever day this runs.
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[[rule]]\nname = "hello"\nrelative_to = "enrolled"\nhour = "any"\ntemplate = "outreach_welcome"\n'
    )
    env["WAYPOINT_OUTREACH_RULES"] = str(rules)
    enrol_rosa(env, "--check-in-day", "wed")
    swept = waypoint(env, "sweep")
    assert swept.returncode == 0, swept.stderr
    assert swept.stdout.splitlines() == ["queued 1 outreach", "  hello: 1"]
    assert waypoint(env, "sweep").stdout.startswith("queued 0 outreach")
    listing = waypoint(env, "outreach", "list", "--counselor", "dana@example.org", "--state", "queued")
    assert "Rosa Diaz" in listing.stdout and "outreach_welcome" in listing.stdout
    others = waypoint(env, "outreach", "list", "--counselor", "sam@example.org")
    assert others.stdout.strip() == "no queued outreach"
    outreach_id = listing.stdout.split()[0]
    refused = waypoint(env, "outreach", "edit", outreach_id, "--text", "Hi", "--counselor", "sam@example.org")
    assert refused.returncode == 1 and f"no outreach {outreach_id} on your caseload" in refused.stderr
    edited = waypoint(
        env, "outreach", "edit", outreach_id, "--text", "Hi Rosa, Dana here!", "--counselor", "dana@example.org"
    )
    assert edited.returncode == 0, edited.stderr
    assert '"Hi Rosa, Dana here!"' in waypoint(env, "outreach", "list", "--counselor", "dana@example.org").stdout
    cancelled = waypoint(env, "outreach", "cancel", outreach_id, "--counselor", "dana@example.org")
    assert cancelled.stdout.strip() == f"outreach {outreach_id} cancelled"
    paused = waypoint(
        env, "outreach", "pause", "--phone", "5105550142", "--until", "2030-01-31", "--counselor", "dana@example.org"
    )
    assert paused.stdout.strip() == "outreach to Rosa Diaz paused through Thu Jan 31, 2030"
    dispatched = waypoint(env, "dispatch")
    assert dispatched.returncode == 0
    assert "no sender is set" in dispatched.stderr


def test_plan_sets_the_check_in_day_and_an_exit(env: dict[str, str]) -> None:
    enrol_rosa(env)
    changed = waypoint(
        env, "plan", "--phone", "5105550142", "--check-in-day", "fri", "--status", "exited", "--exited-on", "2026-02-15"
    )
    assert changed.returncode == 0, changed.stderr
    assert "check-in fri, exited" in changed.stdout


def test_notes_are_drafted_reviewed_and_exported_from_the_terminal(env: dict[str, str]) -> None:
    assert waypoint(env, "db", "upgrade").returncode == 0
    add = ["counselor", "add", "--first-name", "Dana", "--last-name", "Lee", "--email", "dana@example.org"]
    assert waypoint(env, *add, "--unit", "North").returncode == 0
    assert waypoint(env, "counselor", "password", "--email", "dana@example.org", stdin="short\n").returncode == 1
    assert (
        waypoint(env, "counselor", "password", "--email", "dana@example.org", stdin="a long passphrase\n").returncode
        == 0
    )
    issued = waypoint(env, "counselor", "token", "--email", "dana@example.org", "--name", "import")
    assert issued.returncode == 0 and " wp_" in issued.stdout
    assert waypoint(env, "counselor", "revoke", "1", "--email", "dana@example.org").stdout == "token 1 revoked\n"
    enrol = ["enroll", "--first-name", "Rosa", "--last-name", "Diaz", "--phone", "510-555-0142", "--language", "es"]
    enrol += ["--family-type", "one_parent", "--counselor", "dana@example.org", "--consent", "signed WTW 2"]
    assert waypoint(env, *enrol, "--case-number", "b123456").returncode == 0
    assert waypoint(env, "chat", "--phone", "510-555-0142", stdin="hola\nsi\n").returncode == 0
    assert waypoint(env, "notes", "draft").stdout == "0 drafts from contacts, 0 monthly hours verifications\n"
    # Two hours and more later, the contact has closed.
    database = sqlite3.connect(env["WAYPOINT_DATABASE_URL"].removeprefix("sqlite:///"))
    with database:
        database.execute("UPDATE contacts SET last_message_at = datetime(last_message_at, '-3 hours')")
    database.close()
    assert waypoint(env, "notes", "draft").stdout == "1 drafts from contacts, 0 monthly hours verifications\n"
    listed = waypoint(env, "notes", "list", "--counselor", "dana@example.org")
    assert "draft     Rosa Diaz (case B123456)  [Narrative]  Text consent: consent to texts confirmed" in listed.stdout
    shown = waypoint(env, "notes", "show", "1", "--counselor", "dana@example.org")
    assert shown.stdout.startswith(
        "Rosa Diaz (case B123456)\nText consent: consent to texts confirmed\nJournal type: Narrative"
    )
    assert "Participant reported: The participant confirmed consent to receive texts" in shown.stdout
    assert "(inbound): si" in shown.stdout
    assert waypoint(env, "notes", "approve", "1", "--counselor", "dana@example.org").stdout == "note 1 approved\n"
    again = waypoint(env, "notes", "reject", "1", "--counselor", "dana@example.org", "--reason", "no")
    assert again.returncode == 1 and "approved already" in again.stderr
    today = datetime.now(UTC).date()
    period = ["--from", (today - timedelta(days=1)).isoformat(), "--to", (today + timedelta(days=1)).isoformat()]
    exported = waypoint(env, "notes", "export", "--counselor", "dana@example.org", *period, "--format", "csv")
    assert exported.stdout.startswith("note_id,participant_id,participant_name,case_number,journal_type,contact_date,")
    assert len(exported.stdout.splitlines()) > 2
