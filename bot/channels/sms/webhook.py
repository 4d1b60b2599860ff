"""Twilio's webhooks: inbound SMS/MMS and delivery status, both signed with X-Twilio-Signature."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote_plus
from xml.sax.saxutils import escape, quoteattr

from fastapi import APIRouter, BackgroundTasks, Request, Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import URL, QueryParams
from starlette.types import Scope
from twilio.request_validator import RequestValidator

from bot.channels.sms.signature import signature_matches
from bot.channels.sms.transport import ERRORS
from bot.database_runner import DatabaseRunner
from bot.dead_letters import keep_dead_letter
from bot.group_commit import GroupCommit
from bot.inbox import Inbound, Inbox, Media, ProcessingFailed
from bot.offload import BudgetSpent, InlineWindow, Offload
from bot.processing import OutgoingText
from bot.settings import Secret
from casefile.messages import apply_delivery_status, link_provider_id
from casefile.vocabulary import Channel, MessageStatus
from casefile.write_gate import WriteGate
from scheduler.outbox import DeliveryError, record_reported_failure

log = logging.getLogger(__name__)

TWILIO_STATUSES: dict[str, MessageStatus] = {
    "accepted": MessageStatus.QUEUED,
    "scheduled": MessageStatus.QUEUED,
    "queued": MessageStatus.QUEUED,
    "sending": MessageStatus.SENDING,
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.READ,
    "undelivered": MessageStatus.UNDELIVERED,
    "failed": MessageStatus.FAILED,
    "canceled": MessageStatus.FAILED,
}
#: Longer than any Twilio id or phone number; longer values are not a message.
MAX_FIELD = 64
#: The longest Body Twilio delivers (a long text arrives joined, up to this); a longer one is not
#: from a phone, and is kept as a dead letter rather than answered.
MAX_BODY = 1600
#: Twilio sends about 40 fields with an MMS of 10 photos; a form of more is not Twilio's, and is
#: refused before its signature is computed over it.
MAX_FIELDS = 200


class Form(dict[str, list[str]]):
    """A form's fields with every value of a key, in order: what Twilio signs (a key may repeat).

    `getall` is the multi-dict method RequestValidator asks for first; given a plain dict it fails
    over to `[params[name]]` by two exceptions per field, which made a plain dict slower than this.
    """

    def getall(self, name: str) -> list[str]:
        return self[name]


class InvalidForm(ValueError):
    """A signed request whose fields do not make a message; the text says which field."""


def parse_form(body: bytes) -> Form:
    """Every field of a form, repeated keys kept; ValueError past MAX_FIELDS.

    What `parse_qsl(..., keep_blank_values=True)` gives (tests/test_sms_webhook.py compares the
    two over hostile bodies), without its per-field checks: it was 4% of a message's CPU."""
    text = body.decode("utf-8", "replace")
    if text.count("&") >= MAX_FIELDS:
        raise ValueError(f"more than {MAX_FIELDS} fields")
    form = Form()
    for field in text.split("&"):
        if field:
            name, _, value = field.partition("=")
            form.setdefault(unquote_plus(name), []).append(unquote_plus(value))
    return form


def _single(params: Form, name: str) -> str:
    """A field that names the message ('' when absent): given twice, which one Twilio meant cannot be known."""
    values = params.get(name, ())
    if len(values) > 1:
        raise InvalidForm(f"{name} is given {len(values)} times")
    return values[0] if values else ""


def inbound_from_form(params: Form, received_at: datetime) -> Inbound:
    provider_id = _single(params, "MessageSid") or _single(params, "SmsSid")
    sender = _single(params, "From")
    if not provider_id or len(provider_id) > MAX_FIELD:
        raise InvalidForm("MessageSid is missing or too long")
    if not sender or len(sender) > MAX_FIELD:
        raise InvalidForm("From is missing or too long")
    try:
        media_count = int(_single(params, "NumMedia") or 0)
    except ValueError as error:
        raise InvalidForm("NumMedia is not a number") from error
    media = tuple(
        Media(url, _single(params, f"MediaContentType{i}") or "application/octet-stream")
        for i in range(min(media_count, 10))
        if (url := _single(params, f"MediaUrl{i}"))
    )
    # PostgreSQL text cannot hold NUL; keep every other character as sent.
    text = _single(params, "Body").replace("\x00", "\ufffd")
    return Inbound(Channel.SMS, sender, text, provider_id, received_at, media)


