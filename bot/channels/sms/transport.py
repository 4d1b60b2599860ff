"""Sending SMS through the real twilio Client, with provider errors sorted as permanent or not,
and looking a text up at Twilio when we could not tell whether it left (scheduler/reconcile.py)."""

from datetime import datetime, timedelta

import requests
from requests.adapters import HTTPAdapter
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from scheduler.outbox import DeliveryError, Failure
from scheduler.reconcile import LookupFailed

TWILIO_API = "https://api.twilio.com"
#: Twilio refuses a longer body (error 21617); we refuse it first, with our own code.
MAX_BODY = 1600

#: Twilio error codes, from a refused request or a delivery callback, and what they mean for us
#: (https://www.twilio.com/docs/api/errors). Codes not listed are worth another try when sending.
ERRORS: dict[int, Failure] = {
    21610: Failure.OPTED_OUT,  # the recipient replied STOP to this sender
    21211: Failure.BAD_ADDRESS,  # invalid 'To' number
    21614: Failure.BAD_ADDRESS,  # 'To' is not a mobile number
    30004: Failure.BAD_ADDRESS,  # blocked by the recipient or their carrier
    30005: Failure.BAD_ADDRESS,  # unknown destination handset
    30006: Failure.BAD_ADDRESS,  # landline or unreachable carrier
    21617: Failure.REFUSED,  # body over 1,600 characters
    30007: Failure.FILTERED,  # filtered by the carrier as spam
    30003: Failure.TRANSIENT,  # handset off or out of reach: a later try may reach it
    30008: Failure.TRANSIENT,  # unknown error at the carrier
}
#: Statuses at which Twilio certainly did not take the message: anything else in the 5xx range may
#: come after the message was created, so it is UNCERTAIN and looked up before any resend.
_NOT_TAKEN = {429, 503}
#: How far before our claim a text found at Twilio may have been created (clocks differ a little).
_CLOCK_SLACK = timedelta(minutes=1)
#: Connections kept open to Twilio before the dispatcher says how many threads send at once
#: (`keep_connections`): `serve`'s dispatch job sends on 4.
KEPT_CONNECTIONS = 4


class BaseUrlHttpClient(TwilioHttpClient):  # type: ignore[misc]  # twilio ships no type hints
    """Sends the SDK's requests to another host (a fake Twilio in tests, a staging proxy)."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self._base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: object, **kwargs: object) -> Response:
        if url.startswith(TWILIO_API):
            url = self._base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


class TwilioTransport:
    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        messaging_service_sid: str | None = None,
        from_number: str | None = None,
        status_callback: str | None = None,
        api_base_url: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        if not (messaging_service_sid or from_number):
            raise ValueError("set TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER to send texts")
        http_client = BaseUrlHttpClient(api_base_url, timeout) if api_base_url else TwilioHttpClient(timeout=timeout)
        self._client = Client(account_sid, auth_token, http_client=http_client)
        self._http_client = http_client
        self._kept = 0
        self.keep_connections(KEPT_CONNECTIONS)
        self._sender = (
            {"messaging_service_sid": messaging_service_sid} if messaging_service_sid else {"from_": from_number}
        )
        self._status_callback = status_callback

    def keep_connections(self, senders: int) -> None:
        """Keep a connection open for each of `senders` threads sending at once (never fewer than
        now). The SDK's session keeps min(32, cores + 4) to https and requests' 10 to http: with
        more threads, every request past those opened a new connection (a TLS handshake with
        api.twilio.com) and dropped it after its one request."""
        if senders <= self._kept:
            return
        # One adapter for both schemes: a pool for each host it reaches, each keeping this many, and
        # retrying as the one it replaces did. The old one is not closed (a sender may be using it);
        # it is dropped with its idle connections, and this happens only when the workers grow.
        retries = self._http_client.session.get_adapter("https://").max_retries
        adapter = HTTPAdapter(pool_maxsize=senders, max_retries=retries)
        self._http_client.session.mount("https://", adapter)
        self._http_client.session.mount("http://", adapter)
        self._kept = senders

    def send(self, address: str, body: str) -> str:
        if len(body) > MAX_BODY:
            raise DeliveryError(Failure.REFUSED, "too_long")
        extra = {"status_callback": self._status_callback} if self._status_callback else {}
        try:
            message = self._client.messages.create(to=address, body=body, **self._sender, **extra)
        except TwilioRestException as error:
            raise DeliveryError(_failure(error), str(error.code or error.status)) from error
        except requests.ConnectionError as error:
            if _before_sending(error):
                raise DeliveryError(Failure.TRANSIENT, "connection") from error
            raise DeliveryError(Failure.UNCERTAIN, "connection") from error
        except requests.Timeout as error:
            raise DeliveryError(Failure.UNCERTAIN, "timeout") from error
        return str(message.sid)

    def find_sent(self, address: str, body: str, claimed_at: datetime) -> str | None:
        """The id of the text Twilio holds with this body to this address, created since it was
        claimed; None if Twilio has none (it never left). Raises LookupFailed if Twilio cannot say."""
        try:
            recent = self._client.messages.list(to=address, limit=50)
        except (TwilioRestException, requests.RequestException) as error:
            raise LookupFailed(type(error).__name__) from error
        since = claimed_at - _CLOCK_SLACK
        for message in recent:
            if message.body == body and (message.date_created is None or message.date_created >= since):
                return str(message.sid)
        return None


def _failure(error: TwilioRestException) -> Failure:
    if error.code in ERRORS:
        return ERRORS[error.code]
    if error.status >= 500 and error.status not in _NOT_TAKEN:
        return Failure.UNCERTAIN
    return Failure.TRANSIENT


def _before_sending(error: requests.ConnectionError) -> bool:
    """Whether the connection failed before the request could reach Twilio (nothing sent)."""
    cause = error.args[0] if error.args else None
    reason = cause.reason if isinstance(cause, MaxRetryError) else cause
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)
