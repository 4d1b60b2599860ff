"""The engine hands a participant to a person: when asked, after a disclosure, and when it cannot
follow; while handed off only STOP, HELP and safety act (pure engine, no database)."""

from dataclasses import replace
from datetime import datetime

import pytest

from casefile.facts import SafetyConcern, StopRequestFlagged
from casefile.handoffs import HandoffMessage, HandoffRequested
from casefile.vocabulary import ConsentState, Language
from conversations.model import Reply
from conversations.rendering import MessageRenderer, ServiceProfile
from tests.engine_driver import Conversation, participant

RENDERER = MessageRenderer(ServiceProfile("Alameda County CalWORKs", 8))


@pytest.mark.parametrize(
    "text",
    [
        "can i talk to my worker",
        "Call me",
        "i need to speak to someone",
        "quiero hablar con mi trabajadora",
        "me puede llamar",
        "can i talk to Dana",
    ],
)
def test_asking_for_a_person_at_any_point_opens_a_handoff_and_keeps_the_flow(text: str) -> None:
    talk = Conversation()
    talk.send("2")  # in the middle of an hours report (not "message my counselor": that passes the words on)
    before = talk.state
    assert talk.keys(text) == ["handoff_opened"]
    assert talk.facts[-1] == HandoffRequested(reason="person_requested", text=text)
    assert HandoffRequested.needs_counselor
    assert (talk.state.flow, talk.state.step) == (before.flow, before.step)


def test_while_handed_off_texts_go_to_the_counselor_and_the_questions_wait() -> None:
    talk = Conversation(person=replace(participant(), handoff="person_requested"))
    talk.send("2")
    assert talk.state.idle, "the menu did not act"
    for text in ["2", "hello??", "MENU", "english", "my goal", "can i talk to my worker"]:
        assert talk.keys(text) == ["handoff_waiting"], text
        assert talk.facts[-1] == HandoffMessage(text=text, reason="person_requested")
    assert talk.keys("HELP") == ["help"], "HELP still answers, with no question after it"
    assert talk.keys("I want to kill myself") == ["crisis_resources"]
    assert talk.keys("STOP") == ["opted_out"]
    assert talk.keys("hello?") == []


def test_a_safety_handoff_acknowledges_with_the_emergency_number() -> None:
    talk = Conversation(person=replace(participant(), handoff="safety"))
    outcome = talk.send("no i'm not")
    assert [reply.key for reply in outcome.replies] == ["handoff_safety_waiting"]
    assert "911" in RENDERER.render(outcome.replies[0], Language.ENGLISH)


def test_crisis_resources_once_per_contact_then_a_short_answer() -> None:
    talk = Conversation()
    first = talk.send("I want to kill myself")
    text = RENDERER.render(first.replies[0], Language.ENGLISH)
    assert "988" in text and text.endswith("Are you safe right now?")
    talk.person = replace(talk.person, handoff="safety", crisis_resources_sent=True)
    again = talk.send("i want to kill myself")
    assert [reply.key for reply in again.replies] == ["crisis_resources_again"]
    assert talk.facts.count(SafetyConcern(text="i want to kill myself")) == 1


def test_the_third_text_in_a_row_not_understood_goes_to_the_counselor() -> None:
    talk = Conversation()
    assert talk.keys("what is this??") == ["not_understood"]
    assert talk.keys("9") == ["not_understood"]
    assert talk.keys("asdf") == ["handoff_not_understood"]
    assert talk.facts[-1] == HandoffRequested(reason="not_understood", text="asdf")


def test_understanding_in_between_starts_the_count_again() -> None:
    talk = Conversation()
    assert talk.keys("what is this??") == ["not_understood"]
    assert talk.keys("9") == ["not_understood"]
    assert talk.keys("hi") == ["greeting"]
    assert talk.keys("blah") == ["not_understood"]
    assert talk.keys("???") == ["not_understood"]
    assert talk.keys("huh") == ["handoff_not_understood"]


def test_the_participant_is_told_who_answers_and_when_the_office_opens() -> None:
    opens = datetime(2026, 3, 9, 8, 0)
    reply = Reply("handoff_opened", {"counselor_name": "Dana Lee", "opens_at": opens})
    assert "Dana Lee will answer you when the office opens, Mon, Mar 9 at 8:00 AM." in RENDERER.render(
        reply, Language.ENGLISH
    )
    assert "cuando abra la oficina, el lunes 9 de marzo a las 8:00" in RENDERER.render(reply, Language.SPANISH)
    now = Reply("handoff_opened", {"counselor_name": "Dana Lee", "opens_at": None})
    assert "Dana Lee will answer you today, during office hours." in RENDERER.render(now, Language.ENGLISH)


@pytest.mark.parametrize(
    "sentence",
    ["no mas mensajes", "No más mensajes por favor", "ya no quiero mensajes", "para ya", "no me escriban"],
)
def test_spanish_sentences_asking_to_stop_go_to_the_counselor_like_english_ones(sentence: str) -> None:
    talk = Conversation(person=participant(language=Language.SPANISH))
    assert talk.keys(sentence) == ["stop_request_flagged"]
    assert talk.facts == [StopRequestFlagged(text=sentence)]
    assert talk.person.consent is ConsentState.CONFIRMED


def test_asking_to_stop_comes_before_asking_for_a_person() -> None:
    talk = Conversation()
    assert talk.keys("stop texting me, just have my worker call me") == ["stop_request_flagged"]


@pytest.mark.parametrize("text", ["para el viernes", "I'm at the bus stop", "para mi hijo"])
def test_everyday_words_are_not_stop_requests(text: str) -> None:
    assert "stop_request_flagged" not in Conversation().keys(text)
