"""Counselor and supervisor sign-in: argon2id passwords, revocable API tokens, throttled failures.

A wrong password and an unknown email get the same answer, after the same work, so that the
answer does not tell who has an account; failures are counted per email, known or not.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from casefile.base import Base
from casefile.people import Counselor, find_counselor_by_email

#: argon2id with the library's defaults (RFC 9106's second recommended setting: 64 MiB, 3 passes).
_HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 12
#: After this many failures for one email within the window, sign-in is refused until the window ends.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
#: Failures from one client address within the window before it is refused too: higher than
#: MAX_FAILURES, since an office's counselors share one address, but low enough to stop a spray of
#: guesses across many emails.
MAX_ADDRESS_FAILURES = 20
#: A signed-in session (the console's cookie) lasts a working day; named API tokens until revoked.
SESSION_LIFETIME = timedelta(hours=12)
TOKEN_PREFIX = "wp_"
#: The name of the tokens a sign-in issues (the console's cookie, the API's session), as opposed to
#: named API tokens: a password change ends these.
SESSION_TOKEN_NAME = "session"


class ApiToken(Base):
    """A bearer token for the API, kept only as its SHA-256 (a token is random, so no slow hash)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    counselor_id: Mapped[int] = mapped_column(ForeignKey("counselors.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class SignInFailures(Base):
    """Recent failed sign-ins for one email (whether or not an account has it)."""

    __tablename__ = "sign_in_failures"

    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    failures: Mapped[int]
    window_started_at: Mapped[datetime]


class SignInAddressFailures(Base):
    """Recent failed sign-ins from one client address, whichever emails they tried."""

    __tablename__ = "sign_in_address_failures"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int]
    window_started_at: Mapped[datetime]


@dataclass(frozen=True)
class IssuedToken:
    id: int
    #: Shown once, to whoever asked for it; only its hash is stored.
    secret: str


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def set_password(counselor: Counselor, password: str) -> None:
    counselor.password_hash = hash_password(password)


def sign_in(session: Session, email: str, password: str, now: datetime, address: str | None = None) -> Counselor | None:
    """The counselor with this email and password; None for a wrong password, an unknown email, a
    disabled account or too many recent failures (for the email, or from the client `address`)
    alike. A failure is recorded in the session: commit it."""
    email = email.strip().lower()
    failures = _window(session.get(SignInFailures, email), now)
    by_address = _window(session.get(SignInAddressFailures, address), now) if address else None
    if (failures is not None and failures.failures >= MAX_FAILURES) or (
        by_address is not None and by_address.failures >= MAX_ADDRESS_FAILURES
    ):
        return None
    counselor = find_counselor_by_email(session, email)
    if counselor is not None and counselor.password_hash and _verifies(counselor.password_hash, password):
        if counselor.disabled_at is None:
            if failures is not None:
                session.delete(failures)
            return counselor
    elif counselor is None or not counselor.password_hash:
        _verifies(_dummy_hash(), password)
    if failures is None:
        session.add(SignInFailures(email=email, failures=1, window_started_at=now))
    else:
        failures.failures += 1
    if address and by_address is None:
        session.add(SignInAddressFailures(address=address[:64], failures=1, window_started_at=now))
    elif by_address is not None:
        by_address.failures += 1
    return None


_Failures = TypeVar("_Failures", SignInFailures, SignInAddressFailures)


def _window(failures: _Failures | None, now: datetime) -> _Failures | None:
    """The failure count, started afresh once its window has passed."""
    if failures is not None and now - failures.window_started_at >= FAILURE_WINDOW:
        failures.failures, failures.window_started_at = 0, now
    return failures


def change_password(
    session: Session, counselor: Counselor, current: str, new: str, keep_secret: str | None, now: datetime
) -> bool:
    """Set a new password if `current` is right; every other signed-in session ends (the one
    presenting `keep_secret` stays). Raises ValueError for a new password that is too short."""
    if not counselor.password_hash or not _verifies(counselor.password_hash, current):
        return False
    set_password(counselor, new)
    end_sessions(session, counselor, now, keep_secret)
    return True


def end_sessions(session: Session, counselor: Counselor, now: datetime, keep_secret: str | None = None) -> int:
    """Revoke the counselor's live sign-in sessions (not their named API tokens), but the one given."""
    statement = update(ApiToken).where(
        ApiToken.counselor_id == counselor.id, ApiToken.name == SESSION_TOKEN_NAME, ApiToken.revoked_at.is_(None)
    )
    if keep_secret is not None:
        statement = statement.where(ApiToken.token_hash != _digest(keep_secret))
    return int(session.execute(statement.values(revoked_at=now)).rowcount)  # type: ignore[attr-defined]


def disable_counselor(session: Session, counselor: Counselor, now: datetime) -> int:
    """No more sign-in for this counselor, and every session and API token of theirs ends at once;
    how many were live. Their caseload and records stay as they are."""
    counselor.disabled_at = now
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.counselor_id == counselor.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


@cache
def _dummy_hash() -> str:
    """Verified when the email is unknown, so that an unknown user costs as much time as a wrong
    password; made on first use, not whenever the case file is imported."""
    return _HASHER.hash(secrets.token_hex(16))


def _verifies(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def issue_token(
    session: Session, counselor: Counselor, name: str, now: datetime, lifetime: timedelta | None = None
) -> IssuedToken:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        counselor_id=counselor.id,
        name=name,
        token_hash=_digest(secret),
        created_at=now,
        expires_at=now + lifetime if lifetime else None,
        revoked_at=None,
    )
    session.add(token)
    session.flush()
    return IssuedToken(token.id, secret)


def counselor_for_token(session: Session, secret: str, now: datetime) -> Counselor | None:
    """Whose token this is, if it is live (not revoked, not expired)."""
    token = _token(session, secret)
    if token is None or token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    counselor = session.get(Counselor, token.counselor_id)
    # A disabled account's tokens are revoked too; this holds even for one issued in a race with it.
    return counselor if counselor is not None and counselor.disabled_at is None else None


def revoke_token(session: Session, counselor: Counselor, token_id: int, now: datetime) -> bool:
    """Revoke one of the counselor's own tokens; False when they have no live token with that id."""
    token = session.get(ApiToken, token_id)
    if token is None or token.counselor_id != counselor.id or token.revoked_at is not None:
        return False
    token.revoked_at = now
    return True


def revoke_secret(session: Session, secret: str, now: datetime) -> None:
    """Sign out: the session token presented stops working."""
    token = _token(session, secret)
    if token is not None and token.revoked_at is None:
        token.revoked_at = now


def tokens_of(session: Session, counselor: Counselor) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.counselor_id == counselor.id).order_by(ApiToken.id)))


def _token(session: Session, secret: str) -> ApiToken | None:
    return session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(secret))).one_or_none()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
