"""Redaction of secrets and phone numbers from every log line of the process (issue 16, item 11).

The leak that prompted it: httpx logs each request's URL at INFO, and the Bot API puts the bot's
token in the URL (`POST .../bot<token>/sendMessage`). Rather than silence one library, every log
record is redacted as it is made (a log-record factory), whichever library made it and whichever
handler writes it (ours, uvicorn's): the secrets the service was given (the Twilio auth token, the
Telegram bot token and webhook secret), anything shaped as a bot token, SSN-like numbers (as
casefile.identifiers defines them), and phone numbers and other long digit runs (Telegram chat ids).
Message bodies are never logged by our code; a test scans the log of a whole run for them
(tests/test_log_redaction.py).
"""

import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from casefile.identifiers import SSN_LIKE

#: A Bot API token: the bot's numeric id, a colon and 35 characters.
_BOT_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
_PHONE_NUMBERS = re.compile(
    r"(?:\+1[ .-]?)?(?<![\w.])\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}(?![\w])"  # 510-555-0100, +1 (510) 555-0100
    r"|\+\d{7,15}(?!\d)"  # +15105550100
    r"|(?<![\w.:-])\d{7,}(?![\w])"  # 5105550100, a chat id, a case number
)
SECRET = "<secret>"
TOKEN = "<bot-token>"
NUMBER = "<number>"
#: The shortest id the service logs (a request id: 16 hex digits; a MessageSid has 34 characters).
ID_LENGTH = 16

_lock = threading.Lock()
_secrets: set[str] = set()
_secret_pattern: re.Pattern[str] | None = None
_installed = False
_formatter = logging.Formatter()


def redact(text: str) -> str:
    """The text with the known secrets, bot tokens and phone-like numbers replaced."""
    pattern = _secret_pattern
    if pattern is not None:
        text = pattern.sub(SECRET, text)
    text = _BOT_TOKEN.sub(TOKEN, text)
    # SSNs first, by the definition the guard and the inbox use (any separators, any digits), so
    # that a phone pattern cannot take part of one and leave the rest.
    return _PHONE_NUMBERS.sub(NUMBER, SSN_LIKE.sub(_unless_in_an_id, text))


def _unless_in_an_id(match: re.Match[str]) -> str:
    """NUMBER, unless the match is part of an id: a word of letters and digits of ID_LENGTH or more
    (a MessageSid "SMab123456789c…", a request id), which holds no SSN and which staff search the
    logs for. "SSN123456789" is a label glued to a number, and is redacted."""
    text, start, end = match.string, match.start(), match.end()
    while start > 0 and _is_id_character(text[start - 1]):
        start -= 1
    while end < len(text) and _is_id_character(text[end]):
        end += 1
    glued = (start, end) != match.span()
    return match.group(0) if glued and end - start >= ID_LENGTH else NUMBER


def _is_id_character(character: str) -> bool:
    return character.isascii() and character.isalnum()


def install_log_redaction(secrets: Iterable[str]) -> None:
    """Redact every log record made from now on in this process, and these secrets in particular.
    Called by every entry point (bot.app.build_service); calling it again adds secrets."""
    global _secret_pattern, _installed
    with _lock:
        # Very short values would redact ordinary words; no real token or secret is that short.
        _secrets.update(secret for secret in secrets if len(secret) >= 8)
        if _secrets:
            longest_first = sorted(_secrets, key=len, reverse=True)
            _secret_pattern = re.compile("|".join(re.escape(secret) for secret in longest_first))
        if not _installed:
            logging.setLogRecordFactory(_redacting(logging.getLogRecordFactory()))
            _installed = True


def _redacting(make_record: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make_redacted_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        _redact_record(record)
        return record

    return make_redacted_record


def _redact_record(record: logging.LogRecord) -> None:
    if record.name.startswith("uvicorn"):
        # Uvicorn's formatters read the arguments themselves (the access log unpacks them, the
        # coloured default re-formats them): keep them as arguments, each redacted.
        record.msg = redact(str(record.msg))
        record.args = _redacted_arguments(record.args)
    else:
        try:
            message = record.getMessage()
        except Exception:  # a caller's bad format string: logging reports it later, redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), None
    if record.exc_info and not record.exc_text:
        # Formatted now, so that a traceback quoting a URL or a number is redacted too; the
        # formatter uses exc_text when it is set.
        record.exc_text = redact(_formatter.formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def _redacted_arguments(arguments: Any) -> Any:
    if isinstance(arguments, Mapping):
        return {key: _redacted_argument(value) for key, value in arguments.items()}
    if isinstance(arguments, tuple):
        return tuple(_redacted_argument(value) for value in arguments)
    return arguments


def _redacted_argument(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, int) and abs(value) >= 1_000_000:
        return NUMBER
    return value
