"""Engines and sessions for SQLite (the embedded default) and PostgreSQL (production)."""

import logging
import sqlite3
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from casefile.write_gate import GatedConnection, WriteGate, gate_for

log = logging.getLogger(__name__)


def normalize_database_url(url: str) -> str:
    """Let people write postgresql://… and still get the psycopg 3 driver we install."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


#: An execution option: the transaction only reads, so on SQLite it begins without the write lock.
READ_ONLY = "waypoint_read_only"

#: Bytes of WAL kept on disk after a checkpoint (SQLite otherwise keeps its high-water mark). The
#: cutting back is done by the first commit after the WAL starts over, with the write lock held:
#: after a saturating burst grew the WAL to 475 MB, that commit took 374 ms (0.2 ms without a limit).
#: WalCheckpoints now starts the WAL over long before it reaches this size, unless a long read (a
#: sweep's) keeps it from starting over meanwhile.
WAL_SIZE_LIMIT = 64 << 20
#: How often the background checkpoint runs (WalCheckpoints).
CHECKPOINT_EVERY_SECONDS = 0.25
#: WAL pages past which the checkpoint thread makes the WAL start over (WalCheckpoints): 16 MB at
#: SQLite's 4 KB pages, about 0.7 s of a saturating burst.
WAL_RESTART_PAGES = 4096
#: How long that restart waits for readers still reading the WAL before it leaves it to the next pass.
RESTART_WAIT_MS = 10
#: How long it waits in line behind the writers before it leaves it to the next pass.
RESTART_TURN_SECONDS = 1.0

#: How much of an SQLite file is read through a memory map (address space, not memory: the
#: pages are the OS's page cache).
MMAP_BYTES = 1 << 30

#: Each connection's private page cache (PRAGMA cache_size, in KiB). SQLite's default of 2 MB, times
#: the pool's 32 connections, was memory `serve` kept. The cache holds the pages a write changes and
#: those read past the memory map (a file over MMAP_BYTES): at 256 KB a message on a 5 GB county
#: file cost 7% more CPU than at 1 or 2 MB.
PAGE_CACHE_KIB = 1024


def make_engine(url: str, lock_wait_ms: int = 30000, wait_in_line: bool = True, **options: Any) -> Engine:
    """An engine for the URL; on SQLite a connection waits up to `lock_wait_ms` for the write lock,
    in line behind this process's other writers (casefile.write_gate), or, without `wait_in_line`,
    only when none of them holds it or waits."""
    url = normalize_database_url(url)
    # Statement parameters are participants' numbers and words: keep them out of error messages
    # (and so out of logs and tracebacks).
    options.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        connect_args: dict[str, Any] = {"timeout": lock_wait_ms / 1000}
        # A file's writers queue at its gate; an in-memory database is one connection's own.
        database = make_url(url).database
        path = database if database and database != ":memory:" else None
        if path is not None:
            connect_args["factory"] = GatedConnection
        engine = create_engine(url, connect_args=connect_args, **options)
        _tune_sqlite(engine, lock_wait_ms, wait_in_line, path)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def _tune_sqlite(engine: Engine, lock_wait_ms: int, wait_in_line: bool, gated: str | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        if gated is not None:
            dbapi_connection.gate = gate_for(gated)
        # We issue BEGIN ourselves (below); pysqlite's implicit transactions would defer it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL lets readers go on while one writer writes; NORMAL sync is durable in WAL mode
        # against application crashes, which is what an embedded single-host service needs.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_wait_ms)}")
        # The sweep reads a whole caseload's rows: through a memory map they come from the OS's page
        # cache, shared by every connection, instead of one read() per page into a 2 MB private cache.
        cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        # After a checkpoint the WAL file is cut back to this, not left at its largest burst's size.
        cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
        cursor.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: a read-then-write transaction can then never
        # fail half-way with "database is locked" when another writer got in between. A read-only
        # one (`reading`) takes none: in WAL mode it reads its snapshot while others write.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
            return
        raw = connection.connection.dbapi_connection
        if isinstance(raw, GatedConnection) and not raw.take_turn(lock_wait_ms / 1000, wait_in_line):
            raise OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError(_GATE_CLOSED))
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            # Another process holds SQLite's lock past the wait: the next writer here may try.
            if isinstance(raw, GatedConnection):
                raw.let_go()
            raise


#: What a writer that waited in vain behind this process's other writers is told (as SQLite says it).
_GATE_CLOSED = "database is locked (this process's other writers held it)"


def gate_of(engine: Engine) -> WriteGate | None:
    """The write gate of an SQLite file's engine (casefile.write_gate); None on PostgreSQL."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return gate_for(database)


