from datetime import timedelta

import pytest

from casefile.documents import DocumentReceived
from casefile.facts import (
    ConsentConfirmed,
    CounselorMessage,
    LanguageChanged,
    LifeEventReported,
    OptedIn,
    OptedOut,
    StopRequestFlagged,
)
from casefile.vocabulary import ConsentState, Language
from tests.engine_driver import Conversation, participant

OPT_OUT_WORDS = [
    "STOP",
    "stopall",
    "UNSUBSCRIBE",
    "Cancel",
    "END",
    "quit",
    "REVOKE",
    "OPTOUT",
    "opt out",
    "Opt-Out",
    "ALTO",
    "parar",
    "BASTA",
    " stop! ",
]


def test_first_contact_introduces_the_service_once_and_asks_for_a_yes() -> None:
    talk = Conversation(person=participant(ConsentState.RECORDED))
    assert talk.keys("hi") == ["consent_request"]
    assert talk.keys("I need help with my bus pass") == ["consent_reminder"]
    assert talk.keys("1") == ["consent_reminder"]
    assert talk.person.consent is ConsentState.RECORDED
    assert talk.keys("yes") == ["consent_confirmed", "menu"]
    assert talk.person.consent is ConsentState.CONFIRMED
    # Asking for a bus pass before the YES is news for the counselor all the same (a life event).
    assert talk.facts == [LifeEventReported(event="supportive_services"), ConsentConfirmed(text="yes")]


@pytest.mark.parametrize("answer", ["Sí", "si", "YES", "y", "👍", "START"])
def test_consent_is_confirmed_by_loose_yes_in_either_language(answer: str) -> None:
    talk = Conversation(person=participant(ConsentState.RECORDED, Language.SPANISH))
    talk.send(answer)
    assert talk.person.consent is ConsentState.CONFIRMED


@pytest.mark.parametrize("word", OPT_OUT_WORDS)
def test_every_stop_keyword_opts_out_at_once_with_one_confirmation(word: str) -> None:
    talk = Conversation()
    talk.send("1")
    assert talk.keys(word) == ["opted_out"]
    assert talk.person.consent is ConsentState.OPTED_OUT
    assert talk.state.idle
    assert talk.facts[-1] == OptedOut(keyword=word.strip())


def test_stop_works_before_consent_is_confirmed_too() -> None:
    talk = Conversation(person=participant(ConsentState.RECORDED))
    assert talk.keys("STOP") == ["opted_out"]
    assert talk.person.consent is ConsentState.OPTED_OUT


@pytest.mark.parametrize("text", ["hi", "HELP", "menu", "1", "STOP", "stop", "", "please call me"])
def test_nothing_is_sent_while_opted_out(text: str) -> None:
    talk = Conversation(person=participant(ConsentState.OPTED_OUT))
    assert talk.keys(text) == []
    assert talk.person.consent is ConsentState.OPTED_OUT


@pytest.mark.parametrize("word", ["START", "unstop", "YES", "SÍ", "si"])
def test_an_opt_in_word_after_opting_out_opens_the_line_again(word: str) -> None:
    talk = Conversation(person=participant(ConsentState.OPTED_OUT))
    assert talk.keys(word) == ["opted_in", "menu"]
    assert talk.person.consent is ConsentState.CONFIRMED
    assert talk.facts == [OptedIn(keyword=word)]


@pytest.mark.parametrize("word", ["HELP", "info", "AYUDA", "Ayuda."])
def test_help_gives_programme_counselor_and_stop_information(word: str) -> None:
    outcome = Conversation().send(word)
    [reply] = outcome.replies
    assert reply.key == "help"
    assert reply.params == {"counselor_name": "Dana Lee", "counselor_phone": "(510) 555-0199"}


def test_help_in_the_middle_of_a_flow_asks_the_question_again() -> None:
    talk = Conversation()
    talk.send("3")
    assert talk.keys("help") == ["help", "ask_counselor_message"]
    assert talk.state.flow == "counselor"


