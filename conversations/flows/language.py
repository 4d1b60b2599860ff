"""Language choice: English or Spanish, switchable at any time.

```mermaid
stateDiagram-v2
    [*] --> choose: LANGUAGE / IDIOMA, or the menu
    choose --> [*]: 1 / English / 2 / Español  (LanguageChanged)
    choose --> choose: anything else (asked again)
```
Typing ENGLISH or ESPAÑOL anywhere switches at once without this flow (see engine).
"""

from casefile.facts import LanguageChanged
from casefile.vocabulary import Language
from conversations.flow import Flow, Step, Turn
from conversations.keywords import Keyword, fold, keyword_in
from conversations.model import Outcome, Reply

_CHOICES = {"1": Language.ENGLISH, "2": Language.SPANISH}
_BY_KEYWORD = {Keyword.ENGLISH: Language.ENGLISH, Keyword.SPANISH: Language.SPANISH}


def named_language(text: str) -> Language | None:
    """The language a message names outright (ENGLISH, ESPAÑOL), which switches from anywhere."""
    keyword = keyword_in(text)
    return _BY_KEYWORD.get(keyword) if keyword is not None else None


def chosen_language(text: str) -> Language | None:
    """The answer to "which language?": a name or the number from the question."""
    return named_language(text) or _CHOICES.get(fold(text))


def switch_language(turn: Turn, language: Language, *then: Reply) -> Outcome:
    """Switch, confirm in the new language, and keep the participant where they were."""
    return Outcome(
        replies=(Reply("language_changed"), *then),
        state=turn.state,
        facts=(LanguageChanged(language=language),),
        language=language,
    )


def _ask(turn: Turn) -> Reply:
    return Reply("choose_language")


def _take_choice(turn: Turn) -> Outcome:
    language = chosen_language(turn.text)
    if language is None:
        return turn.answer(_ask(turn))
    return Outcome(
        replies=(Reply("language_changed"),),
        state=turn.state.reset(),
        facts=(LanguageChanged(language=language),),
        language=language,
    )


LANGUAGE_FLOW = Flow(name="language", steps={"choose": Step(prompt=_ask, handle=_take_choice)})
