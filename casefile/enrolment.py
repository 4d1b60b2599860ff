"""Adding counselors and enrolling participants, with the consent the counselor recorded."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from casefile.consent import ENROLMENT, record_consent
from casefile.people import Counselor, Participant, find_participant_by_phone
from casefile.phones import normalize_phone
from casefile.vocabulary import (
    WEEKLY_HOURS_BY_FAMILY,
    Activity,
    ConsentAction,
    ConsentState,
    FamilyType,
    Language,
    ProgrammeStatus,
    ReportingPeriod,
)


class EnrolmentError(ValueError):
    """Enrolment data a counselor must correct; the message says what and how."""


def add_counselor(
    session: Session, first_name: str, last_name: str, email: str, phone: str | None, at: datetime
) -> Counselor:
    counselor = Counselor(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip().lower(),
        phone=normalize_phone(phone) if phone else None,
        created_at=at,
    )
    session.add(counselor)
    session.flush()
    return counselor


def weekly_requirement(family_type: FamilyType, plan_hours: int | None) -> int:
    """The weekly hours a participant must meet: the plan's figure, or California's rule by family."""
    if plan_hours is not None:
        if not 0 <= plan_hours <= 80:
            raise EnrolmentError("weekly hours must be between 0 and 80")
        return plan_hours
    if family_type is FamilyType.PLAN:
        raise EnrolmentError("give the weekly hours from the plan, or a family type")
    return WEEKLY_HOURS_BY_FAMILY[family_type]


def enrol_participant(
    session: Session,
    *,
    first_name: str,
    last_name: str,
    phone: str,
    language: Language,
    time_zone: str,
    counselor: Counselor,
    family_type: FamilyType,
    plan_hours: int | None,
    consent_note: str,
    at: datetime,
    activities: tuple[Activity, ...] = (),
    reporting_period: ReportingPeriod = ReportingPeriod.WEEKLY,
    case_number: str | None = None,
) -> Participant:
    """Enrol a participant whose consent to texts the counselor has recorded (`consent_note`)."""
    if not consent_note.strip():
        raise EnrolmentError("record how the participant agreed to texts (for example: signed WTW 2 form)")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise EnrolmentError(f"unknown time zone {time_zone!r}") from error
    e164 = normalize_phone(phone)
    if find_participant_by_phone(session, e164) is not None:
        raise EnrolmentError("a participant with that phone number is already enrolled")
    participant = Participant(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=e164,
        language=language,
        time_zone=time_zone,
        weekly_required_hours=weekly_requirement(family_type, plan_hours),
        family_type=family_type if plan_hours is None else FamilyType.PLAN,
        reporting_period=reporting_period,
        activities=[activity.value for activity in dict.fromkeys(activities)],
        counselor=counselor,
        status=ProgrammeStatus.ACTIVE,
        consent_state=ConsentState.RECORDED,
        enrolled_at=at,
        case_number=clean_case_number(case_number),
    )
    session.add(participant)
    session.flush()
    record_consent(
        session,
        participant.id,
        ConsentAction.OPT_IN,
        consent_note.strip(),
        ENROLMENT,
        None,
        at,
        ConsentState.RECORDED,
    )
    return participant


#: A county's case reference: letters, digits and dashes (CalSAWS case numbers are 7 characters).
CASE_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,31}")


def clean_case_number(case_number: str | None) -> str | None:
    """The case reference as the county writes it, upper case; None when not given."""
    if case_number is None or not case_number.strip():
        return None
    cleaned = case_number.strip().upper()
    if not CASE_NUMBER.fullmatch(cleaned):
        raise EnrolmentError("a case number is letters, digits and dashes, at most 32 characters")
    return cleaned
