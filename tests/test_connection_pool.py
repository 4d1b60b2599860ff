"""The service's pool holds a connection for every thread that may need one at once: the webhook's
threads and the scheduler's jobs together. With SQLAlchemy's default pool (5, and 10 more opened and
closed on demand) a webhook thread waited seconds behind the jobs for a connection (bench/webhook.py,
jobs run: 10 s answers), and every checkout past 5 opened a new one, on PostgreSQL a new backend."""

import threading

from sqlalchemy import event, text

from bot.app import SCHEDULER_THREADS, WEBHOOK_THREADS, Service
from casefile.database import READ_ONLY

AT_ONCE = WEBHOOK_THREADS + SCHEDULER_THREADS


def hold_all_at_once(service: Service) -> None:
    """Every thread takes a connection and keeps it until all of them have one."""
    everyone = threading.Barrier(AT_ONCE, timeout=10)
    failures: list[BaseException] = []

    def hold() -> None:
        try:
            # Reading only: on SQLite a writer would hold the write lock, and the others would wait
            # for it rather than for a connection.
            with service.engine.connect().execution_options(**{READ_ONLY: True}) as connection:
                connection.execute(text("SELECT 1"))
                everyone.wait()
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
            everyone.abort()

    threads = [threading.Thread(target=hold) for _ in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures


def test_the_webhook_and_the_jobs_threads_all_hold_a_connection_at_once_and_keep_it(service: Service) -> None:
    hold_all_at_once(service)
    opened: list[object] = []

    def count(dbapi_connection: object, record: object) -> None:
        opened.append(dbapi_connection)

    event.listen(service.engine, "connect", count)
    try:
        hold_all_at_once(service)
    finally:
        event.remove(service.engine, "connect", count)
    # The second time round every connection came from the pool: none was closed and opened again.
    assert opened == []
