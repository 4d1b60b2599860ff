"""Statements of the per-message path, compiled once for each database and run on the driver's cursor.

A message runs about fifteen statements. Through `Session.execute` each costs about 30 us of
SQLAlchemy's machinery (the ORM's execute, the compiled-cache key, the execution context, the
result object) beside 2–5 us in the driver (bench/webhook.py, issue 19). A `Prepared` statement is
compiled by SQLAlchemy once for each dialect, with the same bind and result processors SQLAlchemy
would use (time zones, enums, JSON), then run on the DB-API cursor of the session's own connection:
in the session's transaction and savepoints, firing the engine's cursor events (so the plan checks
in tests/test_query_plans.py see every statement), and raising SQLAlchemy's exceptions (so a lock
timeout is an OperationalError, as the inbox expects).
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, ClauseElement

Processor = Callable[[Any], Any] | None


#: How one parameter of the SQL is made: from the caller's parameter `key`, or (key None) a value
#: fixed in the statement (a state, a rule), already processed for the driver.
_Bind = tuple[str | None, Any, Processor]


class _Compiled:
    """One statement as one dialect's driver takes it."""

    def __init__(self, statement: ClauseElement, dialect: Dialect, keys: Sequence[str] | None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys) if keys is not None else None)
        assert isinstance(compiled, SQLCompiler)
        assert not compiled.escaped_bind_names, "bind names the driver takes as they are"
        self.sql = compiled.string
        self._dialect = dialect
        self._positional = compiled.positional
        # The names as the SQL has them (with pyformat, anonymous parameters are named only here).
        uses: dict[str, list[BindParameter[Any]]] = {}
        for bind, name in compiled.bind_names.items():
            uses.setdefault(name, []).append(bind)
        names = compiled.positiontup if compiled.positional else list(uses)
        assert names is not None
        self._names = list(names)
        self._binds = [self._bind(uses[name], dialect) for name in self._names]
        self._columns = [column.type for column in compiled._result_columns or ()]
        #: Made from the first result's description (a driver's type codes may pick a processor).
        self._readers: list[Processor] | None = None

    @staticmethod
    def _bind(uses: list[BindParameter[Any]], dialect: Dialect) -> _Bind:
        """One parameter of the SQL from its uses in the statement. A name may stand for several
        uses, some untyped (`bindparam("at")` as a CASE's result): as SQLAlchemy does, it takes the
        processor of a typed use."""
        assert not any(bind.expanding for bind in uses), "IN lists are built into the statement, values fixed"
        processors = [bind.type.dialect_impl(dialect).bind_processor(dialect) for bind in uses]
        process = next((processor for processor in processors if processor is not None), None)
        given = next((bind for bind in uses if bind.required), None)
        if given is not None:
            return (given.key, None, process)
        fixed = uses[0].callable() if uses[0].callable is not None else uses[0].value
        return (None, fixed if process is None else process(fixed), None)

    def parameters(self, params: Mapping[str, Any]) -> Any:
        values = [
            value if key is None else params[key] if process is None else process(params[key])
            for key, value, process in self._binds
        ]
        return values if self._positional else dict(zip(self._names, values, strict=True))

    def rows(self, cursor: Any) -> list[tuple[Any, ...]]:
        if cursor.description is None:
            return []
        fetched = cursor.fetchall()
        if self._readers is None:
            self._readers = [
                column_type.dialect_impl(self._dialect).result_processor(self._dialect, described[1])
                for column_type, described in zip(self._columns, cursor.description, strict=True)
            ]
        readers = self._readers
        if not any(readers):
            return [tuple(row) for row in fetched]
        return [
            tuple(value if read is None else read(value) for read, value in zip(readers, row, strict=True))
            for row in fetched
        ]


