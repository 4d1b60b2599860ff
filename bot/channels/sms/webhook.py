"""Twilio's webhooks: inbound SMS/MMS and delivery status, both signed with X-Twilio-Signature."""

import logging
from collections.abc import Callable
from datetime import datetime
from urllib.parse import unquote_plus
from xml.sax.saxutils import escape, quoteattr

from fastapi import APIRouter, BackgroundTasks, Request, Response
from sqlalchemy.orm import Session, sessionmaker
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


def twiml(replies: list[OutgoingText] | tuple[OutgoingText, ...], status_url: str | None) -> Response:
    """A TwiML <Response> with one <Message> per reply.

    With a public URL, each reply asks for delivery callbacks naming our message id, so a reply the
    carrier could not deliver shows up on its stored row like any other outbound text.
    Written directly: the SDK's MessagingResponse builds an element tree for this and took 6% of
    the webhook's time (bench/webhook.py).
    """
    messages = "".join(
        f"<Message{_status_callback(status_url, reply.message_id)}>{escape(reply.body)}</Message>" for reply in replies
    )
    return Response(
        content=f'<?xml version="1.0" encoding="UTF-8"?><Response>{messages}</Response>',
        media_type="application/xml",
    )


def _status_callback(status_url: str | None, message_id: int) -> str:
    if status_url is None:
        return ""
    return f" statusCallback={quoteattr(f'{status_url}?reply={message_id}')}"


def _unsigned() -> Response:
    return Response("Invalid or missing X-Twilio-Signature", status_code=403)


def sms_router(
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
) -> APIRouter:
    router = APIRouter(tags=["sms"])
    # Texts that arrive together are handled in one transaction (bot.group_commit).
    texts = GroupCommit(inbox, offload, inline_inbox, inline_gate, observe_batch)
    status_url = f"{public_url}/sms/twilio/status" if public_url else None
    validator = RequestValidator(auth_token.reveal()) if auth_token else None
    if validator is None:
        log.warning("TWILIO_AUTH_TOKEN is not set: the SMS webhooks will refuse every request")

    async def signed_form(request: Request) -> Form | Response:
        """The form's fields if Twilio signed them for this URL, else the refusal. The body is
        bounded already (bot.body_limit), and so is the number of fields the signature covers."""
        if validator is None:
            return _unsigned()
        try:
            params = parse_form(await request.body())
        except ValueError:
            return Response(f"More than {MAX_FIELDS} form fields", status_code=413)
        # Behind a TLS proxy the URL we see is not the one Twilio signed: rebuild it from ours.
        url = str(request.url)
        if public_url:
            url = public_url + request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if not signature_matches(validator.token, url, params, request.headers.get("X-Twilio-Signature", "")):
            return _unsigned()
        return params

    @router.post("/sms/twilio")
    async def receive_sms(request: Request, background: BackgroundTasks) -> Response:
        params = await signed_form(request)
        if isinstance(params, Response):
            return params
        try:
            inbound = inbound_from_form(params, clock())
        except InvalidForm as error:
            return Response(f"Not a message: {error}", status_code=400)
        if len(inbound.text) > MAX_BODY:
            # Answered 200, so that Twilio does not deliver it again; staff see it (issue 16, item 8).
            reason = f"Body longer than {MAX_BODY} characters ({len(inbound.text)})"
            try:
                await run(
                    keep_dead_letter,
                    sessions,
                    Channel.SMS,
                    inbound.provider_id,
                    inbound.address,
                    reason,
                    inbound.text,
                    inbound.received_at,
                )
            except ProcessingFailed:
                return Response("Could not store the message; please retry", status_code=503)
            return twiml([], status_url)
        if inbound.media:
            # After the answer to Twilio, so that a slow media host never delays the reply.
            background.add_task(fetch_documents)
        try:
            replies = await texts.receive(inbound, InlineWindow(budget))
        except BudgetSpent:
            # Twilio stops listening at 15 s: the work goes on, its replies through the outbox.
            return Response("Busy; the message will be handled", status_code=503)
        except ProcessingFailed:
            # Not stored, or its batch not committed: only a failed answer makes Twilio log it
            # (and retry, if set to).
            return Response("Could not store the message; please retry", status_code=503)
        return twiml(replies, status_url)

    @router.post("/sms/twilio/status")
    async def delivery_status(request: Request) -> Response:
        params = await signed_form(request)
        if isinstance(params, Response):
            return params
        try:
            status = TWILIO_STATUSES.get(_single(params, "MessageStatus").lower())
            provider_id, error_code = _single(params, "MessageSid"), _single(params, "ErrorCode")
        except InvalidForm as error:
            return Response(f"Not a status report: {error}", status_code=400)
        reply = request.query_params.get("reply", "")
        if status is not None and provider_id:
            await run(
                _record_status,
                sessions,
                provider_id,
                int(reply) if reply.isdigit() else None,
                status,
                error_code or None,
                clock(),
            )
        # Unknown ids and statuses are answered 200 all the same: Twilio must not retry them.
        return Response(status_code=200)

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
