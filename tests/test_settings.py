"""Settings come from the environment; secrets never print."""

import pytest

from bot.settings import Settings, SettingsError


def test_defaults_run_on_an_embedded_sqlite_file() -> None:
    settings = Settings.from_env({"HOME": "/home/dana"})
    assert settings.database_url == "sqlite:////home/dana/.local/share/waypoint/waypoint.sqlite3"
    assert settings.timezone == "America/Los_Angeles"
    assert settings.twilio_auth_token is None


def test_the_auth_token_never_appears_when_settings_are_printed() -> None:
    settings = Settings.from_env({"TWILIO_AUTH_TOKEN": "s3cr3t-token", "WAYPOINT_PUBLIC_URL": "https://w.example/"})
    assert "s3cr3t-token" not in repr(settings) and "s3cr3t-token" not in str(settings)
    assert settings.twilio_auth_token is not None and settings.twilio_auth_token.reveal() == "s3cr3t-token"
    assert settings.public_url == "https://w.example"


def test_a_setting_that_cannot_be_read_says_which_and_why() -> None:
    with pytest.raises(SettingsError, match="WAYPOINT_MESSAGES_PER_WEEK must be a whole number"):
        Settings.from_env({"WAYPOINT_MESSAGES_PER_WEEK": "lots"})


def test_media_is_fetched_from_twilios_hosts_unless_told_otherwise() -> None:
    assert Settings.from_env({}).twilio_media_origins == ("https://api.twilio.com", "https://*.twilio.com")
    staging = Settings.from_env({"WAYPOINT_TWILIO_MEDIA_ORIGINS": "https://api.twilio.com, http://127.0.0.1:8999"})
    assert staging.twilio_media_origins == ("https://api.twilio.com", "http://127.0.0.1:8999")
