"""The main menu: what a participant can do, by number or by word, when no flow is under way.

```mermaid
stateDiagram-v2
    idle --> goal: 1 / goal / meta / check in  (see flows/gpdr.py)
    idle --> hours: 2 / hours / horas / timesheet  (see flows/hours.py)
    idle --> counselor: 3 / counselor / consejero
    idle --> language: 4 / language / idioma
    idle --> idle: 5 / help  (help text)
    idle --> hours: hours in the text ("worked 6 hrs today")
    idle --> checkin: a step is due, and anything but a menu choice or hours
    idle --> idle: hi / hola  (greeting and menu)
    idle --> idle: anything else  ("didn't get that" and menu)
```
Each flow adds its entry to MENU; the template lists entries by name. When an hours report is due,
the menu says so.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from conversations.answers import read_choice
from conversations.flow import Turn
from conversations.flows.counselor import COUNSELOR_FLOW
from conversations.flows.gpdr import check_in_if_due, work_on_goal
from conversations.flows.hours import HOURS_FLOW, report_in
from conversations.flows.language import LANGUAGE_FLOW
from conversations.keywords import fold
from conversations.model import Outcome, Reply


@dataclass(frozen=True)
class MenuEntry:
    #: The name the menu template labels this entry by.
    name: str
    #: Folded words that choose this entry besides its number.
    words: frozenset[str]
    start: Callable[[Turn], Outcome]


def help_reply(turn: Turn) -> Reply:
    return Reply(
        "help",
        {"counselor_name": turn.participant.counselor_name, "counselor_phone": turn.participant.counselor_phone},
    )


MENU: tuple[MenuEntry, ...] = (
    MenuEntry(
        "goal",
        frozenset(["goal", "goals", "check in", "checkin", "step", "steps", "meta", "metas", "paso", "pasos"]),
        work_on_goal,
    ),
    MenuEntry(
        "hours",
        frozenset(
            ["hours", "my hours", "horas", "mis horas", "timesheet", "time sheet", "hoja de horas", "report hours"]
        ),
        HOURS_FLOW.start,
    ),
    MenuEntry(
        "counselor",
        frozenset(["counselor", "my counselor", "message", "worker", "consejero", "consejera", "mensaje"]),
        COUNSELOR_FLOW.start,
    ),
    MenuEntry("language", frozenset(), LANGUAGE_FLOW.start),
    MenuEntry("help", frozenset(), lambda turn: turn.answer(help_reply(turn))),
)

_GREETINGS = frozenset(["hi", "hello", "hey", "hola", "buenas", "buenos dias", "buenas tardes", "good morning"])


def menu_reply(turn: Turn, key: str = "menu", **params: object) -> Reply:
    due = turn.participant.hours.report_due(turn.today)
    return Reply(key, {"options": [entry.name for entry in MENU], "hours_due": due, **params})


def chosen_entry(text: str) -> MenuEntry | None:
    number = read_choice(text, len(MENU))
    if number is not None:
        return MENU[number - 1]
    folded = fold(text)
    return next((entry for entry in MENU if folded in entry.words), None)


def is_greeting(text: str) -> bool:
    return fold(text) in _GREETINGS


def handle_idle(turn: Turn) -> Outcome:
    if turn.starting_fresh:
        # A flow left for more than a day was dropped: say so, rather than answer its old question.
        outcome = _handle_idle(turn)
        replies = outcome.replies
        if replies and replies[0].key == "not_understood":
            replies = (menu_reply(turn), *replies[1:])
        return replace(outcome, replies=(Reply("starting_fresh"), *replies))
    return _handle_idle(turn)


def _handle_idle(turn: Turn) -> Outcome:
    entry = chosen_entry(turn.text)
    if entry is not None:
        return entry.start(turn)
    report = report_in(turn)
    if report is not None:
        return report
    check_in = check_in_if_due(turn)
    if check_in is not None:
        return check_in
    if is_greeting(turn.text):
        return turn.answer(menu_reply(turn, "greeting", first_name=turn.participant.first_name))
    return turn.answer(menu_reply(turn, "not_understood"))
