"""Identifiers and texts (issue 16, items 12 and 13): the outbound guard as a pure function, and SSNs
masked at the inbox before anything is stored, on every channel."""

import random
import re
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from bot.app import Service
from casefile import identifiers
from casefile.facts import EventRecord
from casefile.identifiers import mask_ssns, outbound_problems
from casefile.messages import Message
from casefile.vocabulary import Direction
from tests.channels import Adapter

TODAY = date(2026, 3, 2)


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str


ROSA = Person("Rosa", "Díaz")
JORDAN = Person("Jordan", "Smith")


def problems(text: str, person: Person = ROSA) -> list[str]:
    return outbound_problems(text, person, today=TODAY)


@pytest.mark.parametrize(
    "text",
    [
        "Hi Rosa! Your check-in is due Friday. Reply 1 if it went well.",
        "Hola Rosa, ¿cómo le fue con su paso? Responda 1, 2 o 3.",
        "Rosa, Dana Lee here. Call me at 510-555-0199 or (510) 555-0199 when you can.",
        "Your hours for the week of 3/2/2026 are due by 3/9/26. Total so far: 14 of 30.",
        "Your appointment is on March 12, 2026 at 10:30 at 2000 San Pablo Ave, Oakland 94612.",
        "Reminder: orientation 12 de marzo de 2026, sala 101. Text +15105550199 with questions.",
        "Great job, Rosa: 8 hours on Monday, 6 on Tuesday.",
        "Ms. Díaz's bus pass is ready at the front desk.",  # the last name alone names no one in full
    ],
)
def test_what_counselors_and_templates_send_every_day_passes(text: str) -> None:
    assert problems(text) == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Rosa, we need to confirm your SSN 612-34-5678 before Friday.", "Social Security number"),
        ("Your number on file is 612 34 5678, is that right?", "Social Security number"),
        ("Please verify 612345678 at the office.", "Social Security number"),
        ("Your case number is B7X2K9Q, bring it Monday.", "case number"),
        ("Tu número de caso: 1234567. Tráelo el lunes.", "case number"),
        ("Ref 4417302 is your file at the county.", "long number"),
        ("We have your DOB as 03/14/1990, please confirm.", "date of birth"),
        ("Your date of birth is missing from the form.", "date of birth"),
        ("Born March 14, 1990? Then you qualify.", "date of birth"),
        ("Confirme: 14 de marzo de 1990.", "date of birth"),
        ("Check 3/14/90 on the form.", "date of birth"),
        ("Hi Rosa Díaz, your check-in is due.", "first and last name"),
        ("Hi ROSA DIAZ, your check-in is due.", "first and last name"),  # no accent, other case
        ("Díaz, Rosa: please call your counselor.", "first and last name"),
    ],
)
def test_each_identifier_is_refused_with_a_reason_a_counselor_can_act_on(text: str, reason: str) -> None:
    found = problems(text)
    assert len(found) == 1, found
    assert reason in found[0]
    assert "leave it out" in found[0] or "first name only" in found[0]


def test_a_text_with_everything_gets_every_reason() -> None:
    text = "Jordan Smith, DOB 1/2/1988, SSN 612-34-5678, case # 88-1234: call us."
    assert len(problems(text, JORDAN)) == 4


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # Digits as other scripts and keyboards write them: \\d knows them, and so must any shortcut.
        ("Tu seguro social: １２３-４５-６７８９, confírmalo.", "Social Security number"),
        ("رقم ٦١٢٣٤٥٦٧٨ please confirm", "Social Security number"),
        ("Your file: ４４１７３０２ at the county.", "long number"),
        # Superscripts are no digits as written, but fold into some: "³/¹⁴/¹⁹⁹⁰" reads 3/14/1990.
        ("We have you down as ³/¹⁴/¹⁹⁹⁰, is that right?", "date of birth"),
        # A case number's token needs only one digit, and its label may be in capitals or accented.
        ("CASE # 7, see you Monday.", "case number"),
        ("Número de caso: A7 para la cita.", "case number"),
        ("Your D.O.B. is needed.", "date of birth"),
        ("Hola JOSÉ NÚÑEZ, su cita es el lunes.", "first and last name"),
    ],
)
def test_hostile_spellings_of_identifiers_are_refused(text: str, reason: str) -> None:
    found = problems(text, Person("José", "Núñez"))
    assert len(found) == 1, found
    assert reason in found[0]


