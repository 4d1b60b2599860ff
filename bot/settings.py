"""Settings, read from the environment in one place. Secrets are wrapped so they never print."""

import os
from collections.abc import Mapping
from dataclasses import dataclass


class Secret:
    """A value that must not reach logs or tracebacks: its repr and str hide it."""

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


class SettingsError(ValueError):
    """A setting that is missing or cannot be read; the message names it and says what it takes."""


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///waypoint.sqlite3"
    #: The URL Twilio and Telegram reach us at (behind any TLS proxy); signatures are checked against it.
    public_url: str | None = None
    timezone: str = "America/Los_Angeles"
    program_name: str = "Waypoint CalWORKs"
    messages_per_week: int = 8
    twilio_account_sid: str | None = None
    twilio_auth_token: Secret | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_from_number: str | None = None
    #: Only for tests and staging: where the Twilio SDK's REST calls go instead of Twilio.
    twilio_api_base_url: str | None = None
    #: Where photos and files participants send are kept (a local folder, private to the service).
    documents_dir: str = "documents"
    #: Seconds between passes that retry documents whose fetch failed and replies not yet sent.
    document_retry_seconds: int = 60
    telegram_bot_token: Secret | None = None
    #: Sent by Telegram with every update (X-Telegram-Bot-Api-Secret-Token); set by `telegram set-webhook`.
    telegram_webhook_secret: Secret | None = None
    #: The bot's @username, for the t.me links counselors hand out.
    telegram_bot_username: str | None = None
    #: Only for tests and staging: where the Bot API calls go instead of api.telegram.org.
    telegram_api_base_url: str | None = None
    #: Seconds between two messages to one Telegram chat (Telegram allows about one a second).
    telegram_chat_interval: float = 1.0
    #: The outreach rules file (TOML); None: the defaults shipped in scheduler/rules.toml.
    outreach_rules: str | None = None
    #: Whose public holidays are not business days: country, then state ("US-CA").
    holidays: str = "US-CA"
    #: Seconds between sweeps for who is due for outreach, and between dispatcher passes.
    sweep_seconds: int = 300
    dispatch_seconds: int = 15
    #: Texts a second through the Twilio sender (a long code takes about 1, a short code 100).
    sms_per_second: float = 10.0
    #: Seconds between passes that close quiet contacts and draft their case notes.
    notes_seconds: int = 60
    #: A TOML file of the CalSAWS Journal type per kind of note (notes/journal_types.toml is the default).
    journal_types: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        token = env.get("TWILIO_AUTH_TOKEN")
        return cls(
            database_url=env.get("WAYPOINT_DATABASE_URL") or cls.database_url,
            public_url=(env.get("WAYPOINT_PUBLIC_URL") or "").rstrip("/") or None,
            timezone=env.get("WAYPOINT_TIMEZONE") or cls.timezone,
            program_name=env.get("WAYPOINT_PROGRAM_NAME") or cls.program_name,
            messages_per_week=_int(env, "WAYPOINT_MESSAGES_PER_WEEK", cls.messages_per_week),
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
            twilio_auth_token=Secret(token) if token else None,
            twilio_messaging_service_sid=env.get("TWILIO_MESSAGING_SERVICE_SID") or None,
            twilio_from_number=env.get("TWILIO_FROM_NUMBER") or None,
            twilio_api_base_url=env.get("WAYPOINT_TWILIO_API_BASE_URL") or None,
            documents_dir=env.get("WAYPOINT_DOCUMENTS_DIR") or cls.documents_dir,
            document_retry_seconds=_int(env, "WAYPOINT_DOCUMENT_RETRY_SECONDS", cls.document_retry_seconds),
            telegram_bot_token=_secret(env, "TELEGRAM_BOT_TOKEN"),
            telegram_webhook_secret=_secret(env, "TELEGRAM_WEBHOOK_SECRET"),
            telegram_bot_username=(env.get("TELEGRAM_BOT_USERNAME") or "").lstrip("@") or None,
            telegram_api_base_url=env.get("WAYPOINT_TELEGRAM_API_BASE_URL") or None,
            telegram_chat_interval=_float(env, "WAYPOINT_TELEGRAM_CHAT_INTERVAL", cls.telegram_chat_interval),
            outreach_rules=env.get("WAYPOINT_OUTREACH_RULES") or None,
            holidays=env.get("WAYPOINT_HOLIDAYS") or cls.holidays,
            sweep_seconds=_int(env, "WAYPOINT_SWEEP_SECONDS", cls.sweep_seconds),
            dispatch_seconds=_int(env, "WAYPOINT_DISPATCH_SECONDS", cls.dispatch_seconds),
            sms_per_second=_float(env, "WAYPOINT_SMS_PER_SECOND", cls.sms_per_second),
            notes_seconds=_int(env, "WAYPOINT_NOTES_SECONDS", cls.notes_seconds),
            journal_types=env.get("WAYPOINT_JOURNAL_TYPES") or None,
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from error


def _secret(env: Mapping[str, str], name: str) -> Secret | None:
    value = env.get(name)
    return Secret(value) if value else None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as error:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from error
