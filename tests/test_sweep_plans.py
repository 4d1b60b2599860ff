"""Every statement the sweep runs reads the large tables through an index, whatever the county's size.

The sweep's statements are recorded during a sweep of a county seeded by bench/seed.py, and
SQLite is asked for each one's plan (`EXPLAIN QUERY PLAN`; the file has no statistics, as a
county's has none, so the plan is the one it would take at 1M participants), and PostgreSQL too
(`EXPLAIN`, sequential scans priced out) when the tests have a server. A full scan of
participants, outreach, goals, goal steps or timesheet lines is what made a sweep cost seconds per
100k participants; only the sweep's own TEMP table of decided rows may be read whole, and it is
read a batch at a time by its key.
"""

from pathlib import Path
from typing import Any

from sqlalchemy import event, update

from bench.seed import NOW, seed
from bot.app import Service, build_service
from bot.settings import Settings
from casefile.people import Participant
from tests.support import FixedClock

LARGE = ("participants", "by_date", "outreach", "check_ins", "goals", "goal_steps", "timesheet_entries")


def plans_of_a_sweep(url: str) -> dict[str, list[str]]:
    clock = FixedClock(NOW)
    service = build_service(Settings(database_url=url), clock)
    plans: dict[str, list[str]] = {}

    def explain(conn: Any, cursor: Any, sql: str, parameters: Any, context: Any, executemany: bool) -> None:
        if sql.startswith(("SELECT", "INSERT")) and not executemany and sql not in plans:
            rows = conn.connection.dbapi_connection.execute(f"EXPLAIN QUERY PLAN {sql}", parameters).fetchall()
            plans[sql] = [row[3] for row in rows]

    sweep_watched(service, clock, explain, whole_passes=2)
    return plans


def sweep_watched(service: Service, clock: FixedClock, explain: Any, whole_passes: int) -> None:
    """Whole passes, then a pass among the changed (scheduler/passes.py: someone wrote, a day's
    moments crossed), with `explain` told of every statement."""
    event.listen(service.engine, "before_cursor_execute", explain)
    try:
        queued = service.sweep()
        for _ in range(whole_passes - 1):
            service.sweep()
        with service.sessions.begin() as session:
            session.execute(update(Participant).where(Participant.id == 7).values(last_heard_at=NOW))
        clock.advance(hours=20)
        service.sweep(whole=False)
    finally:
        event.remove(service.engine, "before_cursor_execute", explain)
        service.close()
    assert queued["check_in"] > 100 and queued["reengage"] > 100


def test_no_statement_of_the_sweep_scans_a_large_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'county.sqlite3'}"
    seed(url, 1500, weeks=4)
    plans = plans_of_a_sweep(url)
    deciding = [sql for sql in plans if "FROM participants" in sql]
    assert len(deciding) >= 7, "a statement for each rule"
    for sql, plan in plans.items():
        scans = [step for step in plan if step.startswith("SCAN ") and step.split()[1] in LARGE]
        assert not scans, (sql, plan)
    for sql in (sql for sql in deciding if not sql.startswith("INSERT INTO sweep_dirty")):
        # A participant's own outreach by participant (the index (state, participant_id, rule), or
        # the key (rule, occurrence, participant_id)): a range on a time alone (the index the passes'
        # moments are found by) would read every check-in sent in the county, for each, and the
        # key's rule alone every row of the rule.
        for step in plans[sql]:
            if step.startswith("SEARCH") and step.split()[1] in ("outreach", "check_ins"):
                assert "participant_id=?" in step, (sql, plans[sql])
    among_changed = [sql for sql in deciding if "sweep_dirty" in sql and not sql.startswith("INSERT INTO sweep_dirty")]
    assert len(among_changed) >= 5, "the pass among the changed ran its own statements"
    for sql in among_changed:
        assert "USING ROWID SEARCH ON TABLE sweep_dirty FOR IN-OPERATOR" in plans[sql], (sql, plans[sql])
    [crossed] = [plan for sql, plan in plans.items() if sql.startswith("INSERT INTO sweep_dirty")]
    assert all(step.split()[1] not in LARGE for step in crossed if step.startswith("SCAN")), crossed
    copies = [plan for sql, plan in plans.items() if sql.startswith("INSERT INTO outreach") and "sweep_owed" in sql]
    assert copies and all(any("sweep_owed USING INTEGER PRIMARY KEY" in step for step in plan) for plan in copies)


def scans_of(conn: Any, sql: str, parameters: Any) -> list[str]:
    """The large tables the statement's plan reads whole, asked on the sweep's own connection (its
    TEMP tables are its own). PostgreSQL with sequential scans priced out, so that one is chosen only
    when no index can answer."""
    raw = conn.connection.dbapi_connection.cursor()
    if conn.dialect.name == "sqlite":
        steps = [row[3] for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}", parameters).fetchall()]
        return [step for step in steps if step.startswith("SCAN ") and step.split()[1] in LARGE]
    raw.execute("SET enable_seqscan = off")
    raw.execute("EXPLAIN (FORMAT JSON) " + sql, parameters)
    (document,) = raw.fetchone()
    raw.execute("RESET enable_seqscan")
    return postgres_seq_scans(document[0]["Plan"])


def postgres_seq_scans(node: dict[str, Any]) -> list[str]:
    relation = node.get("Relation Name")
    found = [f"Seq Scan on {relation}"] if node["Node Type"] == "Seq Scan" and relation in LARGE else []
    for child in node.get("Plans", ()):
        found += postgres_seq_scans(child)
    return found


def test_on_either_database_no_statement_of_the_sweep_scans_a_large_table(database_url: str) -> None:
    seed(database_url, 1500, weeks=4)
    clock = FixedClock(NOW)
    service = build_service(Settings(database_url=database_url), clock)
    faults: dict[str, list[str]] = {}
    explained = 0

    def explain(conn: Any, cursor: Any, sql: str, parameters: Any, context: Any, executemany: bool) -> None:
        nonlocal explained
        if sql.startswith(("SELECT", "INSERT", "UPDATE")) and not executemany:
            explained += 1
            scans = scans_of(conn, sql, parameters)
            if scans:
                faults[sql] = scans

    sweep_watched(service, clock, explain, whole_passes=1)
    assert explained > 20
    assert faults == {}
