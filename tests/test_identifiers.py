"""Identifiers and texts (issue 16, items 12 and 13): the outbound guard as a pure function, and SSNs
masked at the inbox before anything is stored, on every channel."""

import random
import re
import sys
import unicodedata
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


#: SSNs as people type them that the guard and the inbox let through before (one separator
#: throughout, dash, space or dot, or none; decimal digits only): each is refused and masked now.
NEW_FORMS = (
    "my ssn 612 34-5678",  # mixed separators
    "ssn is 612-34 5678",
    "SSN 612 - 34 - 5678",  # spaced dashes
    "social 612 – 34 – 5678",
    "My SSN is 612–34–5678",  # en dash
    "ssn 612—34—5678",  # em dash (a phone's smart punctuation makes one of "--")
    "SSN 612−34−5678",  # minus sign
    "ssn 612‐34‐5678",  # hyphen
    "ssn 612‑34‑5678",  # non-breaking hyphen
    "SSN 612－34－5678",  # fullwidth hyphen-minus
    "ssn 612--34--5678",
    "ssn 612_34_5678",
    "my social 612/34/5678",
    "ssn 612\\34\\5678",
    "ssn 612•34•5678",
    "SSN 612\u00a034\u00a05678",  # no-break spaces
    "ssn 612\u200b-34\u200b-5678",  # zero-width spaces a copy carries
    "ssn 612\u00ad34\u00ad5678",  # soft hyphens
    "ssn 612\n34\n5678",
    "ssn ⁶¹²⁻³⁴⁻⁵⁶⁷⁸",  # superscripts
    "ssn ₆₁₂₃₄₅₆₇₈",  # subscripts
    "ssn ⑥①②-③④-⑤⑥⑦⑧",  # circled
    "ssn 6¹²-34-5678",
    "1. 612-34-5678 2. my address",  # an item of a list
    "mi seguro social es 612 – 34 – 5678",
    "mi social 612_34_5678 gracias",
)
#: Near misses that look like the new forms and must pass untouched.
NEAR_MISSES = (
    "call 510 555 0142",
    "call me 510–555–0142",
    "044 55 1234 5678 es de mi mamá",
    "+52 1 33 1234 5678",
    "mi prima en España 612 345 678",
    "Sacramento CA 95814-1234",
    "I can come 10-2, or 8 am - 12 pm",
    "my shift is 8:30–5:00",
    "I paid $1,234.56 for rent",
    "Class starts 9/8/2026",
    "usps tracking 9400 1000 0000 0000 0000 00",
    "Zoom meeting ID 812 3456 7890",
    "12 hrs this wk, 8 mon 4 wed",
)


def _digits(text: str) -> int:
    return sum(unicodedata.digit(character, None) is not None for character in text)


@pytest.mark.parametrize("text", NEW_FORMS)
def test_ssns_typed_every_way_are_refused_and_masked(text: str) -> None:
    found = problems(text)
    assert len(found) == 1 and "Social Security number" in found[0], found
    masked, was_found = mask_ssns(text)
    assert was_found
    assert _digits(masked) == _digits(text) - 9, masked
    assert masked.count(identifiers.SSN_MASK) == 1


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_numbers_shaped_near_an_ssn_are_kept(text: str) -> None:
    assert problems(text) == []
    assert mask_ssns(text) == (text, False)


@pytest.mark.parametrize(
    "text",
    [
        "Your case number: C–448812, please bring the form.",  # an en dash in the number
        "Case ID 44-17302 is ready for review.",
        "Case nbr 5520918",
        "Nº de caso 4417302",
        "Nro. de caso 5520918",
        "caso número C–448812",
    ],
)
def test_case_numbers_written_other_ways_are_refused(text: str) -> None:
    found = problems(text)
    assert len(found) == 1 and "case number" in found[0], found


#: For generated texts: digits of several kinds, what people put between groups, and words around.
_DIGIT_KINDS = ("0123456789", "０１２３４５６７８９", "⁰¹²³⁴⁵⁶⁷⁸⁹", "₀₁₂₃₄₅₆₇₈₉", "٠١٢٣٤٥٦٧٨٩")
_GAPS = (" ", "-", "–", "—", "−", ".", "_", "/", "\u00a0", "\u200b", " - ", " – ", "--", "  ", "\n")
_WORDS = ("my ssn is", "mi seguro social es", "ssn:", "here:", "", "thanks", "gracias", "call me at 510 555 0142")


def _ssn(rng: random.Random) -> str:
    kind = rng.choice(_DIGIT_KINDS)
    groups = ["".join(rng.choice(kind) for _ in range(size)) for size in (3, 2, 4)]
    if rng.random() < 0.2:
        return "".join(groups)
    return groups[0] + rng.choice(_GAPS) + groups[1] + rng.choice(_GAPS) + groups[2]


def test_generated_ssns_in_every_form_are_refused_and_masked_whole() -> None:
    rng = random.Random(1617)
    for _ in range(5_000):
        # A phone number right before it would make one longer number of the two: words come first.
        text = f"{rng.choice(_WORDS[:-1])} {_ssn(rng)} {rng.choice(_WORDS)}".strip()
        masked, found = mask_ssns(text)
        assert found and _digits(masked) == _digits(text) - 9, (text, masked)
        assert any("Social Security number" in problem for problem in problems(text)), text


def test_generated_phone_numbers_and_zip_codes_are_kept() -> None:
    rng = random.Random(1618)
    for _ in range(5_000):
        digits = "".join(rng.choice("0123456789") for _ in range(10))
        gap = rng.choice(_GAPS[:8])
        phone = rng.choice(
            (
                f"{digits[:3]}{gap}{digits[3:6]}{gap}{digits[6:]}",
                f"({digits[:3]}) {digits[3:6]}-{digits[6:]}",
                f"+1 {digits[:3]}{gap}{digits[3:6]}{gap}{digits[6:]}",
                f"{digits[:5]}-{digits[5:9]}",  # ZIP+4
                digits,
            )
        )
        text = f"{rng.choice(_WORDS[:6])} {phone}"
        assert mask_ssns(text) == (text, False), text


def test_a_digit_is_every_character_unicode_gives_a_digit_value() -> None:
    pattern = re.compile(f"[{identifiers.DIGIT_CHARACTERS}]")
    for code in range(sys.maxunicode + 1):
        character = chr(code)
        assert (pattern.match(character) is not None) == (unicodedata.digit(character, None) is not None), hex(code)


def test_a_separator_is_every_space_and_dash_unicode_knows() -> None:
    pattern = re.compile(f"[{identifiers.SEPARATOR_CHARACTERS}]")
    for code in range(sys.maxunicode + 1):
        character = chr(code)
        if unicodedata.category(character) == "Pd" or character.isspace():
            assert pattern.match(character), hex(code)
        if unicodedata.digit(character, None) is not None or character.isalpha():
            assert not pattern.match(character), hex(code)


def _every_pattern_tried(text: str, person: Person) -> list[str]:
    """The guard's answer with every pattern tried on every text: what outbound_problems' shortcuts
    (each pattern tried only when the text holds what any match of it needs) must not change."""
    folded = identifiers._fold(text)
    found = []
    ssn, case_number = identifiers.SSN_LIKE.search(text), identifiers._CASE_NUMBER.search(folded)
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
    "|–|—|−|_|\\|\u00a0|\u200b|\u00ad|⁴⁵|₆₇₈|①②|⑨|５|95814|044|  - |id|nº de caso|caso #"
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
