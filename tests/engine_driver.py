"""Drives the pure engine through several messages, carrying state, consent and language along."""

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from casefile.facts import Fact
from casefile.vocabulary import ConsentState, Language
from conversations.engine import respond
from conversations.model import ConversationState, InboundText, Outcome, ParticipantView

START = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


def participant(
    consent: ConsentState = ConsentState.CONFIRMED, language: Language = Language.ENGLISH
) -> ParticipantView:
    return ParticipantView("Jordan", language, consent, "Dana Lee", "(510) 555-0199")


@dataclass
class Conversation:
    person: ParticipantView = field(default_factory=participant)
    state: ConversationState = field(default_factory=ConversationState)
    now: datetime = START
    facts: list[Fact] = field(default_factory=list)

    def send(self, text: str, media: tuple[str, ...] = (), after: timedelta = timedelta(minutes=1)) -> Outcome:
        self.now += after
        outcome = respond(self.person, self.state, InboundText(text, media), self.now)
        self.state = outcome.state
        self.facts.extend(outcome.facts)
        if outcome.language is not None:
            self.person = replace(self.person, language=outcome.language)
        if outcome.consent is not None:
            self.person = replace(self.person, consent=outcome.consent)
        return outcome

    def keys(self, text: str, **options: object) -> list[str]:
        return [reply.key for reply in self.send(text, **options).replies]  # type: ignore[arg-type]
