"""An SSN beside another number (a date of birth, hours, a list's item) is still an SSN, for the
inbox's masking, the outbound guard, the log redaction and the notes check alike; an id that holds
nine digits among its letters (a MessageSid, a request id) is not, in the logs.

Found by review: the shared pattern once let any SSN with two digits one separator away pass."""

from datetime import date

import pytest

from bot.log_redaction import redact
from casefile.identifiers import mask_ssns, outbound_problems
from notes.check import check_text


class Ana:
    first_name = "Ana"
    last_name = "Lopez"


BESIDE_A_NUMBER = [
    "my ssn is 123-45-6789 25 hours this week",
    "SSN 123 45 6789 10 hrs",
    "mi seguro social es 123 45 6789 20 horas",
    "worked 40 123-45-6789",
    "it's 123456789 12 ok",
    "ssn 123 45 6789 01/02",
    "06/15/1990 123-45-6789",
    "SSN 123-45-6789 06/15/1990",
    "mi seguro 123 45 6789 nací 15 06 1990",
    "\uff11\uff12\uff13-\uff14\uff15-\uff16\uff17\uff18\uff19 12",
]


@pytest.mark.parametrize("text", BESIDE_A_NUMBER)
def test_an_ssn_beside_another_number_is_masked(text: str) -> None:
    masked, found = mask_ssns(text)
    assert found and "6789" not in masked and "\uff16\uff17\uff18\uff19" not in masked


@pytest.mark.parametrize("text", BESIDE_A_NUMBER)
def test_an_ssn_beside_another_number_is_refused_outbound(text: str) -> None:
    assert any("Social Security" in problem for problem in outbound_problems(text, Ana(), date(2026, 11, 29)))


@pytest.mark.parametrize("text", BESIDE_A_NUMBER)
def test_an_ssn_beside_another_number_is_redacted_in_logs(text: str) -> None:
    assert "6789" not in redact(text) and "\uff16\uff17\uff18\uff19" not in redact(text)


@pytest.mark.parametrize("text", BESIDE_A_NUMBER)
def test_an_ssn_beside_another_number_is_found_in_a_note(text: str) -> None:
    assert "it contains what looks like a Social Security number" in check_text(text, date(2026, 11, 29))


@pytest.mark.parametrize("text", ["044 55 1234 5678", "+52 1 55 1234 5678", "510 555 0142", "612 345 678", "95814-1234"])
def test_a_phone_number_or_zip_is_still_no_ssn(text: str) -> None:
    assert mask_ssns(text) == (text, False)


@pytest.mark.parametrize(
    "line",
    [
        "inbound SMab123456789cdef0123456789abcdef01 stored",
        "request 4f1a2b123456789c0d1e2f3a4b5c6d7e answered 200",
        "request 123456789abcdef0 answered 200",
    ],
)
def test_an_id_holding_nine_digits_is_kept_whole_in_logs(line: str) -> None:
    assert redact(line) == line
