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
from operator import itemgetter
from typing import Any

from sqlalchemy import Insert, event
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, ClauseElement

Processor = Callable[[Any], Any] | None


#: How one parameter of the SQL is made: from the caller's parameter `key`, or (key None) a value
#: fixed in the statement (a state, a rule), already processed for the driver.
_Bind = tuple[str | None, Any, Processor]


class _Compiled:
    """One statement as one dialect's driver takes it."""

    def __init__(
        self, statement: ClauseElement, dialect: Dialect, keys: Sequence[str] | None, same_leading: int = 0
    ) -> None:
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
        binds = [self._bind(uses[name], dialect) for name in self._names]
        # Most parameters are taken as given: they are picked in one C call (itemgetter), the fixed
        # values slotted in after, and only the few with a processor (times, enums) converted.
        given = [key for key, _, _ in binds if key is not None]
        self._pick: Callable[[Mapping[str, Any]], Any] | None = itemgetter(*given) if given else None
        self._one_given = len(given) == 1
        self._fixed = [(index, value) for index, (key, value, _) in enumerate(binds) if key is None]
        self._converted = [(index, process) for index, (_, _, process) in enumerate(binds) if process is not None]
        self._columns = [column.type for column in compiled._result_columns or ()]
        #: Made from the first result's description (a driver's type codes may pick a processor):
        #: the columns that have one, by position.
        self._readers: list[tuple[int, Callable[[Any], Any]]] | None = None
        #: The leading columns every row holds alike (a join's one side), converted once: after the
        #: first row, only the others' readers run (`_tail`, by position within the rest).
        self._same = same_leading
        self._tail: list[tuple[int, Callable[[Any], Any]]] = []

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
        if self._pick is None:
            values: list[Any] = []
        elif self._one_given:
            values = [self._pick(params)]
        else:
            values = list(self._pick(params))
        for index, value in self._fixed:
            values.insert(index, value)
        for index, process in self._converted:
            values[index] = process(values[index])
        return values if self._positional else dict(zip(self._names, values, strict=True))

    def rows(self, cursor: Any) -> list[tuple[Any, ...]]:
        if cursor.description is None:
            return []
        fetched: list[tuple[Any, ...]] = cursor.fetchall()
        if self._readers is None:
            readers = [
                column_type.dialect_impl(self._dialect).result_processor(self._dialect, described[1])
                for column_type, described in zip(self._columns, cursor.description, strict=True)
            ]
            self._readers = [(index, read) for index, read in enumerate(readers) if read is not None]
            self._tail = [(index - self._same, read) for index, read in self._readers if index >= self._same]
        if not self._readers:
            # Both drivers fetch plain tuples: nothing to convert, nothing to copy.
            return fetched
        if self._same and len(fetched) > 1:
            first = _read(fetched[0], self._readers)
            same = first[: self._same]
            return [first, *(same + _read(row[self._same :], self._tail) for row in fetched[1:])]
        return [_read(row, self._readers) for row in fetched]


def _read(row: tuple[Any, ...], readers: list[tuple[int, Callable[[Any], Any]]]) -> tuple[Any, ...]:
    values = list(row)
    for index, read in readers:
        values[index] = read(values[index])
    return tuple(values)


