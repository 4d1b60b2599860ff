"""Consent: confirming it on first contact, opting out at once, opting back in.

```mermaid
stateDiagram-v2
    recorded --> confirmed: YES / SÍ / START  (ConsentConfirmed, welcome and menu)
    recorded --> recorded: anything else  (the introduction once, then a one-line "reply YES")
    recorded --> opted_out: STOP and the other stop words  (OptedOut, one confirmation)
    confirmed --> opted_out: STOP …  (OptedOut, one confirmation)
    opted_out --> confirmed: START / UNSTOP / YES / SÍ  (OptedIn, welcome back)
    opted_out --> opted_out: anything else  (nothing is sent)
```
The counselor records consent at enrolment (`recorded`); the participant confirms it by text.
"""

from casefile.facts import ConsentConfirmed, Fact, OptedIn, OptedOut
from casefile.vocabulary import ConsentState
from conversations.answers import read_yes_no
from conversations.flow import Turn
from conversations.flows.menu import menu_reply
from conversations.keywords import Keyword, keyword_in
from conversations.model import IDLE_FLOW, IDLE_STEP, Outcome, Reply


def opt_out(turn: Turn) -> Outcome:
    return Outcome(
        replies=(Reply("opted_out"),),
        state=turn.state.reset(),
        facts=(OptedOut(keyword=turn.text),),
        consent=ConsentState.OPTED_OUT,
    )


def while_opted_out(turn: Turn) -> Outcome:
    """Only an opt-in word is answered; everything else is kept, and nothing is sent."""
    if _says_yes(turn):
        return _open_the_line(turn, "opted_in", OptedIn(keyword=turn.text))
    return turn.answer()


def first_contact(turn: Turn) -> Outcome:
    """Before the participant has confirmed by text: introduce the service once, then remind
    briefly how to start, so that nobody gets the same long text again and again."""
    if _says_yes(turn):
        return _open_the_line(turn, "consent_confirmed", ConsentConfirmed(text=turn.text))
    if turn.state.data.get("introduced"):
        return turn.answer(Reply("consent_reminder"))
    return turn.answer(consent_request(turn), state=turn.state.at(IDLE_FLOW, IDLE_STEP, introduced=True))


def _says_yes(turn: Turn) -> bool:
    # After an opt-out a plain yes also opens the line again, as START does.
    return keyword_in(turn.text) is Keyword.OPT_IN or read_yes_no(turn.text) is True


def _open_the_line(turn: Turn, welcome: str, fact: Fact) -> Outcome:
    return Outcome(
        replies=(Reply(welcome, {"first_name": turn.participant.first_name}), menu_reply(turn)),
        state=turn.state.reset(),
        facts=(fact,),
        consent=ConsentState.CONFIRMED,
    )


def consent_request(turn: Turn) -> Reply:
    return Reply(
        "consent_request",
        {"first_name": turn.participant.first_name, "counselor_name": turn.participant.counselor_name},
    )
