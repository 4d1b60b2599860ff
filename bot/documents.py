"""Fetching the photos and files participants send into the service's own storage.

The inbox records each one (casefile.documents) with the provider's URL in the same transaction as
its message, and answers the participant. Fetching happens after that commit: at once in the
background, then again by `fetch_due` on a backoff while it fails, so a provider that is down for a
while loses nothing. After the last attempt the document is marked FAILED and the counselor is told.
"""

import hashlib
import logging
import mimetypes
import os
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from casefile.documents import DocumentNotFetched, claim_document, due_documents, mark_attempt_failed, mark_stored
from casefile.facts import record_fact
from casefile.vocabulary import Channel

log = logging.getLogger(__name__)


class FetchFailed(Exception):
    """A document could not be fetched. `permanent` when trying again cannot help (404, too large)."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


#: How a channel gets a document's bytes from where its provider keeps them.
Download = Callable[[str], bytes]

#: Waits between attempts: quick at first (a provider's blip), then up to a day; about three days in all.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
    timedelta(hours=24),
)
#: Twilio accepts MMS up to 5 MB; anything far larger is not a photo of a timesheet (downloads stop there).
MAX_BYTES = 20 * 1024 * 1024


def retry_at(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed ones; None once they are used up. Jittered by a
    fifth, so documents that failed together (a provider outage) are not all retried at once."""
    if attempts > len(RETRY_DELAYS):
        return None
    return now + RETRY_DELAYS[attempts - 1] * random.uniform(0.8, 1.2)


class DocumentStore:
    """A local folder (the default storage): <root>/<participant id>/<document id>.<ext>, readable by
    the service's own user only."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, participant_id: int, document_id: int, content_type: str, content: bytes) -> str:
        """Write a document whole (or not at all); its path relative to the root."""
        extension = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ".bin"
        relative = f"{participant_id}/{document_id}{extension}"
        target = self.root / relative
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, target)
        return relative


@dataclass(frozen=True)
class FetchReport:
    stored: int = 0
    retrying: int = 0
    failed: int = 0


class DocumentFetcher:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        store: DocumentStore,
        downloads: Mapping[Channel, Download],
        clock: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._store = store
        self._downloads = downloads
        self._clock = clock

    def fetch_due(self, limit: int = 100) -> FetchReport:
        """One pass: every document waiting whose next attempt has come, oldest first."""
        with self._sessions.begin() as session:
            due = due_documents(session, self._clock(), limit)
        outcomes = [self._fetch(document.id, document.attempts) for document in due]
        return FetchReport(
            stored=outcomes.count("stored"), retrying=outcomes.count("retrying"), failed=outcomes.count("failed")
        )

    def _fetch(self, document_id: int, seen_attempts: int) -> str:
        with self._sessions.begin() as session:
            document = claim_document(session, document_id, seen_attempts, self._clock())
        if document is None:
            return "taken"
        download = self._downloads.get(document.channel)
        try:
            if download is None:
                raise FetchFailed(f"no credentials to fetch {document.channel} media")
            content = download(document.source)
        except FetchFailed as failure:
            return self._failed(document.id, document.participant_id, document.message_id, seen_attempts + 1, failure)
        relative = self._store.save(document.participant_id, document.id, document.content_type, content)
        with self._sessions.begin() as session:
            mark_stored(
                session, document.id, relative, len(content), hashlib.sha256(content).hexdigest(), self._clock()
            )
        return "stored"

    def _failed(
        self, document_id: int, participant_id: int, message_id: int, attempts: int, failure: FetchFailed
    ) -> str:
        now = self._clock()
        again = None if failure.permanent else retry_at(attempts, now)
        # The reason is an HTTP status or a timeout: no participant data reaches the log.
        log.warning("fetching document %s failed (attempt %s): %s", document_id, attempts, failure.reason)
        with self._sessions.begin() as session:
            mark_attempt_failed(session, document_id, failure.reason, again)
            if again is None:
                record_fact(session, DocumentNotFetched(document_id), participant_id, None, message_id, now)
        return "retrying" if again else "failed"
