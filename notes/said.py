"""What the participant said that a note must carry beyond the facts: texts no fact recorded, and
life events mentioned in any text (issue 20: nothing said is dropped)."""

from conversations.life_events import LifeEvent, fold, recognise
from notes.load import ContactFile, InboundText

#: Greetings, thanks and bare yes/no carry no news: they are not quoted back to the counselor.
ACKNOWLEDGEMENTS = frozenset(
    fold(word)
    for word in (
        "hi", "hello", "hey", "ok", "okay", "k", "thanks", "thank you", "thx", "ty", "yes", "no", "yep", "nope",
        "bye", "good", "great", "cool", "sure", "hola", "gracias", "muchas gracias", "si", "sí", "bueno", "vale",
        "listo", "ok gracias", "ok thanks", "okay thanks", "adios", "buenos dias", "buenas tardes", "buenas noches",
        "good morning", "good afternoon", "good night", "no thanks", "no gracias", "not now", "ahora no",
        # The service's own keywords: a command, not news.
        "menu", "help", "ayuda", "info", "goal", "my goal", "meta", "mi meta", "hours", "horas", "english",
        "espanol", "ingles", "start", "stop", "alto",
    )
)  # fmt: skip


def is_acknowledgement(body: str) -> bool:
    """A text with no news in it: a greeting, thanks, yes/no, or no words at all ("1", "👍")."""
    folded = fold(body).strip(" .!?¡¿,")
    return folded in ACKNOWLEDGEMENTS or sum(character.isalpha() for character in folded) < 2


def recorded_ids(file: ContactFile) -> set[int]:
    """The texts some fact of the contact states, as content or as a confirmation."""
    return {i for fact in file.facts for i in (*fact.content_ids, *fact.confirmation_ids)}


def unrecorded(file: ContactFile) -> list[InboundText]:
    """The participant's texts with news that no fact recorded, in the order they came."""
    recorded = recorded_ids(file)
    return [text for text in file.inbound if text.id not in recorded and not is_acknowledgement(text.body)]


#: Facts whose words are not news: a safety disclosure stays in the transcript, and a goal or step is
#: what the participant hopes for ("I get my first paycheck"), not what has happened.
NOT_NEWS = frozenset(
    ["safety_concern", "goal_set", "goal_confirmed", "goal_revised", "goal_reached", "step_planned", "step_changed"]
)


def life_events(file: ContactFile) -> list[tuple[InboundText, list[LifeEvent]]]:
    """Each text with the life events it reports, but for the texts of `NOT_NEWS` facts."""
    skipped = {i for fact in file.facts if fact.kind in NOT_NEWS for i in fact.content_ids}
    return [
        (text, [] if is_acknowledgement(text.body) else recognise(text.body))
        for text in file.inbound
        if text.id not in skipped
    ]