def twiml(replies: list[OutgoingText] | tuple[OutgoingText, ...], status_url: str | None) -> "Answer":
    """A TwiML <Response> with one <Message> per reply.

    With a public URL, each reply asks for delivery callbacks naming our message id, so a reply the
    carrier could not deliver shows up on its stored row like any other outbound text.
    Written directly: the SDK's MessagingResponse builds an element tree for this and took 6% of
    the webhook's time (bench/webhook.py).
    """
    messages = "".join(
        f"<Message{_status_callback(status_url, reply.message_id)}>{escape(reply.body)}</Message>" for reply in replies
    )
    body = f'<?xml version="1.0" encoding="UTF-8"?><Response>{messages}</Response>'.encode()
    return Answer(200, body, XML)


def _status_callback(status_url: str | None, message_id: int) -> str:
    if status_url is None:
        return ""
    return f" statusCallback={quoteattr(f'{status_url}?reply={message_id}')}"


#: The media type of a TwiML answer; the other answers are plain text with none, as Starlette's
#: Response(text) gave them (tests/test_twilio_fast_path.py compares the two paths).
XML = b"application/xml"
UNSIGNED = b"Invalid or missing X-Twilio-Signature"


@dataclass(frozen=True, slots=True)
class Answer:
    """What a Twilio webhook answers, whichever layer serves the request (bot.channels.sms.fast_path
    for an exact POST, FastAPI's router for anything else)."""

    status: int
    body: bytes = b""
    media_type: bytes | None = None
    #: Fetch the message's documents once the answer is sent, so that a slow media host never delays it.
    fetch_documents: bool = False

    def headers(self) -> list[tuple[bytes, bytes]]:
        """The raw headers Starlette's Response gives the same status, body and media type."""
        headers = [(b"content-length", str(len(self.body)).encode())]
        if self.media_type is not None:
            headers.append((b"content-type", self.media_type))
        return headers

    def response(self) -> Response:
        return Response(self.body, self.status, media_type=self.media_type.decode() if self.media_type else None)


BUSY = Answer(503, b"Busy; the message will be handled")
NOT_STORED = Answer(503, b"Could not store the message; please retry")


