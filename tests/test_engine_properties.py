"""Random message sequences: the engine never raises and always answers unless opted out."""

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.vocabulary import ConsentState, Language
from conversations.engine import FLOWS
from conversations.rendering import MessageRenderer, ServiceProfile
from tests.engine_driver import Conversation, participant

RENDERER = MessageRenderer(ServiceProfile("Alameda County CalWORKs", 8))

WORDS = [
    "STOP",
    "stop",
    "START",
    "yes",
    "sí",
    "no",
    "HELP",
    "ayuda",
    "menu",
    "0",
    "1",
    "2",
    "3",
    "4",
    "99",
    "español",
    "english",
    "idioma",
    "hi",
    "hola",
    "please stop texting me",
    "",
    " ",
    "👍",
    "🙂🙂",
    "I worked 8 hours",
    "mi meta",
    "x" * 1700,
    "opt out",
    "unstop",
    "\x00",
    "\u00a0",
    "counselor",
    "I want to kill myself",
    "mi esposo me pega",
]

messages = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(WORDS), st.text(max_size=200)),
        st.sampled_from([(), ("image/jpeg",)]),
        st.integers(min_value=0, max_value=60 * 60 * 30),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(
    messages,
    st.sampled_from(list(ConsentState)),
    st.sampled_from(list(Language)),
)
def test_engine_never_raises_and_answers_unless_opted_out(
    sequence: list[tuple[str, tuple[str, ...], int]], consent: ConsentState, language: Language
) -> None:
    talk = Conversation(person=participant(consent, language))
    for text, media, seconds in sequence:
        opted_out_before = talk.person.consent is ConsentState.OPTED_OUT
        outcome = talk.send(text, media, after=timedelta(seconds=seconds))
        if opted_out_before:
            assert len(outcome.replies) <= 2  # nothing, or the welcome back and the menu
        else:
            assert outcome.replies, f"no answer to {text!r}"
        assert talk.state.idle or (talk.state.flow in FLOWS and talk.state.step in FLOWS[talk.state.flow].steps)
        for reply in outcome.replies:
            assert RENDERER.render(reply, talk.person.language).strip()
