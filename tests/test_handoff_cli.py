"""`waypoint handoff list|close` and `counselor add|edit --work-phone`, as a counselor runs them:
a real process on a real SQLite file, a participant handed off through the console channel."""

import sqlite3
from pathlib import Path

from tests.test_cli import env, waypoint  # noqa: F401 (the env fixture)


def test_a_counselor_lists_and_closes_a_handoff_and_sets_a_work_phone(env: dict[str, str]) -> None:  # noqa: F811
    assert waypoint(env, "db", "upgrade").returncode == 0
    dana = ("--first-name", "Dana", "--last-name", "Lee", "--email", "dana@example.org")
    added = waypoint(env, "counselor", "add", *dana, "--work-phone", "510-555-0198")
    assert added.returncode == 0, added.stderr
    sam = ("--first-name", "Sam", "--last-name", "Ortiz", "--email", "sam@example.org")
    assert waypoint(env, "counselor", "add", *sam).returncode == 0
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
    chat = waypoint(env, "chat", "--phone", "510-555-0142", stdin="si\nquiero hablar con mi trabajadora\nhola?\n")
    assert chat.returncode == 0, chat.stderr
    assert chat.stdout.splitlines()[-1] == "Gracias. Le pasé esto a Dana Lee, que le va a responder."

    listed = waypoint(env, "handoff", "list", "--counselor", "dana@example.org")
    assert "person_requested" in listed.stdout and "Rosa Diaz" in listed.stdout
    assert waypoint(env, "handoff", "list", "--counselor", "sam@example.org").stdout == "no open handoffs\n"
    refused = waypoint(env, "handoff", "close", "--phone", "510-555-0142", "--counselor", "sam@example.org")
    assert (refused.returncode, refused.stderr.strip()) == (
        1,
        "waypoint: no open handoff for 510-555-0142 on your caseload",
    )
    closed = waypoint(env, "handoff", "close", "--phone", "510-555-0142", "--counselor", "dana@example.org")
    assert closed.returncode == 0, closed.stderr
    assert waypoint(env, "handoff", "list", "--counselor", "dana@example.org").stdout == "no open handoffs\n"
    after = waypoint(env, "chat", "--phone", "510-555-0142", stdin="hola\n")
    assert after.stdout.startswith("¡Hola, Rosa!"), "the bot answers again"

    edited = waypoint(env, "counselor", "edit", "--email", "dana@example.org", "--work-phone", "none")
    assert edited.stdout.strip() == "Dana Lee: work phone none"
    bad = waypoint(env, "counselor", "edit", "--email", "dana@example.org", "--work-phone", "12")
    assert bad.returncode == 1 and "cannot be texted" in bad.stderr
    database = env["WAYPOINT_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(Path(database)) as connection:
        rows = connection.execute("SELECT email, work_phone FROM counselors ORDER BY id").fetchall()
        closed_by = connection.execute("SELECT closed_by FROM handoffs").fetchall()
    assert rows == [("dana@example.org", None), ("sam@example.org", None)]
    assert closed_by == [(1,)]
