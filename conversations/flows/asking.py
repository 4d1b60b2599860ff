"""How flows take answers: yes or no; 1, 2, 3…; or the participant's own words.

Anything else gets a short reminder of what is expected and the question again, never a guess.
"""

from collections.abc import Callable, Sequence

from conversations.answers import read_choice, read_yes_no, says_something
from conversations.flow import Turn
from conversations.model import Outcome, Reply

Then = Callable[[], Outcome]


def yes_or_no(turn: Turn, on_yes: Then, on_no: Then, again: Reply, reminder: str = "yes_or_no") -> Outcome:
    answer = read_yes_no(turn.text)
    if answer is None:
        return turn.answer(Reply(reminder), again)
    return on_yes() if answer else on_no()


def in_words(turn: Turn, take: Callable[[str], Outcome], again: Reply) -> Outcome:
    """Take the participant's own words (a goal, a step); a bare yes, no or number is not stored as them."""
    if not says_something(turn.text):
        return turn.answer(Reply("in_your_words"), again)
    return take(turn.text)


def choose(turn: Turn, options: Sequence[Then], again: Reply) -> Outcome:
    """Run the option the participant's number picks (1 is the first)."""
    choice = read_choice(turn.text, len(options))
    if choice is None:
        return turn.answer(Reply("not_a_choice"), again)
    return options[choice - 1]()
