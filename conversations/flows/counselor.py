"""Message my counselor: the participant's own words, passed on and flagged for the counselor.

```mermaid
stateDiagram-v2
    [*] --> awaiting_message: menu "message my counselor"
    awaiting_message --> [*]: any text / CounselorMessage, "sent to your counselor"
```
"""

from casefile.facts import CounselorMessage
from conversations.flow import Flow, Step, Turn
from conversations.model import Outcome, Reply


def _ask(turn: Turn) -> Reply:
    return Reply("ask_counselor_message", {"counselor_name": turn.participant.counselor_name})


def _pass_on(turn: Turn) -> Outcome:
    return turn.answer(
        Reply("counselor_message_sent", {"counselor_name": turn.participant.counselor_name}),
        state=turn.state.reset(),
        facts=(CounselorMessage(text=turn.text),),
    )


COUNSELOR_FLOW = Flow(name="counselor", steps={"awaiting_message": Step(prompt=_ask, handle=_pass_on)})
