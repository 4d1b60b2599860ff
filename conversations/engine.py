"""The engine: one inbound message in, replies, the new state and facts out. Pure; no I/O.

Order of precedence for every message (first match wins):
1. opted out: only an opt-in word is answered;
2. a stop keyword: opt out at once;
   words that suggest danger: crisis resources and "are you safe right now?" (once per contact; a
   short answer after that), an urgent flag that opens a safety handoff, and the script stops;
3. HELP: answered anywhere, then the current question again (none while handed off);
4. a handoff is open: everything else goes to the counselor, acknowledged, and the flow the
   participant was in waits, as it was, until the counselor closes the handoff (flows/handoff.py);
5. a sentence asking to stop: flagged for the counselor; a request for a person ("can i talk to my
   worker", "me puede llamar"): a handoff opens, and the participant is told who answers and when;
6. MY GOAL, ENGLISH/ESPAÑOL, LANGUAGE: answered anywhere, then the current question again;
7. not yet confirmed by text: the first-contact introduction;
8. MENU: back to the menu; a blank message (or a photo alone): said kindly;
9. a greeting in the middle of a flow: welcome back, and the question in progress again;
10. the current flow's step, unless stale; otherwise the menu (or a check-in on a step that is due);
   the third text in a row not understood goes to the counselor instead (a handoff).
A photo or file (a document received), and words that suggest danger, are recorded as facts
whatever the branch (even while opted out, when nothing is sent), so nothing a participant sends is lost.
"""

from datetime import datetime

from casefile.documents import DocumentReceived
from casefile.facts import Fact, LifeEventReported, SafetyConcern, StopRequestFlagged
from casefile.vocabulary import ConsentState
from conversations.flow import Flow, Step, Turn
from conversations.flows.checkin import CHECKIN_FLOW
from conversations.flows.consent import consent_request, first_contact, opt_out, while_opted_out
from conversations.flows.counselor import COUNSELOR_FLOW
from conversations.flows.goal import GOAL_FLOW
from conversations.flows.gpdr import goal_summary
from conversations.flows.handoff import (
    counselor_first_name,
    count_misses,
    crisis_reply,
    person_requested,
    while_handed_off,
)
from conversations.flows.hours import HOURS_FLOW
from conversations.flows.language import LANGUAGE_FLOW, named_language, switch_language
from conversations.flows.menu import handle_idle, help_reply, is_greeting, menu_reply
from conversations.flows.plan import PLAN_FLOW
from conversations.flows.review import REVIEW_FLOW
from conversations.keywords import Keyword, asks_to_stop, keyword_in
from conversations.life_events import recognise
from conversations.model import ConversationState, InboundText, Outcome, ParticipantView, Reply
from conversations.person import asks_for_person
from conversations.safety import suggests_danger

FLOWS: dict[str, Flow] = {
    flow.name: flow
    for flow in (COUNSELOR_FLOW, LANGUAGE_FLOW, GOAL_FLOW, PLAN_FLOW, CHECKIN_FLOW, REVIEW_FLOW, HOURS_FLOW)
}


def respond(participant: ParticipantView, state: ConversationState, inbound: InboundText, now: datetime) -> Outcome:
    # While handed off the flow waits as it was, however long the counselor takes.
    fresh, stale = (state, False) if participant.handoff is not None else _fresh(state, now)
    turn = Turn(participant, fresh, inbound, now, starting_fresh=stale)
    outcome = _respond(turn)
    noted: tuple[Fact, ...] = ()
    if inbound.media_types:
        noted += (DocumentReceived(content_types=inbound.media_types),)
    if suggests_danger(inbound.text):
        noted += (SafetyConcern(text=inbound.text.strip()),)
    # News the counselor must act on (a job started, a move, an appointment to move) goes to their
    # queue whatever flow the text came in, unless the text reaches them already (a message for them,
    # a handoff, a safety flag); the case note tells it again (notes/said.py).
    if not any(fact.needs_counselor for fact in noted + outcome.facts):
        noted += tuple(LifeEventReported(event.kind) for event in recognise(inbound.text))
    return Outcome(
        replies=outcome.replies,
        state=ConversationState(outcome.state.flow, outcome.state.step, outcome.state.data, now),
        facts=noted + outcome.facts,
        language=outcome.language,
        consent=outcome.consent,
    )


def _respond(turn: Turn) -> Outcome:
    if turn.participant.consent is ConsentState.OPTED_OUT:
        return while_opted_out(turn)
    keyword = keyword_in(turn.text)
    if keyword is Keyword.OPT_OUT:
        return opt_out(turn)
    if suggests_danger(turn.text):
        # Never answered by a script alone: resources once, and a person is told (the fact above).
        return turn.answer(crisis_reply(turn), state=turn.state.reset())
    if keyword is Keyword.HELP:
        return turn.answer(help_reply(turn), *_current_question(turn))
    if turn.participant.handoff is not None:
        return while_handed_off(turn)
    if turn.text and asks_to_stop(turn.text):
        return turn.answer(
            Reply("stop_request_flagged", {"counselor_name": turn.participant.counselor_name}),
            state=turn.state.reset(),
            facts=(StopRequestFlagged(text=turn.text),),
        )
    # In "message my counselor" the text is already the participant's words to a person: passed on as such.
    if turn.state.flow != COUNSELOR_FLOW.name and turn.text and asks_for_person(turn.text, counselor_first_name(turn)):
        return person_requested(turn)
    if keyword is Keyword.MY_GOAL and turn.participant.consent is ConsentState.CONFIRMED:
        return turn.answer(goal_summary(turn), *_current_question(turn))
    if (language := named_language(turn.text)) is not None:
        return switch_language(turn, language, *_current_question(turn))
    if keyword is Keyword.CHOOSE_LANGUAGE:
        return LANGUAGE_FLOW.start(turn)
    if turn.participant.consent is ConsentState.RECORDED:
        return first_contact(turn)
    if keyword is Keyword.MENU:
        return turn.answer(menu_reply(turn), state=turn.state.reset())
    media_noted = (Reply("media_received"),) if turn.inbound.media_types else ()
    if not turn.text:
        return turn.answer(*(media_noted or (Reply("empty_message"),)), *_current_question(turn))
    if not turn.state.idle and is_greeting(turn.text):
        return turn.answer(Reply("welcome_back", {"first_name": turn.participant.first_name}), *_current_question(turn))
    outcome = count_misses(turn, handle_idle(turn) if turn.state.idle else _current_step(turn).handle(turn))
    return Outcome(media_noted + outcome.replies, outcome.state, outcome.facts, outcome.language, outcome.consent)


def _fresh(state: ConversationState, now: datetime) -> tuple[ConversationState, bool]:
    """The state to go on from: a flow that is unknown or left too long is dropped. The second
    value says a flow was left too long, so that the menu can say why its question is gone."""
    if state.idle:
        return state, False
    flow = FLOWS.get(state.flow)
    if flow is None or state.step not in flow.steps:
        return state.reset(), False
    if state.updated_at is not None and now - state.updated_at > flow.stale_after:
        return state.reset(), True
    return state, False


def _current_step(turn: Turn) -> Step:
    return FLOWS[turn.state.flow].steps[turn.state.step]


def _current_question(turn: Turn) -> tuple[Reply, ...]:
    """The question the participant was on, to ask again after an aside (HELP, a language change)."""
    if turn.participant.consent is ConsentState.RECORDED:
        return (consent_request(turn),)
    if turn.state.idle or turn.participant.handoff is not None:
        return ()
    return (_current_step(turn).prompt(turn),)