@contextmanager
def reading(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session that only reads. On SQLite it holds no write lock, so a long read (a job deciding
    who is due) does not hold up every message meanwhile; it sees one snapshot and must not write."""
    with sessions() as session:
        session.connection(execution_options={READ_ONLY: True})
        yield session


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


class WalCheckpoints:
    """SQLite only: the WAL is copied back into the database file by a thread of its own.

    By default the commit that takes the WAL past 1,000 pages runs the checkpoint itself: it writes
    those pages into the database file and syncs it, tens to hundreds of milliseconds on a county's
    file, and on the webhook's inline path every request queued behind that commit waits too (each
    message adds about 24 pages, so one commit in 40 paid it). While this runs, the engines' own
    connections never checkpoint; PASSIVE never waits for, nor blocks, readers and writers.

    PASSIVE alone never lets the WAL start over while writers commit back to back: the next writer
    begins before the checkpoint has copied the last commit, so a burst grew the WAL to 475 MB, every
    read searched all of it, and the first commit after the burst cut the file back with the write
    lock held (374 ms). So once the WAL is past `restart_pages`, the thread takes a writer's turn at
    the gate and checkpoints with RESTART: it copies what the PASSIVE pass left (a fraction of a
    second of commits) and waits briefly for readers, and the next writer starts the WAL over."""

    def __init__(
        self,
        engines: Sequence[Engine],
        every: float = CHECKPOINT_EVERY_SECONDS,
        restart_pages: int = WAL_RESTART_PAGES,
    ) -> None:
        self._engines = engines
        self._every = every
        self._restart_pages = restart_pages
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoints", daemon=True)

    def start(self) -> None:
        for engine in self._engines:
            _checkpointed[engine] = _checkpointed.get(engine, 0) + 1
            if _checkpointed[engine] == 1:
                event.listen(engine, "connect", _no_autocheckpoint)
                # Connections already pooled were opened checkpointing: let them go.
                engine.dispose()
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread after a last checkpoint; once no app on an engine runs, its connections
        opened from then on checkpoint again."""
        self._stop.set()
        self._thread.join()
        for engine in self._engines:
            _checkpointed[engine] -= 1
            if _checkpointed[engine] == 0:
                event.remove(engine, "connect", _no_autocheckpoint)
                engine.dispose()

    def _run(self) -> None:
        connection = self._engines[0].raw_connection()
        try:
            while not self._stop.wait(self._every):
                self.checkpoint(connection)
            self.checkpoint(connection)
        finally:
            connection.close()

    def checkpoint(self, connection: Any) -> None:
        """One pass, on a pooled connection of the file (the thread's own, or a test's)."""
        try:
            # All rows fetched (the one row): a statement left open would lock the next pass out.
            ((_, pages, copied),) = connection.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            # Not while an older reader kept pages from being copied: a restart would only wait for it.
            if pages > self._restart_pages and copied == pages:
                self._restart(connection.dbapi_connection)
        except Exception:
            # The next pass tries again; meanwhile the WAL only grows (and readers still read it).
            log.warning("a WAL checkpoint failed", exc_info=True)

    @staticmethod
    def _restart(raw: Any) -> None:
        """RESTART with this process's writers held at the gate, so that none is left sleeping in
        SQLite's busy handler meanwhile; the wait for readers is short, so is the writers' wait."""
        if isinstance(raw, GatedConnection) and not raw.take_turn(RESTART_TURN_SECONDS, True):
            return
        try:
            cursor = raw.cursor()
            (timeout,) = cursor.execute("PRAGMA busy_timeout").fetchall()[0]
            cursor.execute(f"PRAGMA busy_timeout={RESTART_WAIT_MS}")
            try:
                cursor.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
            finally:
                cursor.execute(f"PRAGMA busy_timeout={int(timeout)}")
        finally:
            # Whatever failed, the turn goes back: every writer of the process would wait for it.
            if isinstance(raw, GatedConnection):
                raw.let_go()


#: How many running apps checkpoint each engine's file (two apps may share one service's engines).
_checkpointed: "weakref.WeakKeyDictionary[Engine, int]" = weakref.WeakKeyDictionary()


def _no_autocheckpoint(dbapi_connection: Any, connection_record: Any) -> None:
    dbapi_connection.cursor().execute("PRAGMA wal_autocheckpoint=0")
