"""Random answers driven through Goal–Plan–Do–Review, end to end on a real database: processing never
fails, a stored goal is never lost (nor un-reached), and every reply is in the participant's language."""

import itertools
import re
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import Service
from bot.channels.console.chat import send_line
from casefile.enrolment import enrol_participant
from casefile.goals import Goal
from casefile.messages import Message
from casefile.people import Counselor, Participant
from casefile.vocabulary import Direction, FamilyType, GoalStatus, Language, MessageStatus
from templates import MESSAGES_DIR
from tests.support import FixedClock

ANSWERS = [
    *("1", "2", "3", "4", "8", "goal", "meta", "my goal", "mi meta", "menu", "HELP", "hi", "hola", ""),
    *("yes", "y", "sí", "no", "nope", "not yet", "todavía no", "done", "doen", "listo", "stuck", "atorado", "👍"),
    *("fri", "tomorrow", "mañana", "next week", "la próxima semana", "in 2 weeks", "in 3 months", "12/5", "5/12"),
    *("yesterday", "3/1/2030", "ok", "igual", "my car broke down again", "no tengo quien cuide a mis hijos"),
    *("español", "english", "STOP", "START", "please stop texting me", "I want to kill myself"),
]
answers = st.lists(
    st.tuples(
        # Mostly answers the flows know, so that deep steps are reached; some anything at all.
        st.one_of(*[st.sampled_from(ANSWERS)] * 4, st.text(max_size=80)),
        st.sampled_from([timedelta(minutes=1), timedelta(hours=3), timedelta(days=1), timedelta(days=3)]),
    ),
    min_size=1,
    max_size=25,
)
_PHONES = (f"+1510555{n:04d}" for n in itertools.count(2000))
#: A goal with one step due tomorrow, so that random answers reach check-ins, barriers and reviews too.
PLANNED = ["yes", "1", "get a job", "ok", "I get hired", "in 3 months", "yes", "call the job center", "tomorrow", "no"]


def _openings(language: str) -> set[str]:
    """The fixed words each message opens with, long enough to tell the language by."""
    openings = set()
    for path in (MESSAGES_DIR / language).glob("*.txt"):
        opening = re.split(r"[{]", path.read_text(encoding="utf-8"), maxsplit=1)[0].strip()
        if len(opening) >= 8:
            openings.add(opening)
    return openings


_ENGLISH, _SPANISH = _openings("en"), _openings("es")
ONLY_IN = {Language.ENGLISH: _ENGLISH - _SPANISH, Language.SPANISH: _SPANISH - _ENGLISH}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers, st.sampled_from(list(Language)), st.sampled_from([PLANNED[:2], PLANNED]))
def test_random_answers_never_fail_lose_a_goal_or_switch_language(
    service: Service,
    clock: FixedClock,
    sequence: list[tuple[str, timedelta]],
    language: Language,
    opening: list[str],
) -> None:
    phone = next(_PHONES)
    with service.sessions.begin() as session:
        participant_id = enrol_participant(
            session,
            first_name="Ana",
            last_name="Test",
            phone=phone,
            language=language,
            time_zone="America/Los_Angeles",
            counselor=session.scalars(select(Counselor)).first(),  # type: ignore[arg-type]
            family_type=FamilyType.ONE_PARENT,
            plan_hours=None,
            consent_note="signed WTW 2",
            at=clock(),
        ).id
    seen: dict[int, GoalStatus] = {}
    for text, wait in [*((text, timedelta(minutes=1)) for text in opening), *sequence]:
        clock.advance(seconds=wait.total_seconds())
        replies = send_line(service.inbox, phone, text, clock)
        with service.sessions.begin() as session:
            inbound = session.scalars(
                select(Message)
                .where(Message.address == phone, Message.direction == Direction.INBOUND)
                .order_by(Message.id.desc())
            ).first()
            assert inbound is not None and inbound.status is MessageStatus.PROCESSED, f"{text!r} not processed"
            goals = {
                goal.id: goal.status
                for goal in session.scalars(select(Goal).where(Goal.participant_id == participant_id))
            }
            current_language = session.get_one(Participant, participant_id).language
        for goal_id, status in seen.items():
            assert goal_id in goals, "a stored goal was lost"
            assert status is GoalStatus.ACTIVE or goals[goal_id] is GoalStatus.REACHED, "a reached goal went back"
        assert list(goals.values()).count(GoalStatus.ACTIVE) <= 1
        seen = goals
        other = Language.SPANISH if current_language is Language.ENGLISH else Language.ENGLISH
        for reply in replies:
            assert not any(reply.startswith(opening) for opening in ONLY_IN[other]), (
                f"{current_language.value} participant got {reply!r} after {text!r}"
            )
