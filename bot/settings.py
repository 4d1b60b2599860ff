"""Settings, read from the environment in one place and checked before anything starts.

Strict by hand rather than with pydantic-settings: the settings are a flat, frozen dataclass that
tests build directly, and what a county's IT person needs from the reader is small and specific —
every problem reported at once in plain words naming the variable, `NAME_FILE` for each secret
(container and systemd secrets), and a `.env` file — which this module does in a page. Secrets are
wrapped so they never print.
"""

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from scheduler.office_hours import parse_office_hours

T = TypeVar("T")

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
    """Settings that are missing or cannot be used; one line per problem, each naming the variable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def default_home(env: Mapping[str, str]) -> Path:
    """Where the embedded database and documents live unless WAYPOINT_HOME says otherwise: the
    per-user data folder, so that the folder a command runs in does not change which data it sees."""
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local" / "share")
    return Path(base) / "waypoint"


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
    #: The folder holding the embedded database and documents when they are not set on their own.
    home: str | None = None
    #: Log lines as plain text or one JSON object a line ("plain" or "json").
    log_format: str = "plain"
    #: Serve Prometheus metrics at /metrics (off by default: counts are not for the open internet).
    metrics_enabled: bool = False
    #: Who may set X-Forwarded-For/-Proto (the TLS proxy's address; "*" inside a container network).
    trusted_proxies: str = "127.0.0.1"
    #: Retention: days after which what the county's policy allows to go may be purged.
    retention_days: int = 1460
    #: When counselors answer (the office's clock is `timezone`; public holidays are closed).
    office_hours: str = "Mon-Fri 08:00-17:00"
    #: Office hours an urgent item may wait unhandled before the counselor's supervisor is told.
    escalate_after_hours: float = 1.0
    #: Seconds between passes that alert counselors to urgent items and escalate unhandled ones.
    alerts_seconds: int = 60
    #: Where urgent items are also emailed; without a host, no email is sent.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: Secret | None = None
    smtp_from: str | None = None
    smtp_starttls: bool = True

    #: Where MMS media may be fetched with the Twilio credentials ("*." for any subdomain): Twilio's
    #: own hosts, whatever URL a signed request names. Tests and staging add their fake's origin.
    twilio_media_origins: tuple[str, ...] = ("https://api.twilio.com", "https://*.twilio.com")
    #: Seconds a webhook may take to answer, whatever the database does; past it the answer is 503
    #: and the work goes on, its replies through the outbox (Twilio hangs up at 15).
    webhook_budget_seconds: float = 10.0
    #: A TOML file of the CalSAWS Journal type per kind of note (notes/journal_types.toml is the default).
    journal_types: str | None = None
    #: Where the settings came from besides the environment (a .env file), for `waypoint check`.
    sources: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """The settings from the environment (and a .env file): every problem reported at once."""
        variables, env_file = _with_env_file(dict(os.environ if env is None else env))
        reader = _Reader(variables)
        home = Path(reader.text("WAYPOINT_HOME") or default_home(reader.env)).expanduser()
        settings = cls(
            database_url=reader.text("WAYPOINT_DATABASE_URL", secret_file=True)
            or f"sqlite:///{home / 'waypoint.sqlite3'}",
            public_url=(reader.text("WAYPOINT_PUBLIC_URL") or "").rstrip("/") or None,
            timezone=reader.text("WAYPOINT_TIMEZONE") or cls.timezone,
            program_name=reader.text("WAYPOINT_PROGRAM_NAME") or cls.program_name,
            messages_per_week=reader.number("WAYPOINT_MESSAGES_PER_WEEK", int, cls.messages_per_week),
            twilio_account_sid=reader.text("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=reader.secret("TWILIO_AUTH_TOKEN"),
            twilio_messaging_service_sid=reader.text("TWILIO_MESSAGING_SERVICE_SID"),
            twilio_from_number=reader.text("TWILIO_FROM_NUMBER"),
            twilio_api_base_url=reader.text("WAYPOINT_TWILIO_API_BASE_URL"),
            documents_dir=reader.text("WAYPOINT_DOCUMENTS_DIR") or str(home / "documents"),
            document_retry_seconds=reader.number("WAYPOINT_DOCUMENT_RETRY_SECONDS", int, cls.document_retry_seconds),
            telegram_bot_token=reader.secret("TELEGRAM_BOT_TOKEN"),
            telegram_webhook_secret=reader.secret("TELEGRAM_WEBHOOK_SECRET"),
            telegram_bot_username=(reader.text("TELEGRAM_BOT_USERNAME") or "").lstrip("@") or None,
            telegram_api_base_url=reader.text("WAYPOINT_TELEGRAM_API_BASE_URL"),
            telegram_chat_interval=reader.number("WAYPOINT_TELEGRAM_CHAT_INTERVAL", float, cls.telegram_chat_interval),
            outreach_rules=reader.text("WAYPOINT_OUTREACH_RULES"),
            holidays=reader.text("WAYPOINT_HOLIDAYS") or cls.holidays,
            sweep_seconds=reader.number("WAYPOINT_SWEEP_SECONDS", int, cls.sweep_seconds),
            dispatch_seconds=reader.number("WAYPOINT_DISPATCH_SECONDS", int, cls.dispatch_seconds),
            sms_per_second=reader.number("WAYPOINT_SMS_PER_SECOND", float, cls.sms_per_second),
            notes_seconds=reader.number("WAYPOINT_NOTES_SECONDS", int, cls.notes_seconds),
            home=str(home),
            log_format=(reader.text("WAYPOINT_LOG_FORMAT") or cls.log_format).lower(),
            metrics_enabled=reader.flag("WAYPOINT_METRICS", cls.metrics_enabled),
            trusted_proxies=reader.text("WAYPOINT_TRUSTED_PROXIES") or cls.trusted_proxies,
            retention_days=reader.number("WAYPOINT_RETENTION_DAYS", int, cls.retention_days),
            sources=(env_file,) if env_file else (),
            office_hours=reader.text("WAYPOINT_OFFICE_HOURS") or cls.office_hours,
            escalate_after_hours=reader.number("WAYPOINT_ESCALATE_AFTER_HOURS", float, cls.escalate_after_hours),
            alerts_seconds=reader.number("WAYPOINT_ALERTS_SECONDS", int, cls.alerts_seconds),
            smtp_host=reader.text("WAYPOINT_SMTP_HOST"),
            smtp_port=reader.number("WAYPOINT_SMTP_PORT", int, cls.smtp_port),
            smtp_user=reader.text("WAYPOINT_SMTP_USER"),
            smtp_password=reader.secret("WAYPOINT_SMTP_PASSWORD"),
            smtp_from=reader.text("WAYPOINT_SMTP_FROM"),
            smtp_starttls=reader.flag("WAYPOINT_SMTP_STARTTLS", cls.smtp_starttls),
            twilio_media_origins=reader.items("WAYPOINT_TWILIO_MEDIA_ORIGINS") or cls.twilio_media_origins,
            webhook_budget_seconds=reader.number("WAYPOINT_WEBHOOK_BUDGET_SECONDS", float, cls.webhook_budget_seconds),
            journal_types=reader.text("WAYPOINT_JOURNAL_TYPES"),
        )
        problems = reader.problems + settings.problems()
        if problems:
            raise SettingsError(problems)
        return settings

    def problems(self) -> list[str]:
        """What is wrong with these values, in plain words, each naming its variable."""
        found = [
            *_check(_is_database_url(self.database_url), "WAYPOINT_DATABASE_URL must start with sqlite:/// or "
                    f"postgresql://, not {_masked_url(self.database_url)!r}"),
            *_check(self.public_url is None or _is_web_url(self.public_url),
                    f"WAYPOINT_PUBLIC_URL must be an http(s) URL such as https://waypoint.example.org, not {self.public_url!r}"),
            *_check(_is_zone(self.timezone), f"WAYPOINT_TIMEZONE must be a time zone such as America/Los_Angeles, "
                    f"not {self.timezone!r}"),
            *_check(_is_holiday_code(self.holidays), f"WAYPOINT_HOLIDAYS must be a country and state such as US-CA, "
                    f"not {self.holidays!r}"),
            *_check(self.log_format in ("plain", "json"), f"WAYPOINT_LOG_FORMAT must be plain or json, not {self.log_format!r}"),
            *_check(self.outreach_rules is None or Path(self.outreach_rules).is_file(),
                    f"WAYPOINT_OUTREACH_RULES names no readable file: {self.outreach_rules!r}"),
        ]
        for url_field, name in (("twilio_api_base_url", "WAYPOINT_TWILIO_API_BASE_URL"),
                                ("telegram_api_base_url", "WAYPOINT_TELEGRAM_API_BASE_URL")):
            url = getattr(self, url_field)
            found += _check(url is None or _is_web_url(url), f"{name} must be an http(s) URL, not {url!r}")
        for name, value in (
            ("WAYPOINT_MESSAGES_PER_WEEK", self.messages_per_week),
            ("WAYPOINT_DOCUMENT_RETRY_SECONDS", self.document_retry_seconds),
            ("WAYPOINT_SWEEP_SECONDS", self.sweep_seconds),
            ("WAYPOINT_DISPATCH_SECONDS", self.dispatch_seconds),
            ("WAYPOINT_SMS_PER_SECOND", self.sms_per_second),
            ("WAYPOINT_NOTES_SECONDS", self.notes_seconds),
            ("WAYPOINT_RETENTION_DAYS", self.retention_days),
            ("WAYPOINT_WEBHOOK_BUDGET_SECONDS", self.webhook_budget_seconds),
        ):
            found += _check(value > 0, f"{name} must be more than 0, not {value}")
        found += _office_hours_problems(self.office_hours)
        found += _check(self.escalate_after_hours > 0,
                        f"WAYPOINT_ESCALATE_AFTER_HOURS must be more than 0, not {self.escalate_after_hours}")
        found += _check(self.alerts_seconds > 0, f"WAYPOINT_ALERTS_SECONDS must be more than 0, not {self.alerts_seconds}")
        found += _check(self.telegram_chat_interval >= 0,
                        f"WAYPOINT_TELEGRAM_CHAT_INTERVAL must be 0 or more, not {self.telegram_chat_interval}")
        return found

    def shown(self) -> list[tuple[str, str]]:
        """Every setting with its effective value, secrets masked: what `waypoint check` prints."""
        shown: list[tuple[str, str]] = []
        for setting in fields(self):
            if setting.name == "sources":
                continue
            value = getattr(self, setting.name)
            if setting.name == "database_url":
                value = _masked_url(value)
            shown.append((setting.name, "(not set)" if value is None else str(value)))
        return shown

    def make_home(self) -> None:
        """Create the home folder (private to the service's user) where the embedded data lives."""
        if self.home is not None:
            Path(self.home).mkdir(mode=0o700, parents=True, exist_ok=True)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class _Reader:
    """Reads variables and collects what cannot be read, so that all problems are told at once."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.problems: list[str] = []

    def text(self, name: str, secret_file: bool = False) -> str | None:
        """The variable's value; for secrets, NAME_FILE may name a file holding it instead."""
        if secret_file and self.env.get(f"{name}_FILE"):
            path = Path(self.env[f"{name}_FILE"])
            try:
                return path.read_text(encoding="utf-8").strip() or None
            except OSError as error:
                self.problems.append(f"{name}_FILE names a file that cannot be read ({path}): {error.strerror}")
                return None
        return self.env.get(name) or None

    def secret(self, name: str) -> Secret | None:
        value = self.text(name, secret_file=True)
        return Secret(value) if value else None

    def number(self, name: str, kind: Callable[[str], T], default: T) -> T:
        raw = self.env.get(name)
        if not raw:
            return default
        try:
            return kind(raw)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            self.problems.append(f"{name} must be {what}, not {raw!r}")
            return default

    def items(self, name: str) -> tuple[str, ...]:
        """A comma-separated setting; empty when unset."""
        return tuple(item.strip() for item in (self.env.get(name) or "").split(",") if item.strip())

    def flag(self, name: str, default: bool) -> bool:
        raw = (self.env.get(name) or "").strip().lower()
        if not raw:
            return default
        if raw in ("1", "true", "yes", "on"):
            return True
        if raw in ("0", "false", "no", "off"):
            return False
        self.problems.append(f"{name} must be true or false, not {raw!r}")
        return default


def _with_env_file(env: dict[str, str]) -> tuple[dict[str, str], str | None]:
    """The environment over the variables of a .env file (WAYPOINT_ENV_FILE, or .env in this folder),
    and that file's path: a variable set in the environment always wins."""
    path = Path(env.get("WAYPOINT_ENV_FILE") or ".env")
    if not path.is_file():
        return env, None
    from_file: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*", line)
        if match and not line.lstrip().startswith("#"):
            from_file[match[1]] = match[2].strip("'\"")
    return {**from_file, **env}, str(path.resolve())


def _check(ok: bool, problem: str) -> list[str]:
    return [] if ok else [problem]


def _is_database_url(url: str) -> bool:
    return url.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://", "postgres://"))


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _is_holiday_code(code: str) -> bool:
    country, _, state = code.partition("-")
    try:
        holidays.country_holidays(country, subdiv=state or None)
    except (NotImplementedError, KeyError, ValueError):
        return False
    return True


def _masked_url(url: str) -> str:
    """A database URL with its password hidden."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1****@", url)


def _office_hours_problems(office_hours: str) -> list[str]:
    try:
        parse_office_hours(office_hours)
    except ValueError as error:
        return [f"WAYPOINT_OFFICE_HOURS: {error}"]
    return []
