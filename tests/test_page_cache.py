"""Each pooled SQLite connection keeps a page cache of its own. With SQLite's default (2 MB) the
pool's 32 connections could keep 64 MB between them after the jobs' writes, a third of `serve`'s
memory budget (issue 19: 200 MB)."""

from pathlib import Path

from casefile.database import PAGE_CACHE_KIB, make_engine

CONNECTIONS = 24
ROWS = 20_000  # 200 bytes each: some 4 MB of table, twice SQLite's default cache
SQLITE_DEFAULT_CACHE_MB = 2


def own_memory_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no RssAnon in /proc/self/status")


def test_connections_that_each_rewrote_a_table_keep_small_page_caches(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'cache.sqlite3'}", pool_size=CONNECTIONS)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, pad BLOB)")
        connection.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO t SELECT i, randomblob(200) FROM n",
            (ROWS,),
        )
    held = [engine.raw_connection() for _ in range(CONNECTIONS)]
    try:
        for raw in held:
            assert raw.cursor().execute("PRAGMA cache_size").fetchone()[0] == -PAGE_CACHE_KIB
        before = own_memory_mb()
        for raw in held:
            cursor = raw.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute("UPDATE t SET pad = randomblob(200)")
            cursor.execute("COMMIT")
        grown = own_memory_mb() - before
    finally:
        for raw in held:
            raw.close()
        engine.dispose()
    # SQLite's default keeps 2 MB in each (44.7 MB measured here), ours 1 MB (22.0 MB): the bound is
    # halfway.
    ours_mb = PAGE_CACHE_KIB / 1024
    limit = CONNECTIONS * (ours_mb + SQLITE_DEFAULT_CACHE_MB) / 2
    assert grown < limit, f"{grown:.1f} MB kept by {CONNECTIONS} connections"
