"""Engines and sessions for SQLite (the embedded default) and PostgreSQL (production)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def normalize_database_url(url: str) -> str:
    """Let people write postgresql://… and still get the psycopg 3 driver we install."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


#: An execution option: the transaction only reads, so on SQLite it begins without the write lock.
READ_ONLY = "waypoint_read_only"

#: How much of an SQLite file is read through a memory map (address space, not memory: the
#: pages are the OS's page cache).
MMAP_BYTES = 1 << 30


def make_engine(url: str, lock_wait_ms: int = 30000, **options: Any) -> Engine:
    """An engine for the URL; on SQLite a connection waits up to `lock_wait_ms` for the write lock."""
    url = normalize_database_url(url)
    # Statement parameters are participants' numbers and words: keep them out of error messages
    # (and so out of logs and tracebacks).
    options.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": lock_wait_ms / 1000}, **options)
        _tune_sqlite(engine, lock_wait_ms)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def _tune_sqlite(engine: Engine, lock_wait_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
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
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: a read-then-write transaction can then never
        # fail half-way with "database is locked" when another writer got in between. A read-only
        # one (`reading`) takes none: in WAL mode it reads its snapshot while others write.
        read_only = connection.get_execution_options().get(READ_ONLY)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


@contextmanager
def reading(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session that only reads. On SQLite it holds no write lock, so a long read (a job deciding
    who is due) does not hold up every message meanwhile; it sees one snapshot and must not write."""
    with sessions() as session:
        session.connection(execution_options={READ_ONLY: True})
        yield session


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
