"""Identifiers that must not travel by text message (issue 16, items 12 and 13).

A text can be read by whoever holds the phone, is kept by carriers and shows on lock screens, so
nothing that identifies a case travels in one: not a Social Security number, a case number, a full
date of birth, nor a participant's first and last name together. Two pure functions:

- `outbound_problems(text, participant)`: what is wrong with a text about to be sent, in words a
  counselor can act on (empty when it may go). The outbox refuses what it finds; a counselor's
  compose box (the console) and `waypoint outreach edit` show the same reasons before saving.
- `mask_ssns(text)`: an inbound text with every SSN-like number masked, before it is stored.
"""

import re
import unicodedata
from datetime import date
from typing import Protocol

#: Three, two and four digits, with one separator throughout (dash, space, dot) or none, standing
#: alone: how people type an SSN (or an ITIN, shaped alike). Ten digits (a phone) do not match.
_SSN = re.compile(r"(?<![\d-])\d{3}([- .]?)\d{2}\1\d{4}(?![\d-])")
SSN_MASK = "***-**-****"
#: A run of 7 to 9 digits (a case, account or ID number); 10 and 11 are phone numbers, which
#: outbound texts carry (the counselor's line), so they are not refused.
_LONG_NUMBER = re.compile(r"(?<![\d+-])(?:\d{7,9}|\d{12,})(?![\d-])")
#: "case number 1234567", "case #A12B34C", "número de caso: 123", "caso no. 12-345": the label
#: and a token with a digit in it. Matched against the folded text (lowercase, no accents).
_CASE_NUMBER = re.compile(
    r"\b(?:case\s*(?:number|num|no\.?|#)|(?:numero|num\.?|no\.?)\s*de\s*caso|caso\s*(?:numero|num|no\.?|#))"
    r"\s*(?:is|es|:|#)?\s*[a-z0-9-]*\d[a-z0-9-]*"
)
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|ene|abr|ago|dic)[a-z]*\.?"  # English and Spanish
#: Full dates: 3/14/1990, 3-14-90, 1990-03-14, March 14, 1990, 14 de marzo de 1990.
_FULL_DATES = (
    re.compile(r"(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-](?P<year>\d{4}|\d{2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<year>\d{4})-\d{1,2}-\d{1,2}(?!\d)"),
    re.compile(rf"\b{_MONTHS} \d{{1,2}}(?:st|nd|rd|th)?,? (?P<year>\d{{4}})\b"),
    re.compile(rf"\b\d{{1,2}} (?:de )?{_MONTHS} (?:de |del )?(?P<year>\d{{4}})\b"),
)
_BIRTH_WORDS = re.compile(r"\b(?:dob|d\.o\.b\.?|date of birth|birth ?date|born on|fecha de nacimiento|nacio el)\b")
#: Most texts hold none of what the patterns above look for, and the guard runs on every text the
#: dispatcher makes: each pattern is tried only when the text holds what every match of it must
#: (a necessary condition, so the answer is the same), which a substring or one short pattern finds
#: at a fraction of the cost. An SSN, a long number and a full date's year each need two digits
#: side by side ("Reply 1" has one); every case-number label holds "cas"; every birth phrase holds
#: one of these words.
_TWO_DIGITS = re.compile(r"\d\d")
_CASE_LABEL = "cas"
_BIRTH_HINTS = ("dob", "d.o.b", "birth", "born", "nacimiento", "nacio")
#: A full date at least this many years back is taken for a date of birth: no parent on aid was
#: born later, and no appointment or deadline is set that far back.
BIRTH_DATE_YEARS = 12


class OutboundRefused(ValueError):
    """A text that must not be sent as it is; `problems` are outbound_problems' reasons."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("not sent: " + "; ".join(problems))
        self.problems = problems


class Named(Protocol):
    """Who a text is about: a participant (casefile.people.Participant fits)."""

    @property
    def first_name(self) -> str: ...

    @property
    def last_name(self) -> str: ...


def outbound_problems(text: str, participant: Named, today: date | None = None) -> list[str]:
    """Why this text must not be sent to (or about) this participant; empty when it may go.

    Each reason is written for the counselor who wrote or will fix the text. `today` places dates
    of birth (by default the computer's date). Pure: no database, no clock unless `today` is None.
    """
    folded = _fold(text)
    problems = []
    # Folding can make digits of characters that are not (a superscript "¹⁹⁹⁰" becomes "1990"):
    # the patterns tried on the folded text are filtered on it, not on the text as written.
    digits, folded_digits = _TWO_DIGITS.search(text) is not None, _TWO_DIGITS.search(folded) is not None
    ssn = digits and _SSN.search(text) is not None
    case_number = _CASE_LABEL in folded and _CASE_NUMBER.search(folded) is not None
    if ssn:
        problems.append("it contains what looks like a Social Security number: leave it out")
    if case_number:
        problems.append("it contains a case number: leave it out")
    if not (ssn or case_number) and digits and _LONG_NUMBER.search(text):
        problems.append("it contains a long number (a case, account or ID number?): leave it out")
    birth_words = any(hint in folded for hint in _BIRTH_HINTS) and _BIRTH_WORDS.search(folded) is not None
    if birth_words or (folded_digits and _has_old_full_date(folded, (today or date.today()).year)):
        problems.append("it contains what looks like a full date of birth: leave it out")
    if _names_in_full(folded, participant):
        problems.append("it gives the participant's first and last name together: use the first name only")
    return problems


def mask_ssns(text: str) -> tuple[str, bool]:
    """The text with each SSN-like number replaced by ***-**-****, and whether there was one."""
    masked, count = _SSN.subn(SSN_MASK, text)
    return masked, bool(count)


def _fold(text: str) -> str:
    """Lowercase without accents, so "Núñez" in a text matches "Nunez" on the record, and "número"
    matches "numero"."""
    if text.isascii():
        # Nothing to decompose, no accent to drop: most texts, at a tenth of the cost (the
        # dispatcher checks every text it makes).
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def _has_old_full_date(folded: str, this_year: int) -> bool:
    for pattern in _FULL_DATES:
        for match in pattern.finditer(folded):
            year = int(match.group("year"))
            if year < 100:
                # Two digits: "26" is this century's until it is still to come; "90" is 1990.
                year += 2000 if year <= this_year % 100 else 1900
            if year <= this_year - BIRTH_DATE_YEARS:
                return True
    return False


def _names_in_full(folded: str, participant: Named) -> bool:
    """Both names, each as whole words, anywhere in the text."""
    first, last = _fold(participant.first_name).strip(), _fold(participant.last_name).strip()
    if not first or not last or first not in folded or last not in folded:
        return False
    return all(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded) for name in (first, last))
