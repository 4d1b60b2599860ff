"""The README's two commands are the ones that work, and CI runs the second word for word."""

from pathlib import Path

README = Path("README.md").read_text()
COMMANDS = [line.strip() for line in README.splitlines() if line.startswith("    python3 -m venv")]


def test_the_readme_opens_with_a_run_command_and_a_test_command() -> None:
    run, test = COMMANDS[:2]
    assert run.endswith("waypoint demo") and test.endswith("pytest")
    assert README.index(run) < README.index(test) < README.index("## ")


def test_ci_runs_the_readme_test_command() -> None:
    assert COMMANDS[1] in Path(".ci/run").read_text().splitlines()
