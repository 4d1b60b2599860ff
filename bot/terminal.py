"""What every CLI command module shares: the error a person at the terminal can fix, the service a
command builds, and finding the counselor a command acts as and the participant it is about."""

from collections.abc import Callable

from sqlalchemy.orm import Session

from bot.app import Service
from casefile.people import Counselor, Participant, find_counselor_by_email, find_participant_by_phone
from casefile.phones import normalize_phone

#: Builds the service when a command runs (not when the parser is made: `--help` opens no database).
ServiceFactory = Callable[[], Service]


class UserError(Exception):
    """Something the person at the terminal can fix; printed without a traceback."""


def counselor_by_email(session: Session, email: str) -> Counselor:
    counselor = find_counselor_by_email(session, email)
    if counselor is None:
        raise UserError(f"no counselor with email {email}: add one with `waypoint counselor add`")
    return counselor


def participant_by_phone(session: Session, phone: str) -> Participant:
    participant = find_participant_by_phone(session, normalize_phone(phone))
    if participant is None:
        raise UserError(f"no participant with phone {phone}")
    return participant
