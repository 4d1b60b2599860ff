"""Browser sessions for the console and the API: the cookie, its CSRF token, the Origin check.

A session is a sign-in token (casefile.accounts) carried in a cookie that is HttpOnly, SameSite=Lax
and, over https, Secure with the `__Host-` prefix (no Domain, Path=/), so no subdomain or plain-http
page can set or read it. Served over plain http (the demo on 127.0.0.1) the cookie has its plain
name and no Secure flag: the browser would drop a Secure cookie there, and loopback traffic never
leaves the machine. A cookie sent over https is only ever read under its `__Host-` name.

Every POST authenticated by the cookie carries a CSRF token (a hidden form field or the
X-CSRF-Token header) derived from the session secret, and a foreign Origin is refused whatever
it carries.
"""

import hashlib
import hmac
import secrets

from fastapi import HTTPException, Request, Response

from casefile.accounts import SESSION_LIFETIME

COOKIE = "waypoint_session"
SECURE_COOKIE = "__Host-waypoint_session"
#: Before sign-in there is no session to bind a token to: a random value in a cookie and in the form
#: (double submit) keeps another site from signing a browser in to an account of its choosing.
SIGN_IN_COOKIE = "waypoint_sign_in"
SIGN_IN_COOKIE_SECURE = "__Host-waypoint_sign_in"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def session_secret(request: Request) -> str | None:
    """The session secret the browser sent, under the cookie name that fits the connection."""
    return request.cookies.get(SECURE_COOKIE if is_https(request) else COOKIE)


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    _set(request, response, SECURE_COOKIE if is_https(request) else COOKIE, secret, SESSION_LIFETIME.total_seconds())


def clear_session_cookie(request: Request, response: Response) -> None:
    _set(request, response, SECURE_COOKIE if is_https(request) else COOKIE, "", 0)


def _set(request: Request, response: Response, name: str, value: str, max_age: float) -> None:
    response.set_cookie(
        name, value, max_age=int(max_age), path="/", httponly=True, samesite="lax", secure=is_https(request)
    )


def csrf_token(secret: str) -> str:
    """The CSRF token of a session: only whoever holds the (HttpOnly) session secret can compute it."""
    return hmac.new(secret.encode(), b"waypoint console csrf", hashlib.sha256).hexdigest()


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(24)


def set_sign_in_cookie(request: Request, response: Response, token: str) -> None:
    _set(request, response, SIGN_IN_COOKIE_SECURE if is_https(request) else SIGN_IN_COOKIE, token, 3600)


def sign_in_token_matches(request: Request, submitted: str | None) -> bool:
    expected = request.cookies.get(SIGN_IN_COOKIE_SECURE if is_https(request) else SIGN_IN_COOKIE)
    return bool(expected and submitted and hmac.compare_digest(expected, submitted))


def own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def foreign_origin(request: Request, public_url: str | None) -> bool:
    """True when the request names an Origin other than this site's (as reached, or as published)."""
    origin = request.headers.get("origin")
    if origin is None:
        return False
    allowed = {own_origin(request)}
    if public_url:
        scheme, _, rest = public_url.partition("://")
        allowed.add(f"{scheme}://{rest.split('/')[0]}")
    return origin not in allowed


def require_csrf(request: Request, secret: str, submitted: str | None, public_url: str | None) -> None:
    """Refuse (403) a cookie-authenticated state change from elsewhere: a foreign Origin, or no
    valid token."""
    if foreign_origin(request, public_url):
        raise HTTPException(403, "This request came from another site and was refused.")
    token = submitted or request.headers.get(CSRF_HEADER)
    if not token or not hmac.compare_digest(token, csrf_token(secret)):
        raise HTTPException(403, "The form had expired or was not ours: reload the page and try again.")


def client_address(request: Request) -> str | None:
    """The address failed sign-ins are counted against (the proxy's client when uvicorn trusts it)."""
    return request.client.host if request.client else None