@pytest.mark.parametrize(
    "word, language",
    [
        ("ESPAÑOL", Language.SPANISH),
        ("espanol", Language.SPANISH),
        ("English", Language.ENGLISH),
        ("inglés", Language.ENGLISH),
    ],
)
def test_naming_a_language_switches_at_any_time_and_keeps_the_place(word: str, language: Language) -> None:
    talk = Conversation(
        person=participant(language=Language.ENGLISH if language is Language.SPANISH else Language.SPANISH)
    )
    talk.send("3")
    outcome = talk.send(word)
    assert [r.key for r in outcome.replies] == ["language_changed", "ask_counselor_message"]
    assert outcome.language is language
    assert talk.state.flow == "counselor"
    assert talk.facts[-1] == LanguageChanged(language=language)


def test_language_choice_by_number() -> None:
    talk = Conversation()
    assert talk.keys("idioma") == ["choose_language"]
    assert talk.keys("4") == ["choose_language"]
    assert talk.keys("2") == ["language_changed"]
    assert talk.person.language is Language.SPANISH
    assert talk.state.idle


def test_language_can_be_changed_before_consent_and_the_introduction_follows_in_it() -> None:
    talk = Conversation(person=participant(ConsentState.RECORDED))
    assert talk.keys("español") == ["language_changed", "consent_request"]
    assert talk.person.language is Language.SPANISH


def test_message_my_counselor_passes_the_words_on_and_flags_them() -> None:
    talk = Conversation()
    assert talk.keys("3") == ["ask_counselor_message"]
    assert talk.keys("My car broke down, can we move Thursday?") == ["counselor_message_sent"]
    assert talk.facts == [CounselorMessage(text="My car broke down, can we move Thursday?")]
    assert CounselorMessage.needs_counselor
    assert talk.state.idle


@pytest.mark.parametrize("word", ["consejera", "Counselor", "mensaje"])
def test_menu_entries_are_chosen_by_word_too(word: str) -> None:
    assert Conversation().keys(word) == ["ask_counselor_message"]


@pytest.mark.parametrize(
    "sentence",
    [
        "please stop texting me",
        "Don't text me anymore",
        "no more messages",
        "ya no me manden mensajes",
        "dejen de escribirme",
        "STOP IT PLEASE",
    ],
)
def test_a_sentence_asking_to_stop_is_not_a_keyword_but_goes_to_the_counselor(sentence: str) -> None:
    talk = Conversation()
    assert talk.keys(sentence) == ["stop_request_flagged"]
    assert talk.person.consent is ConsentState.CONFIRMED
    assert talk.facts == [StopRequestFlagged(text=sentence)]


def test_menu_from_anywhere() -> None:
    talk = Conversation()
    talk.send("3")
    assert talk.keys("MENÚ") == ["menu"]
    assert talk.state.idle


def test_greeting_and_off_script_text_get_the_menu() -> None:
    talk = Conversation()
    assert talk.keys("hola") == ["greeting"]
    assert talk.keys("what is this??") == ["not_understood"]
    assert talk.keys("9") == ["not_understood"]


def test_blank_message_is_answered_kindly_and_the_question_repeated() -> None:
    talk = Conversation()
    assert talk.keys("   ") == ["empty_message"]
    talk.send("3")
    assert talk.keys("") == ["empty_message", "ask_counselor_message"]


def test_a_photo_is_recorded_as_a_fact_and_acknowledged() -> None:
    talk = Conversation()
    assert talk.keys("", media=("image/jpeg",)) == ["media_received"]
    assert talk.facts == [DocumentReceived(content_types=("image/jpeg",))]


def test_a_photo_is_recorded_even_while_opted_out_though_nothing_is_sent() -> None:
    talk = Conversation(person=participant(ConsentState.OPTED_OUT))
    assert talk.keys("", media=("image/png",)) == []
    assert talk.facts == [DocumentReceived(content_types=("image/png",))]


def test_a_flow_left_for_more_than_a_day_starts_fresh() -> None:
    talk = Conversation()
    talk.send("3")
    assert talk.keys("hi", after=timedelta(hours=25)) == ["starting_fresh", "greeting"]
    assert talk.facts == []


def test_a_flow_left_for_an_hour_resumes() -> None:
    talk = Conversation()
    talk.send("3")
    assert talk.keys("can you call me", after=timedelta(hours=1)) == ["counselor_message_sent"]


def test_an_unknown_stored_flow_is_dropped_not_crashed_on() -> None:
    from conversations.model import ConversationState

    talk = Conversation(state=ConversationState("retired_flow", "gone"))
    assert talk.keys("hi") == ["greeting"]
