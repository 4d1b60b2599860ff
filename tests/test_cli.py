"""The `waypoint` command as a new user runs it: a real process, a real SQLite file, piped input."""

import os
import subprocess
import sys
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
    for command in ("demo", "serve", "chat", "enroll", "counselor", "db", "unknown-senders"):
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
        "¡Gracias, Rosa! Ya está inscrito(a). Puede escribirme cuando quiera.",
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
