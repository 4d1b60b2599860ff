"""Who and where a note belongs: the participant's name and case number for the counselor, and the
CalSAWS Journal type each note is suggested to be filed under (configurable per county)."""

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.people import Participant

DEFAULT_FILE = Path(__file__).with_name("journal_types.toml")


@dataclass(frozen=True)
class JournalTypes:
    by_subject: Mapping[str, str]
    default: str

    def of(self, subject: str) -> str:
        return self.by_subject.get(subject, self.default)


def load_journal_types(county_file: str | None = None) -> JournalTypes:
    """The types in notes/journal_types.toml, with a county's own file (WAYPOINT_JOURNAL_TYPES) over them."""
    base = tomllib.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    by_subject, default = dict(base["subjects"]), str(base["default"])
    if county_file:
        county = tomllib.loads(Path(county_file).read_text(encoding="utf-8"))
        by_subject |= county.get("subjects", {})
        default = str(county.get("default", default))
    return JournalTypes(by_subject, default)


@dataclass(frozen=True)
class ParticipantName:
    """For counselors' eyes only: queues, `notes list` and exports; never in a text or a note's body."""

    id: int
    first_name: str
    last_name: str
    case_number: str | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def label(self) -> str:
        return f"{self.full_name} (case {self.case_number})" if self.case_number else self.full_name

    @property
    def sort_key(self) -> tuple[str, str, int]:
        return (self.last_name.casefold(), self.first_name.casefold(), self.id)


def names_of(session: Session, participant_ids: Iterable[int]) -> dict[int, ParticipantName]:
    """The names and case numbers of these participants, in one query."""
    wanted = set(participant_ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(Participant.id, Participant.first_name, Participant.last_name, Participant.case_number).where(
            Participant.id.in_(wanted)
        )
    )
    return {row.id: ParticipantName(row.id, row.first_name, row.last_name, row.case_number) for row in rows}