class Prepared:
    """A Core statement (or one for each dialect, for upserts) run with little overhead per call.

    Parameters are given by the bind names of the statement, or for an INSERT by column name, as
    with `Session.execute`. Column defaults computed in Python are not applied: give every column.
    """

    def __init__(self, statement: ClauseElement | Mapping[str, ClauseElement]) -> None:
        self._statements = statement if isinstance(statement, Mapping) else None
        self._statement = statement if isinstance(statement, ClauseElement) else None
        self._compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}

    def _for(self, dialect: Dialect, params: Mapping[str, Any]) -> _Compiled:
        statement = self._statement if self._statements is None else self._statements[dialect.name]
        assert statement is not None
        # An INSERT's columns are the keys given, so each set of keys is a statement of its own.
        keys = tuple(params) if isinstance(statement, Insert) else ()
        compiled = self._compiled.get((dialect.name, keys))
        if compiled is None:
            compiled = _Compiled(statement, dialect, keys if isinstance(statement, Insert) else None)
            self._compiled[(dialect.name, keys)] = compiled
        return compiled

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run it once in the session's transaction; the rows it returned (none for a plain write)."""
        connection = _connection(session)
        compiled = self._for(connection.dialect, params)
        parameters = compiled.parameters(params)
        cursor = connection.connection.cursor()
        try:
            _execute(connection, cursor, compiled.sql, parameters, many=False)
            return compiled.rows(cursor)
        finally:
            cursor.close()

    def first(self, session: Session, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row it returned, or None."""
        rows = self.rows(session, params)
        return rows[0] if rows else None

    def run_many(self, session: Session, params: Sequence[Mapping[str, Any]]) -> None:
        """Run a write once for each set of parameters (the driver's executemany; no rows back)."""
        if not params:
            return
        connection = _connection(session)
        compiled = self._for(connection.dialect, params[0])
        parameters = [compiled.parameters(row) for row in params]
        cursor = connection.connection.cursor()
        try:
            _execute(connection, cursor, compiled.sql, parameters, many=True)
        finally:
            cursor.close()


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A savepoint on the session's connection: its writes are undone if the block raises, and the
    transaction goes on. Issued like the statements above: through `Connection.begin_nested` the
    SAVEPOINT and its RELEASE cost a message as much as three of its statements. Only statements
    run on the connection belong in it (not ORM objects, which the session would not roll back)."""
    connection = _connection(session)
    _run(connection, f"SAVEPOINT {_SAVEPOINT}")
    try:
        yield
    except BaseException:
        _run(connection, f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
        raise
    _run(connection, f"RELEASE SAVEPOINT {_SAVEPOINT}")


_SAVEPOINT = "waypoint_step"
#: The key in `Session.info` of the connection of the session's transaction.
_CONNECTION = "casefile.prepared.connection"


def _connection(session: Session) -> Connection:
    """The connection of the session's transaction (beginning it if need be). Asking the session
    each time cost 5 us a statement; the answer holds until the transaction ends."""
    transaction = session.get_transaction()
    known = session.info.get(_CONNECTION)
    if known is not None and transaction is not None and known[0] is transaction and not known[1].closed:
        connection: Connection = known[1]
        return connection
    connection = session.connection()
    session.info[_CONNECTION] = (session.get_transaction(), connection)
    return connection


def _run(connection: Connection, sql: str) -> None:
    cursor = connection.connection.cursor()
    try:
        _execute(connection, cursor, sql, (), many=False)
    finally:
        cursor.close()


def _execute(connection: Connection, cursor: Any, sql: str, parameters: Any, many: bool) -> None:
    """The driver's execute between the engine's cursor events, its errors as SQLAlchemy's."""
    # Asked once each: the engine always has listeners (casefile.database's connect and begin), so
    # SQLAlchemy's own flag would have every statement walk empty lists of these two.
    dispatch = connection.dispatch
    before, after = dispatch.before_cursor_execute, dispatch.after_cursor_execute
    if before:
        for listener in before:
            listener(connection, cursor, sql, parameters, None, many)
    dialect = connection.dialect
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
    except dialect.loaded_dbapi.Error as error:
        # With the engine's hide_parameters (casefile.database): participants' words in an error's
        # text would reach the log lines that report it.
        raise DBAPIError.instance(
            sql,
            parameters,
            error,
            dialect.loaded_dbapi.Error,
            hide_parameters=connection.engine.hide_parameters,
            dialect=dialect,
            ismulti=many,
        ) from error
    if after:
        after(connection, cursor, sql, parameters, None, many)