class SmsWebhooks:
    """The two Twilio webhooks, apart from the layer that serves them: each takes the request's body
    reader, the URL Twilio signed and the signature, and gives the Answer."""

    def __init__(
        self,
        inbox: Inbox,
        sessions: sessionmaker[Session],
        auth_token: Secret | None,
        public_url: str | None,
        run: DatabaseRunner,
        clock: Callable[[], datetime],
        fetch_documents: Callable[[], object],
        offload: Offload,
        budget: float = 10.0,
        inline_inbox: Inbox | None = None,
        inline_gate: WriteGate | None = None,
        observe_batch: Callable[[int], None] | None = None,
    ) -> None:
        # Texts that arrive together are handled in one transaction (bot.group_commit).
        self._texts = GroupCommit(inbox, offload, inline_inbox, inline_gate, observe_batch)
        self._sessions = sessions
        self._public_url = public_url
        self._run = run
        self._clock = clock
        self.fetch_documents = fetch_documents
        self._budget = budget
        self._status_url = f"{public_url}/sms/twilio/status" if public_url else None
        self._validator = RequestValidator(auth_token.reveal()) if auth_token else None
        if self._validator is None:
            log.warning("TWILIO_AUTH_TOKEN is not set: the SMS webhooks will refuse every request")

    def signed_url(self, scope: Scope) -> str:
        """The URL Twilio signed. Behind a TLS proxy the URL we see is not it: rebuilt from ours."""
        path: str = scope["path"]
        if self._public_url and not scope["query_string"] and path in PATHS:
            # What the general case below gives for these paths, without parsing a URL.
            return self._public_url + path
        url = URL(scope=scope)
        if self._public_url:
            return self._public_url + url.path + (f"?{url.query}" if url.query else "")
        return str(url)

    async def _signed_form(self, body: Callable[[], Awaitable[bytes]], url: str, signature: str) -> Form | Answer:
        """The form's fields if Twilio signed them for this URL, else the refusal. The body is
        bounded already (bot.body_limit), and so is the number of fields the signature covers."""
        if self._validator is None:
            return Answer(403, UNSIGNED)
        try:
            params = parse_form(await body())
        except ValueError:
            return Answer(413, f"More than {MAX_FIELDS} form fields".encode())
        if not signature_matches(self._validator.token, url, params, signature):
            return Answer(403, UNSIGNED)
        return params

    async def receive_sms(self, body: Callable[[], Awaitable[bytes]], url: str, signature: str) -> Answer:
        params = await self._signed_form(body, url, signature)
        if isinstance(params, Answer):
            return params
        try:
            inbound = inbound_from_form(params, self._clock())
        except InvalidForm as error:
            return Answer(400, f"Not a message: {error}".encode())
        if len(inbound.text) > MAX_BODY:
            # Answered 200, so that Twilio does not deliver it again; staff see it (issue 16, item 8).
            reason = f"Body longer than {MAX_BODY} characters ({len(inbound.text)})"
            try:
                await self._run(
                    keep_dead_letter,
                    self._sessions,
                    Channel.SMS,
                    inbound.provider_id,
                    inbound.address,
                    reason,
                    inbound.text,
                    inbound.received_at,
                )
            except ProcessingFailed:
                return NOT_STORED
            return twiml([], self._status_url)
        try:
            replies = await self._texts.receive(inbound, InlineWindow(self._budget))
        except BudgetSpent:
            # Twilio stops listening at 15 s: the work goes on, its replies through the outbox.
            answer = BUSY
        except ProcessingFailed:
            # Not stored, or its batch not committed: only a failed answer makes Twilio log it
            # (and retry, if set to).
            answer = NOT_STORED
        else:
            answer = twiml(replies, self._status_url)
        if inbound.media:
            # After the answer to Twilio, so that a slow media host never delays the reply.
            return Answer(answer.status, answer.body, answer.media_type, fetch_documents=True)
        return answer

    async def delivery_status(
        self, body: Callable[[], Awaitable[bytes]], url: str, signature: str, query_string: bytes
    ) -> Answer:
        params = await self._signed_form(body, url, signature)
        if isinstance(params, Answer):
            return params
        try:
            status = TWILIO_STATUSES.get(_single(params, "MessageStatus").lower())
            provider_id, error_code = _single(params, "MessageSid"), _single(params, "ErrorCode")
        except InvalidForm as error:
            return Answer(400, f"Not a status report: {error}".encode())
        reply = QueryParams(query_string).get("reply", "")
        if status is not None and provider_id:
            await self._run(
                _record_status,
                self._sessions,
                provider_id,
                int(reply) if reply.isdigit() else None,
                status,
                error_code or None,
                self._clock(),
            )
        # Unknown ids and statuses are answered 200 all the same: Twilio must not retry them.
        return Answer(200)


#: The webhooks' paths: bot.channels.sms.fast_path serves a POST to either before FastAPI's router.
RECEIVE_PATH = "/sms/twilio"
STATUS_PATH = "/sms/twilio/status"
PATHS = (RECEIVE_PATH, STATUS_PATH)


def sms_router(webhooks: SmsWebhooks) -> APIRouter:
    """The webhooks as FastAPI routes: for what the fast path leaves to the router (another method,
    a trailing slash, a root path), and for the API's reference pages."""
    router = APIRouter(tags=["sms"])

    @router.post(RECEIVE_PATH)
    async def receive_sms(request: Request, background: BackgroundTasks) -> Response:
        signature = request.headers.get("X-Twilio-Signature", "")
        answer = await webhooks.receive_sms(request.body, webhooks.signed_url(request.scope), signature)
        if answer.fetch_documents:
            background.add_task(webhooks.fetch_documents)
        return answer.response()

    @router.post(STATUS_PATH)
    async def delivery_status(request: Request) -> Response:
        signature = request.headers.get("X-Twilio-Signature", "")
        url = webhooks.signed_url(request.scope)
        return (await webhooks.delivery_status(request.body, url, signature, request.scope["query_string"])).response()

    return router


def _record_status(
    sessions: sessionmaker[Session],
    provider_id: str,
    reply_id: int | None,
    status: MessageStatus,
    error_code: str | None,
    at: datetime,
) -> None:
    with sessions.begin() as session:
        if reply_id is not None:
            link_provider_id(session, reply_id, Channel.SMS, provider_id)
        changed = apply_delivery_status(session, Channel.SMS, provider_id, status, error_code, at)
        # Only the report that changed the status acts on its code: a repeated callback does not.
        failure = ERRORS.get(int(error_code)) if error_code and error_code.isdigit() else None
        if changed and failure is not None and status in (MessageStatus.UNDELIVERED, MessageStatus.FAILED):
            assert error_code is not None
            record_reported_failure(session, Channel.SMS, provider_id, DeliveryError(failure, error_code), at)
