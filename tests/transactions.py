"""The transactions a piece of work runs, as a job's lock tests read them: read-only or not (on
SQLite a read-only one holds no write lock), and each statement with the rows it carried."""

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine, event

from casefile.database import READ_ONLY

T = TypeVar("T")
#: The rows a statement carried, from its SQL and its execution context.
RowsOf = Callable[[str, Any], Any]


def inserted_rows(sql: str, context: Any) -> Any:
    """Rows made in Python go in as one multi-row INSERT … VALUES (…), (…) ("insertmanyvalues")."""
    return sql.count("), (") + 1


def record_transactions(
    engine: Engine, work: Callable[[], T], rows_of: RowsOf = inserted_rows
) -> tuple[T, list[dict[str, Any]]]:
    """What `work` returned, and each transaction it ran on `engine`, in order."""
    transactions: list[dict[str, Any]] = []

    def begin(connection: Any) -> None:
        connection.info["current"] = {"read_only": bool(connection.get_execution_options().get(READ_ONLY))}
        connection.info["current"]["statements"] = []
        transactions.append(connection.info["current"])

    def statement(conn: Any, cursor: Any, sql: str, parameters: Any, context: Any, executemany: bool) -> None:
        if "current" in conn.info and not sql.startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            conn.info["current"]["statements"].append((" ".join(sql.split()), rows_of(sql, context)))

    event.listen(engine, "begin", begin)
    event.listen(engine, "before_cursor_execute", statement)
    try:
        return work(), transactions
    finally:
        event.remove(engine, "begin", begin)
        event.remove(engine, "before_cursor_execute", statement)
