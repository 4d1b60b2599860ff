"""The declarative base shared by every table, and the column types they have in common."""

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Enum, MetaData, Table, TypeDecorator
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session

# Named constraints so that Alembic migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back time-zone aware.

    SQLite keeps no zone; without this a value read back would be naive and compare wrongly.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass a time-zone aware value")
        return value.astimezone(UTC).replace(tzinfo=None)

    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], Any] | None:
        """On SQLite, `process_bind_param` and the dialect's string format in one function.

        SQLAlchemy chains the two, and the dialect's builds a dict of seven fields for `%`; a
        message binds about 18 times (issue 19: 3% of its CPU). `isoformat` with microseconds
        writes the same text (tests/test_prepared.py compares the two over many instants).
        """
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        return _sqlite_utc_text

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


def _sqlite_utc_text(value: datetime | None) -> str | None:
    """A time-zone aware instant as SQLite stores a DATETIME: UTC, 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass a time-zone aware value")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def string_enum(enum_class: type[StrEnum], length: int) -> Enum:
    """An enum stored as its plain string values with a CHECK, so PostgreSQL needs no ENUM types to migrate."""
    return Enum(enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


def table_of(model: type[Base]) -> Table:
    """The model's table, for statements built once at import on hot paths.

    Per message, SQLAlchemy's cost is mostly building a statement and its cache key; a statement
    built once with bind parameters runs about 3 times faster than one built per call, and DML on
    the table skips the ORM's bulk-DML handling (bench/webhook.py; figures in the foundation note).
    """
    table = model.__table__
    assert isinstance(table, Table)
    return table


#: The INSERT constructs that know ON CONFLICT, by dialect name: upserts are built once for each.
UPSERT_INSERTS: dict[str, Callable[[Table], Any]] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def dialect_of(session: Session) -> str:
    """'sqlite' or 'postgresql': picks the prebuilt upsert that dialect understands."""
    return session.get_bind().dialect.name
