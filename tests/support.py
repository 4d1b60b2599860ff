"""Helpers the tests share: a clock that only moves when told, and Twilio request signing."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

AUTH_TOKEN = "test-auth-token"
PUBLIC_URL = "https://waypoint.example.org"
ENGLISH_PHONE = "+15105550100"
SPANISH_PHONE = "+15105550101"
UNKNOWN_PHONE = "+15105550177"


class FixedClock:
    def __init__(self, now: datetime = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def signed(path: str, params: dict[str, str], token: str = AUTH_TOKEN) -> tuple[bytes, dict[str, str]]:
    """A form body and headers as Twilio would send them to PUBLIC_URL + path."""
    signature = RequestValidator(token).compute_signature(PUBLIC_URL + path, params)
    return urlencode(params).encode(), {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
    }


def sms_form(body: str, sid: str, sender: str = ENGLISH_PHONE, **extra: str) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": "+15105559999",
        "Body": body,
        "NumMedia": "0",
        **extra,
    }
