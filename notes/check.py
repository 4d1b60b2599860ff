"""The check every draft (and every counselor edit) must pass before it can enter the record: the
minimum elements are there, no judgement words or slang, no identifiers that do not belong in a
note (SSN, full date of birth, case number), and it fits a journal entry."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from casefile.identifiers import SSN_LIKE

#: The minimum content of a case note (DOMAIN.md, "Case notes"; seeds 000, 001, 003), one line each.
ELEMENTS = (
    "Date of contact",
    "Method",
    "Who took part",
    "Purpose",
    "Participant reported",
    "Obstacles and resolutions",
    "Goals and next steps",
    "Effect on the plan",
    "Forms and documents",
)
MAX_TITLE = 100
#: Room for the note and its addenda in one journal entry.
MAX_BODY = 4000
#: A full date this many years before the note is most likely someone's date of birth.
BIRTH_DATE_YEARS = 10

#: Words that put the writer in the note; "us" is left out, as it is also "US".
FIRST_PERSON = frozenset(["I", "me", "my", "mine", "myself", "we", "our", "ours"])
_FIRST_PERSON = re.compile(r"\b(?:I|[Mm]e|[Mm]y|[Mm]ine|[Mm]yself|[Ww]e|[Oo]ur|[Oo]urs)\b")
_WORDS_FILE = Path(__file__).with_name("judgement_words.txt")
_QUOTED = re.compile(r'"[^"]*"')
_LONG_NUMBER = re.compile(r"\b\d{7,}\b")
# Matched against the lowercased text: one lowering is cheaper than case-insensitive searches.
_CASE_NUMBER = re.compile(r"\bcase\s*(?:no\.?|number|num|#)\s*:?\s*[a-z0-9-]*\d[a-z0-9-]*")
_BIRTH_WORDS = re.compile(r"\b(?:dob|d\.o\.b\.|date of birth|birth ?date|born on)\b")
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
_FULL_DATES = (
    re.compile(r"\b\d{1,2}[/-]\d{1,2}[/-](?P<year>(?:19|20)\d{2})\b"),
    re.compile(r"\b(?P<year>(?:19|20)\d{2})-\d{2}-\d{2}\b"),
    re.compile(
        r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? (?P<year>(?:19|20)\d{2})\b",
        re.IGNORECASE,
    ),
)


def _judgement_words() -> tuple[frozenset[str], tuple[str, ...]]:
    """The reviewed list as single words (looked up in a set) and phrases (searched for)."""
    lines = (line.strip().lower() for line in _WORDS_FILE.read_text(encoding="utf-8").splitlines())
    entries = [line for line in lines if line and not line.startswith("#")]
    return frozenset(e for e in entries if " " not in e), tuple(e for e in entries if " " in e)


def _judgements(text: str) -> list[str]:
    """The listed words and phrases the text uses, each once, in alphabetical order."""
    words = _WORD.findall(text.lower())
    padded = " " + " ".join(words) + " "
    found = {word for word in words if word in _JUDGEMENT_WORDS}
    found.update(phrase for phrase in _JUDGEMENT_PHRASES if f" {phrase} " in padded)
    return sorted(found)


_JUDGEMENT_WORDS, _JUDGEMENT_PHRASES = _judgement_words()
_WORD = re.compile(r"[a-z]+(?:['-][a-z]+)*")


def check_note(title: str, body: str, today: date, parts: Iterable[str] | None = None) -> list[str]:
    """What is wrong with this note, in words a counselor can act on; empty when it may be approved.
    A drafted note passes its sentences as `parts`: each is checked once however many notes share
    it (most lines of a day's drafts are alike), which is what keeps drafting fast."""
    problems = [f"the {element.lower()} is missing" for element in missing_elements(body)]
    if not title.strip():
        problems.append("the title is empty")
    if len(title) > MAX_TITLE:
        problems.append(f"the title is {len(title)} characters long (at most {MAX_TITLE})")
    if len(body) > MAX_BODY:
        problems.append(f"the note is {len(body)} characters long (at most {MAX_BODY})")
    texts = [title, *parts] if parts is not None else [f"{title}\n{body}"]
    problems += _problems([_findings(text, today.year) for text in texts])
    return problems


def check_text(text: str, today: date) -> list[str]:
    """The checks that apply to any text entering the record, an addendum too."""
    return _problems([_findings(text, today.year)])


@dataclass(frozen=True)
class _Findings:
    judgements: frozenset[str]
    ssn: bool
    long_number: bool
    case_number: bool
    birth_date: bool


#: Kept: the boilerplate sentences every note repeats. A note's own sentences (dates, hours, ids)
#: never come again, and 65,536 of them held ~48 MB of a county's month-end for nothing.
@lru_cache(maxsize=4096)
def _findings(text: str, year: int) -> _Findings:
    # The participant's own words, quoted, are theirs: judge only the writer's.
    own_words = _QUOTED.sub('""', text)
    lowered = text.lower()
    return _Findings(
        frozenset(_judgements(own_words)) | frozenset(_first_person(own_words)),
        SSN_LIKE.search(text) is not None,
        _LONG_NUMBER.search(text) is not None,
        _CASE_NUMBER.search(lowered) is not None,
        _BIRTH_WORDS.search(lowered) is not None or _has_birth_date(text, year - BIRTH_DATE_YEARS),
    )


def _problems(findings: list[_Findings]) -> list[str]:
    problems = []
    for found in sorted(frozenset().union(*(each.judgements for each in findings))):
        if found in FIRST_PERSON:
            problems.append(
                f'"{found}" is first person: write in the third person ("the counselor", "the participant")'
            )
        else:
            problems.append(f'"{found}" is a judgement or slang: say what happened instead')
    if any(each.ssn for each in findings):
        problems.append("it contains what looks like a Social Security number")
    elif any(each.long_number for each in findings):
        problems.append("it contains a long number (a case, account or ID number?): leave it out")
    if any(each.case_number for each in findings):
        problems.append("it contains a case number: the note is filed on the case already")
    if any(each.birth_date for each in findings):
        problems.append("it contains what looks like a full date of birth")
    return problems


def _first_person(text: str) -> list[str]:
    """The writer speaking as themselves ("I called", "my client"): a note is in the third person."""
    return [word.lower() if word != "I" else "I" for word in _FIRST_PERSON.findall(text)]


def _has_birth_date(text: str, latest_year: int) -> bool:
    """A full date in a year that long ago; the cheap look for old years first, as most notes have none."""
    if not any(int(year) <= latest_year for year in _YEAR.findall(text)):
        return False
    return any(int(match.group("year")) <= latest_year for pattern in _FULL_DATES for match in pattern.finditer(text))


def missing_elements(body: str) -> list[str]:
    """The minimum elements without a line of their own that says something."""
    present = {}
    for line in body.splitlines():
        label, _, text = line.partition(":")
        present[label.strip()] = bool(text.strip())
    return [element for element in ELEMENTS if not present.get(element)]
