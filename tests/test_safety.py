"""Words that suggest danger stop the script, send crisis resources once, and flag the counselor."""

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.app import Service, create_app
from casefile.facts import EventRecord, SafetyConcern
from casefile.vocabulary import ConsentState
from conversations.safety import Category, SafetyFinding, detect, suggests_danger
from tests.engine_driver import Conversation, participant
from tests.support import SPANISH_PHONE, FixedClock, signed, sms_form

DISCLOSURES = [
    "I want to kill myself",
    "i dont want to live anymore",
    "he hits me when he drinks",
    "My ex threatened to kill me",
    "I'm thinking about suicide",
    "been cutting myself again",
    "I don't feel safe at home",
    "she beat me up last night",
    "ya no quiero vivir",
    "mi esposo me pega",
    "Me golpeó anoche",
    "tengo miedo por mi vida",
    "pienso en quitarme la vida",
    "hay violencia doméstica en mi casa",
    "No estoy segura en mi casa",
    # The ones issue 14 found answered by the menu, and the ways it names.
    "my boyfriend hit me",
    "he threatened me",
    "me quiero morir",
    "he put his hands on me",
    "he broke my arm",
    "my baby daddy keeps showing up at my job",
    "he took my phone",
    "he won't let me leave",
    "everyone would be better off without me",
    "no reason to keep going",
    "i want to disappear",
    "im going to end it tonight",
    "i took a bunch of pills",
    "q me kiero matar xq ya no puedo mas",
    "mi ex me amenazo",
    "no me deja salir de la casa",
    # Answering "are you safe?": a "no" before the disclosure is not a negation of it.
    "no he hit me again",
    "No, me pega",
]
EVERYDAY = [
    "this job search is killing me",
    "I'm dying to start work",
    "I'll kill it at the interview",
    "I hit my hours",
    "the bus hit traffic",
    "safe travels",
    "me pagan el viernes",
    "estoy muerta de cansancio",
    "pegué el papel",
    "I cut my hours at work",
    "abuelita is sick",
    "this job search is killing me",
    "my phone died",
    "me muero de hambre",
    "tengo miedo de no pasar el examen",
    "my kid hit his head",
    "dead tired",
    "he never hit me, we just argue about money",
    "no me pega, solo grita mucho",
    "i'm not suicidal, just tired",
    "se me pegó la gripa",
    "me corté el pelo",
    "no estoy segura si puedo ir mañana",
]


@pytest.mark.parametrize("text", DISCLOSURES)
def test_disclosures_are_recognised(text: str) -> None:
    assert suggests_danger(text)


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_phrases_are_not_alarms(text: str) -> None:
    assert not suggests_danger(text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("my husband punched me in the face", Category.VIOLENCE),
        ("he said he would kill me if i leave", Category.THREAT),
        ("im scared to go home tonight", Category.FEAR),
        ("my ex keeps following me", Category.STALKING),
        ("he forced me to have sex", Category.SEXUAL_VIOLENCE),
        ("my boyfriend hits my son", Category.CHILD_ABUSE),
        ("ya no quiero vivir", Category.SUICIDAL),
        ("been cutting myself again", Category.SELF_HARM),
        ("i swallowed a whole bottle of pills", Category.OVERDOSE),
        # Several dangers in one text: the finding names the one to answer first.
        ("he hits me and i want to die", Category.SUICIDAL),
    ],
)
def test_a_finding_names_the_kind_of_danger(text: str, category: Category) -> None:
    finding = detect(text)
    assert finding is not None and finding.category is category


def test_a_finding_carries_no_words_of_the_message() -> None:
    finding = detect("my ex Marco hit me at 1234 Elm St")
    assert finding == SafetyFinding(Category.VIOLENCE, "strike me")
    assert "marco" not in repr(finding).lower() and "elm" not in repr(finding).lower()


def test_a_disclosure_stops_the_script_and_flags_the_counselor() -> None:
    talk = Conversation()
    talk.send("1")
    assert talk.keys("he hits me and I can't come in") == ["crisis_resources"]
    assert talk.state.idle
    assert talk.facts == [SafetyConcern(text="he hits me and I can't come in")]
    assert SafetyConcern.needs_counselor and SafetyConcern.urgent


def test_a_disclosure_before_consent_is_confirmed_is_still_answered() -> None:
    talk = Conversation(person=participant(ConsentState.RECORDED))
    assert talk.keys("quiero matarme") == ["crisis_resources"]


def test_while_opted_out_the_counselor_is_flagged_but_nothing_is_sent() -> None:
    talk = Conversation(person=participant(ConsentState.OPTED_OUT))
    assert talk.keys("I want to die") == []
    assert talk.facts == [SafetyConcern(text="I want to die")]


def test_stop_still_stops_even_with_alarming_words_around_it() -> None:
    talk = Conversation()
    assert talk.keys("STOP") == ["opted_out"]


@pytest.fixture
def client(service: Service, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(service, clock)) as test_client:
        yield test_client


def test_over_sms_the_resources_come_in_spanish_and_the_flag_is_urgent(client: TestClient, service: Service) -> None:
    payload, headers = signed("/sms/twilio", sms_form("mi esposo me pega", "SM-safety", SPANISH_PHONE))
    response = client.post("/sms/twilio", content=payload, headers=headers)
    [reply] = [node.text for node in ET.fromstring(response.text).iter("Message")]
    assert reply == (
        "Siento mucho que esté pasando por esto. Si corre peligro, llame al 911. Para ayuda en crisis, "
        "llame o escriba al 988. Violencia doméstica: 1-800-799-7233. Ya le avisé a Dana Lee.\n"
        "¿Se encuentra a salvo ahora mismo?"
    )
    with service.sessions.begin() as session:
        [event] = session.scalars(select(EventRecord)).all()
        assert (event.kind, event.needs_counselor, event.urgent, event.payload) == (
            "safety_concern",
            True,
            True,
            {"text": "mi esposo me pega"},
        )
        assert event.message_id is not None
