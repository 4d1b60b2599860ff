"""Goal–Plan–Do–Review conversations replayed whole, through every channel, on a real database."""

from pathlib import Path

import pytest

from bot.app import Service
from tests.channels import Adapter
from tests.support import FixedClock
from tests.transcripts import TRANSCRIPTS, check_records, load, replay

PATHS = sorted(TRANSCRIPTS.glob("*.txt"))


def test_there_are_transcripts_in_both_languages() -> None:
    assert {path.stem.split("_")[0] for path in PATHS} == {"en", "es"}


@pytest.mark.parametrize("path", PATHS, ids=[path.stem for path in PATHS])
def test_transcript(path: Path, adapter: Adapter, service: Service, clock: FixedClock) -> None:
    transcript = load(path)
    replay(transcript, adapter, clock)
    check_records(transcript, service)
