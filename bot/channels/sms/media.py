"""Fetching MMS media from Twilio with the account's credentials (HTTP basic auth).

Twilio answers a media URL with a redirect to short-lived storage; `requests` follows it and drops
the credentials on the way, as they are for Twilio's host alone. The credentials go only to
Twilio's media hosts (`origins`): a signed request names the URL, but the signature says only
that the form came from Twilio, not that every URL in it is Twilio's (issue 16, item 14).
"""

from collections.abc import Sequence
from urllib.parse import urlsplit

import requests

from bot.documents import Download, FetchFailed
from bot.settings import Secret

#: Seconds to connect, and between bytes: a photo arrives in well under this.
TIMEOUT = (5, 30)
_CHUNK = 64 * 1024


def is_twilio_media(url: str, origins: Sequence[str]) -> bool:
    """Whether a URL is at one of the origins ("https://api.twilio.com", "https://*.twilio.com":
    scheme, host, port; "*." stands for any subdomain). A URL with a user name is never one: which
    host it names depends on who parses it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.username is not None or parts.password is not None or not parts.hostname:
        return False
    for origin in origins:
        allowed = urlsplit(origin)
        if (parts.scheme, port) != (allowed.scheme, allowed.port) or not allowed.hostname:
            continue
        if allowed.hostname.startswith("*."):
            if parts.hostname.endswith(allowed.hostname[1:]):
                return True
        elif parts.hostname == allowed.hostname:
            return True
    return False


def twilio_media(account_sid: str, auth_token: Secret, max_bytes: int, origins: Sequence[str]) -> Download:
    def download(url: str) -> bytes:
        if not is_twilio_media(url, origins):
            # Never retried: the URL will not change. The counselor is told the photo did not come.
            raise FetchFailed("not a Twilio media host: the credentials were not sent", permanent=True)
        try:
            with requests.get(url, auth=(account_sid, auth_token.reveal()), timeout=TIMEOUT, stream=True) as response:
                if response.status_code != 200:
                    # 404/410: deleted at Twilio or never there; 400: not a media URL. Others are
                    # retried: 429 and 5xx pass, and 401 lasts only until the credentials are fixed.
                    permanent = response.status_code in (400, 404, 410)
                    raise FetchFailed(f"HTTP {response.status_code}", permanent=permanent)
                content = bytearray()
                for chunk in response.iter_content(_CHUNK):
                    content += chunk
                    if len(content) > max_bytes:
                        raise FetchFailed(f"larger than {max_bytes} bytes", permanent=True)
                return bytes(content)
        except requests.RequestException as error:
            raise FetchFailed(type(error).__name__) from error

    return download