def _every_pattern_tried(text: str, person: Person) -> list[str]:
    """The guard's answer with every pattern tried on every text: what outbound_problems' shortcuts
    (each pattern tried only when the text holds what any match of it needs) must not change."""
    folded = identifiers._fold(text)
    found = []
    ssn, case_number = identifiers._SSN.search(text), identifiers._CASE_NUMBER.search(folded)
    if ssn:
        found.append("ssn")
    if case_number:
        found.append("case")
    if not (ssn or case_number) and identifiers._LONG_NUMBER.search(text):
        found.append("long")
    if identifiers._BIRTH_WORDS.search(folded) or identifiers._has_old_full_date(folded, TODAY.year):
        found.append("birth")
    names = (identifiers._fold(person.first_name).strip(), identifiers._fold(person.last_name).strip())
    if all(names) and all(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded) for name in names):
        found.append("name")
    return found


#: Pieces of texts near every pattern's edges: digits of several scripts, separators, labels with
#: and without accents, birth phrases, month names, the participant's names and near misses.
_PIECES = (
    "1|12|612|34|5678|1990|90|26|4417302|１２３|٤٥|¹⁹⁹⁰|³|½|-| |.|/|#|:|+1|,|\n"
    "|case|CASE|caso|número de caso|no. de caso|case no.|case number is|Cas"
    "|dob|D.O.B.|date of birth|birthdate|born on|fecha de nacimiento|nació el|nacio"
    "|March|marzo|de|dic|Reply|Hi|José|JOSE|Núñez|nunez|Josefina|Núñezes"
).split("|")


def test_the_guards_shortcuts_never_change_its_answer() -> None:
    rng = random.Random(19)
    person = Person("José", "Núñez")
    for _ in range(20_000):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 12)))
        expected = _every_pattern_tried(text, person)
        found = outbound_problems(text, person, today=TODAY)
        assert len(found) == len(expected), (text, found, expected)


def test_a_name_inside_another_word_is_not_the_name() -> None:
    assert problems("Jordanna Smithson, your check-in is due.", JORDAN) == []


def test_masking_keeps_phone_numbers_dates_and_hours() -> None:
    text = "my ssn 612-34-5678 or 612345678, call 510-555-0142 or 5105550142, 8 hrs on 3/2/2026"
    masked, found = mask_ssns(text)
    assert found
    assert masked == "my ssn ***-**-**** or ***-**-****, call 510-555-0142 or 5105550142, 8 hrs on 3/2/2026"
    assert mask_ssns("call 510-555-0142") == ("call 510-555-0142", False)


def test_an_ssn_texted_to_the_counselor_is_masked_everywhere_it_is_stored(adapter: Adapter, service: Service) -> None:
    adapter.send("yes", "id-consent")
    adapter.send("3", "id-menu")
    replies = adapter.send("my ssn is 612-34-5678 call me at 510-555-0142", "id-ssn")
    assert replies and not any("5678" in reply for reply in replies)
    with service.sessions.begin() as session:
        message = session.scalars(
            select(Message).where(Message.direction == Direction.INBOUND).order_by(Message.id.desc())
        ).first()
        assert message is not None
        assert (message.body, message.ssn_masked) == ("my ssn is ***-**-**** call me at 510-555-0142", True)
        payloads = [str(payload) for payload in session.scalars(select(EventRecord.payload))]
        assert any("***-**-****" in payload for payload in payloads)
        assert not any("612-34-5678" in payload for payload in payloads)
        assert not session.scalars(select(Message).where(Message.body.contains("5678"))).all()
        others = session.scalars(select(Message.ssn_masked).where(Message.id != message.id)).all()
        assert others and not any(others)
