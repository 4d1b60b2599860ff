"""Sending SMS through the real twilio Client, with provider errors sorted as permanent or not."""

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from scheduler.outbox import DeliveryError, Failure

TWILIO_API = "https://api.twilio.com"

#: Twilio error codes that no retry can fix (https://www.twilio.com/docs/api/errors).
PERMANENT_ERRORS: dict[int, Failure] = {
    21610: Failure.OPTED_OUT,  # the recipient replied STOP to this sender
    21211: Failure.BAD_ADDRESS,  # invalid 'To' number
    21614: Failure.BAD_ADDRESS,  # 'To' is not a mobile number
    30005: Failure.BAD_ADDRESS,  # unknown destination handset
    30006: Failure.BAD_ADDRESS,  # landline or unreachable carrier
}


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
        self._sender = (
            {"messaging_service_sid": messaging_service_sid} if messaging_service_sid else {"from_": from_number}
        )
        self._status_callback = status_callback

    def send(self, address: str, body: str) -> str:
        extra = {"status_callback": self._status_callback} if self._status_callback else {}
        try:
            message = self._client.messages.create(to=address, body=body, **self._sender, **extra)
        except TwilioRestException as error:
            raise DeliveryError(
                PERMANENT_ERRORS.get(error.code or 0, Failure.TRANSIENT), str(error.code or error.status)
            ) from error
        except requests.Timeout as error:
            raise DeliveryError(Failure.UNCERTAIN, "timeout") from error
        except requests.ConnectionError as error:
            raise DeliveryError(Failure.TRANSIENT, "connection") from error
        return str(message.sid)
