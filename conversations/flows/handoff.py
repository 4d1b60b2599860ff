"""Handing a participant to a person: asked for, after a disclosure, or when the bot cannot follow.

```mermaid
stateDiagram-v2
    any --> handoff: "can i talk to my worker" / "me puede llamar"  (HandoffRequested, who answers and when)
    any --> handoff: a third text in a row not understood  (HandoffRequested, "I'll pass this to Dana")
    any --> handoff: words that suggest danger  (SafetyConcern; resources once per contact)
    handoff --> handoff: any other text  (HandoffMessage for the counselor, a short acknowledgement)
    handoff --> any: the counselor closes it  (the bot resumes where the participant was)
```
While a handoff is open only STOP, HELP and safety act (conversations/engine.py); the flow the
participant was in is kept as it was, so that it resumes when the counselor closes the handoff.
"""

from dataclasses import replace

from casefile.handoffs import HandoffMessage, HandoffReason, HandoffRequested
from conversations.flow import Turn
from conversations.model import Outcome, Reply

#: Replies that say the bot did not understand; the third in a row goes to a person instead.
NOT_UNDERSTOOD = frozenset(
    ["not_understood", "checkin_not_understood", "date_not_understood", "hours_not_read", "hours_day_not_understood"]
)
MISSES_BEFORE_HANDOFF = 3
#: Where the count of texts not understood in a row is kept, in the conversation's data.
_MISSED = "missed_in_a_row"


def counselor_first_name(turn: Turn) -> tuple[str, ...]:
    """What a participant may call their counselor: "can i talk to Dana"."""
    return tuple(turn.participant.counselor_name.split()[:1])


def _who_and_when(turn: Turn) -> dict[str, object]:
    return {"counselor_name": turn.participant.counselor_name, "opens_at": turn.participant.office_opens_at}


def person_requested(turn: Turn) -> Outcome:
    """The participant asked for a person: say who will answer, and when; the questions wait."""
    return turn.answer(
        Reply("handoff_opened", _who_and_when(turn)),
        facts=(HandoffRequested(reason=HandoffReason.PERSON_REQUESTED.value, text=turn.text),),
    )


def while_handed_off(turn: Turn) -> Outcome:
    """A text while a handoff is open goes to the counselor; the bot only acknowledges it."""
    reason = turn.participant.handoff or HandoffReason.PERSON_REQUESTED.value
    key = "handoff_safety_waiting" if reason == HandoffReason.SAFETY.value else "handoff_waiting"
    return turn.answer(
        Reply(key, {"counselor_name": turn.participant.counselor_name}),
        facts=(HandoffMessage(text=turn.text, reason=reason),),
    )


def crisis_reply(turn: Turn) -> Reply:
    """Crisis resources and "Are you safe right now?" once per contact; after that, a short answer."""
    if turn.participant.crisis_resources_sent:
        return Reply("crisis_resources_again", {"counselor_name": turn.participant.counselor_name})
    return Reply("crisis_resources", {"counselor_name": turn.participant.counselor_name})


def count_misses(turn: Turn, outcome: Outcome) -> Outcome:
    """Count the texts not understood in a row; the third goes to the counselor, not to a menu."""
    missed = any(reply.key in NOT_UNDERSTOOD for reply in outcome.replies)
    before = int(turn.state.data.get(_MISSED, 0))
    if not missed:
        if _MISSED not in outcome.state.data:
            return outcome
        data = {key: value for key, value in outcome.state.data.items() if key != _MISSED}
        return replace(outcome, state=replace(outcome.state, data=data))
    if before + 1 >= MISSES_BEFORE_HANDOFF:
        # Where they were is kept (without the count), for when the counselor closes the handoff.
        data = {key: value for key, value in turn.state.data.items() if key != _MISSED}
        return turn.answer(
            Reply("handoff_not_understood", _who_and_when(turn)),
            state=replace(turn.state, data=data),
            facts=(HandoffRequested(reason=HandoffReason.NOT_UNDERSTOOD.value, text=turn.text),),
        )
    return replace(outcome, state=replace(outcome.state, data={**outcome.state.data, _MISSED: before + 1}))
