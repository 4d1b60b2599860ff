"""What every CLI command module shares: the error a person at the terminal can fix, and finding
the counselor a command acts as."""

from sqlalchemy.orm import Session

from casefile.people import Counselor, find_counselor_by_email


class UserError(Exception):
    """Something the person at the terminal can fix; printed without a traceback."""


def counselor_by_email(session: Session, email: str) -> Counselor:
    counselor = find_counselor_by_email(session, email)
    if counselor is None:
        raise UserError(f"no counselor with email {email}: add one with `waypoint counselor add`")
    return counselor