class Prepared:
    """A Core statement (or one for each dialect, for upserts) run with little overhead per call.

    Parameters are given by the bind names of the statement, or for an INSERT by column name, as
    with `Session.execute`. Column defaults computed in Python are not applied: give every column.
    """

    def __init__(self, statement: ClauseElement | Mapping[str, ClauseElement], same_leading: int = 0) -> None:
        """`same_leading`: how many leading columns every row of a result holds alike (the one side
        of a join): they are converted once, their values on later rows taken from the first."""
        self._same_leading = same_leading
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
            compiled = _Compiled(
                statement, dialect, keys if isinstance(statement, Insert) else None, self._same_leading
            )
            self._compiled[(dialect.name, keys)] = compiled
        return compiled

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run it once in the session's transaction; the rows it returned (none for a plain write)."""
        handle = _handle(session)
        compiled = self._for(handle.dialect, params)
        handle.execute(compiled.sql, compiled.parameters(params), many=False)
        return compiled.rows(handle.cursor)

    def first(self, session: Session, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row it returned, or None."""
        rows = self.rows(session, params)
        return rows[0] if rows else None

    def run_many(self, session: Session, params: Sequence[Mapping[str, Any]]) -> None:
        """Run a write once for each set of parameters (the driver's executemany; no rows back)."""
        if not params:
            return
        handle = _handle(session)
        compiled = self._for(handle.dialect, params[0])
        handle.execute(compiled.sql, [compiled.parameters(row) for row in params], many=True)


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A savepoint on the session's connection: its writes are undone if the block raises, and the
    transaction goes on. Issued like the statements above: through `Connection.begin_nested` the
    SAVEPOINT and its RELEASE cost a message as much as three of its statements. Only statements
    run on the connection belong in it (not ORM objects, which the session would not roll back)."""
    handle = _handle(session)
    handle.execute(f"SAVEPOINT {_SAVEPOINT}", (), many=False)
    try:
        yield
    except BaseException:
        handle.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}", (), many=False)
        raise
    handle.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}", (), many=False)


_SAVEPOINT = "waypoint_step"
#: The key in `Session.info` of the `_Transaction` of the session's current transaction.
_HANDLE = "casefile.prepared.transaction"


class _Transaction:
    """What the statements of one transaction run on, asked of SQLAlchemy once for the transaction:
    asking for the connection, a new DB-API cursor and the engine's cursor listeners on every
    statement cost about a third of a statement's own time (bench/webhook.py, issue 19)."""

    __slots__ = ("connection", "cursor", "dialect", "_before", "_after", "_error", "_hide")

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        # One cursor for all: every statement's rows are fetched before the next one runs.
        self.cursor = connection.connection.cursor()
        self.dialect = connection.dialect
        # The engine always has listeners (casefile.database's connect and begin), so SQLAlchemy's
        # own flag would have every statement walk these lists; they are taken once (a listener
        # added while a transaction is open sees the statements of the next one).
        dispatch = connection.dispatch
        self._before = tuple(dispatch.before_cursor_execute)
        self._after = tuple(dispatch.after_cursor_execute)
        self._error: type[Exception] = self.dialect.loaded_dbapi.Error
        self._hide = connection.engine.hide_parameters

    def execute(self, sql: str, parameters: Any, many: bool) -> None:
        """The driver's execute between the engine's cursor events, its errors as SQLAlchemy's."""
        connection, cursor = self.connection, self.cursor
        for listener in self._before:
            listener(connection, cursor, sql, parameters, None, many)
        try:
            if many:
                cursor.executemany(sql, parameters)
            else:
                cursor.execute(sql, parameters)
        except self._error as error:
            # With the engine's hide_parameters (casefile.database): participants' words in an
            # error's text would reach the log lines that report it.
            raise DBAPIError.instance(
                sql, parameters, error, self._error, hide_parameters=self._hide, dialect=self.dialect, ismulti=many
            ) from error
        for listener in self._after:
            listener(connection, cursor, sql, parameters, None, many)


def _handle(session: Session) -> _Transaction:
    """The statements' side of the session's transaction (beginning it if need be)."""
    handle: _Transaction | None = session.info.get(_HANDLE)
    if handle is None:
        handle = session.info[_HANDLE] = _Transaction(session.connection())
    return handle


def failed_statement_undoes_itself(session: Session) -> bool:
    """Whether a statement that fails is undone alone and its transaction goes on (SQLite: a
    constraint, or a trigger's RAISE(ABORT), undoes only the statement), so that a savepoint around
    a single statement would add nothing. On PostgreSQL a failed statement spoils the transaction."""
    return _handle(session).dialect.name == "sqlite"


def still_in_transaction(session: Session) -> bool:
    """Whether the session's transaction is still open in the database after a statement failed
    (on SQLite a trigger's RAISE(ROLLBACK), or a full disk, can end it: later statements would then
    each commit on their own)."""
    driver = _handle(session).connection.connection.driver_connection
    return driver is not None and bool(driver.in_transaction)


def dialect_name(session: Session) -> str:
    """'sqlite' or 'postgresql', from the session's transaction (beginning it if need be)."""
    return _handle(session).dialect.name


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    """The next transaction of the session may be on another connection. (The cursor is left to be
    collected, not closed: its connection is back in the pool, maybe with another thread.)"""
    if transaction.parent is None:
        session.info.pop(_HANDLE, None)
