"""Turning replies (template keys and parameters) into the text a participant reads."""

from dataclasses import dataclass

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from casefile.vocabulary import Language
from conversations.model import Reply
from templates import MESSAGES_DIR

# Characters that look like plain ones but would force UCS-2 (and double the cost) in English.
_LOOKALIKES = str.maketrans({"\u00a0": " ", "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-"})


@dataclass(frozen=True)
class ServiceProfile:
    """What every message may mention about the service itself (HELP, the introduction)."""

    program: str
    messages_per_week: int


class MessageRenderer:
    def __init__(self, profile: ServiceProfile) -> None:
        self._profile = profile
        self._environments = {
            language: Environment(
                loader=FileSystemLoader(MESSAGES_DIR / language.value),
                undefined=StrictUndefined,
                autoescape=False,
                keep_trailing_newline=False,
            )
            for language in Language
        }

    def keys(self, language: Language) -> set[str]:
        loader = self._environments[language].loader
        assert loader is not None
        return {name.removesuffix(".txt") for name in loader.list_templates()}

    def render(self, reply: Reply, language: Language) -> str:
        template = self._environments[language].get_template(f"{reply.key}.txt")
        text = template.render(
            program=self._profile.program,
            messages_per_week=self._profile.messages_per_week,
            **reply.params,
        )
        return tidy(text)


def tidy(text: str) -> str:
    """Trim each line and drop blank ones, and replace look-alike characters: SMS bills every byte."""
    lines = (line.strip() for line in text.translate(_LOOKALIKES).splitlines())
    return "\n".join(line for line in lines if line)
