"""The deployment files a county's IT starts from: checked here, since CI builds no image (it has no
registry to pull a base image from)."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).parent.parent


def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    lines = [line.strip() for line in joined.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_the_image_is_slim_pinned_non_root_and_checks_its_health() -> None:
    steps = _instructions((ROOT / "Dockerfile").read_text())
    keywords = [keyword for keyword, _ in steps]
    base = dict(steps)["FROM"]
    assert "slim" in base and ":" in base and not base.endswith(":latest")
    assert keywords.index("USER") < keywords.index("CMD") and dict(steps)["USER"] not in ("root", "0")
    assert "HEALTHCHECK" in keywords and "/healthz" in dict(steps)["HEALTHCHECK"]
    assert "--constraint constraints.txt" in dict(steps)["RUN"]
    assert "ADD" not in keywords  # nothing fetched from a URL at build time
    for _, argument in [step for step in steps if step[0] == "COPY"]:
        for source in argument.split()[:-1]:
            assert (ROOT / source).exists(), source
    assert "db upgrade" in dict(steps)["CMD"]


def test_compose_runs_postgres_16_with_secrets_as_files_and_documents_on_a_volume() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    db, app = compose["services"]["db"], compose["services"]["waypoint"]
    assert db["image"] == "postgres:16" and "healthcheck" in db
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    environment = app["environment"]
    assert not any(name in environment for name in ("TWILIO_AUTH_TOKEN", "WAYPOINT_DATABASE_URL"))
    assert {"WAYPOINT_DATABASE_URL_FILE", "TWILIO_AUTH_TOKEN_FILE"} <= set(environment)
    assert set(app["secrets"]) <= set(compose["secrets"])
    assert any(volume.endswith(":/var/lib/waypoint") for volume in app["volumes"])
    assert app["ports"] == ["127.0.0.1:8000:8000"]  # only the proxy reaches it


def test_the_systemd_unit_checks_migrates_and_stops_within_ten_seconds() -> None:
    unit = (ROOT / "deploy" / "waypoint.service").read_text()
    assert "ExecStartPre=/opt/waypoint/bin/waypoint check" in unit
    assert "ExecStartPre=/opt/waypoint/bin/waypoint db upgrade" in unit
    assert "TimeoutStopSec=10" in unit and "User=waypoint" in unit


def test_the_proxy_example_terminates_tls_for_the_public_url_only_on_loopback() -> None:
    caddy = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy 127.0.0.1:8000" in caddy and "X-Request-ID" in caddy
