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

#: What a digit is to a reader: every decimal digit of every script (what \d knows), and the
#: characters Unicode gives a digit value that are no decimal digits: superscripts and subscripts
#: (¹²³), circled, parenthesized and dotted digits (①, ⑴, ⒈), and a few scripts' own. A phone's
#: keyboard, a copy from a PDF or a font trick makes them; each still reads as the digit it is.
#: (tests/test_identifiers.py checks this list against Python's Unicode database.)
DIGIT_CHARACTERS = (
    r"\d\u00b2\u00b3\u00b9\u1369-\u1371\u19da\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468"
    r"\u2474-\u247c\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788\u278a-\u2792"
    r"\U00010a40-\U00010a43\U00010e60-\U00010e68\U00011052-\U0001105a\U0001f100-\U0001f10a"
)
#: What people put between an SSN's groups: any space (\s: no-break and thin ones too), any dash
#: (Unicode's dash punctuation: hyphen, en and em dash, fullwidth hyphen-minus...), the minus signs
#: (−, ⁻, ₋), the invisible soft hyphen and zero-width characters a copy carries, dots and bullets,
#: underscores and slashes, fullwidth ones too.
SEPARATOR_CHARACTERS = (
    r"\s\-\u058a\u05be\u1400\u1806\u2010-\u2015\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0"
    r"\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead\u2212\u207b\u208b\u00ad\u200b-\u200d\u2060\ufeff"
    r"._\u00b7\u2022\u2024\u2027\u30fb\uff0e/\\\u2044\u2215\uff0f\uff3f"
)
_D, _S = f"[{DIGIT_CHARACTERS}]", f"[{SEPARATOR_CHARACTERS}]"
#: SSN-like, the one definition the outbound guard, inbound masking, log redaction and the notes
#: check share: nine digits, together or as three, two and four with both gaps of one to four
#: separators of any kind, mixed ("123 45-6789", "123 - 45 - 6789", "123–45–6789", "123_45_6789",
#: "123/45/6789", "¹²³⁴⁵⁶⁷⁸⁹"), standing alone. Alone means no digit next to it, nor a separator
#: and four digits after it: so a longer number (a Mexican "044 55 1234 5678") is no SSN, while one
#: beside a date, hours or a list's number ("06/15/1990 123-45-6789", "123 45 6789 20 horas",
#: "1. 123-45-6789") is. One gap without the other is a ZIP+4 ("95814-1234"), and
#: three-three-three a Spanish mobile ("612 345 678"): neither is SSN-like. An ITIN is shaped as an
#: SSN and matches too.
SSN_LIKE = re.compile(
    # It begins with its first digit and looks behind from there: a pattern that begins with a
    # character class lets the engine skip to where one is, which a look-behind first does not
    # (3.5 times faster on the dispatcher's texts).
    rf"{_D}(?<!{_D}{_D}){_D}{{2}}(?:{_S}{{1,4}}{_D}{{2}}{_S}{{1,4}}|{_D}{{2}}){_D}{{4}}"
    rf"(?!{_D})(?!{_S}{_D}{{4}}(?!{_D}))"
)
SSN_MASK = "***-**-****"
#: A run of 7 to 9 digits (a case, account or ID number); 10 and 11 are phone numbers, which
#: outbound texts carry (the counselor's line), so they are not refused.
_LONG_NUMBER = re.compile(r"(?<![\d+-])(?:\d{7,9}|\d{12,})(?![\d-])")
#: "case number 1234567", "case #A12B34C", "case ID: 12–345" (an en dash), "número de caso: 123",
#: "Nº de caso 123", "caso no. 12-345": the label, what people put after it (a colon, "is", "es",
#: a dash) and a word with a digit in it, whatever its other characters. Matched against the
#: folded text (lowercase, no accents, "º" made "o").
_CASE_NUMBER = re.compile(
    r"\b(?:case\s*(?:number|nbr|num|no\.?|#|id)|(?:numero|num\.?|no\.?|nro\.?|n°)\s*de\s*caso"
    r"|caso\s*(?:numero|num|no\.?|nro\.?|#))"
    r"[\s:#=\-\u2013\u2014]*(?:(?:is|es|was|era)\b[\s:#]*)?[^\s,;!?()]*?\d"
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
#: at a fraction of the cost. A long number and a full date's year each need two decimal digits
#: side by side ("Reply 1" has one); every case-number label holds "cas"; every birth phrase holds
#: one of these words. SSN_LIKE needs no such test: it skips to its first digit as fast.
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
    ssn = SSN_LIKE.search(text) is not None
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
    masked, count = SSN_LIKE.subn(SSN_MASK, text)
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
