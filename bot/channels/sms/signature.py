"""Twilio's X-Twilio-Signature, checked as twilio's RequestValidator.validate checks it, for less CPU.

The SDK's `validate` signs every request twice (the URL with its port and without, since Twilio's
signing is inconsistent about it), parses the URL and its query twice, and compares in a Python
loop: about 5% of the webhook's CPU a message (issue 19). Here the form is joined once, the URL
without its port is tried first (what Twilio signs for our https URL), and the second HMAC is
computed only for a request the first did not match. Which requests pass is unchanged:
tests/test_twilio_signature.py checks it against the SDK's own `validate`.
"""

import base64
import hmac
from collections.abc import Mapping, Sequence
from functools import lru_cache
from hashlib import sha1
from urllib.parse import urlparse

from twilio.request_validator import add_port, remove_port


@lru_cache(maxsize=64)
def _signed_urls(url: str) -> tuple[str, str]:
    """The URL as Twilio may have signed it: without its port, then with it (the SDK's own helpers).
    The webhook's URL is the same for every request (bounded: a query string could vary)."""
    parsed = urlparse(url)
    return remove_port(parsed), add_port(parsed)


def signature_matches(token: bytes, url: str, params: Mapping[str, Sequence[str]], signature: str) -> bool:
    """Whether `signature` is Twilio's HMAC-SHA1 of the URL and every value of every field."""
    fields = "".join(name + value for name in sorted(params) for value in sorted(set(params[name])))
    given = signature.encode("utf-8", "surrogatepass")
    for signed_url in _signed_urls(url):
        digest = hmac.new(token, (signed_url + fields).encode("utf-8"), sha1).digest()
        if hmac.compare_digest(base64.b64encode(digest), given):
            return True
    return False
