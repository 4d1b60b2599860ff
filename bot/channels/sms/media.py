"""Fetching MMS media from Twilio with the account's credentials (HTTP basic auth).

Twilio answers a media URL with a redirect to short-lived storage; `requests` follows it and drops
the credentials on the way, as they are for Twilio's host alone.
"""

import requests

from bot.documents import Download, FetchFailed
from bot.settings import Secret

#: Seconds to connect, and between bytes: a photo arrives in well under this.
TIMEOUT = (5, 30)
_CHUNK = 64 * 1024


def twilio_media(account_sid: str, auth_token: Secret, max_bytes: int) -> Download:
    def download(url: str) -> bytes:
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
