"""Where a bench's CPU went: the server's processes, the database server's, the load generator's.

On a shared machine wall-clock throughput moves with everyone else's load; the CPU seconds each
process spent per message move far less, and they say what limits a run: a run whose processes
keep every core busy is bound by the machine, not by a lock or a pool.
"""

import os
import resource
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuSeconds:
    server: float
    database: float
    #: The bench's finished children: the load generator, once it has exited.
    client: float
    #: The busiest of the server's processes: its part of the server's CPU (1.0 with one worker;
    #: with two, 0.5 when they share the load evenly).
    busiest_share: float = 1.0


@dataclass(frozen=True)
class _Stat:
    command: str
    parent: int
    #: CPU seconds of the process itself.
    seconds: float
    #: CPU seconds of its children that ended and that it waited for.
    ended_children: float


def _stat(pid: int) -> _Stat | None:
    """What /proc says of a process's CPU, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command is in parentheses and may hold spaces: the fields after it are split safely.
    command = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    return _Stat(
        command,
        int(fields[1]),
        (int(fields[11]) + int(fields[12])) / _TICKS,
        (int(fields[13]) + int(fields[14])) / _TICKS,
    )


def _processes() -> dict[int, _Stat]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            found[int(entry.name)] = stat
    return found


def _serves(pid: int, database: str | None) -> bool:
    """A PostgreSQL process working for the bench: a backend of its database, or one of the
    server's own writers (the WAL, checkpoints). Other databases' backends (tests running beside
    the bench) are not counted."""
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    writers = ("walwriter", "checkpointer", "background writer")
    return any(writer in title for writer in writers) or (database is not None and f" {database} " in title)


@dataclass(frozen=True)
class Snapshot:
    """CPU seconds so far, per process, of what a bench run uses."""

    server: dict[int, float]
    database: dict[int, float]
    children: float

    def __sub__(self, before: "Snapshot") -> CpuSeconds:
        # A process that ended meanwhile is not counted; one that began counts whole.
        server = _spent(self.server, before.server)
        busiest = max((seconds - before.server.get(pid, 0.0) for pid, seconds in self.server.items()), default=0.0)
        return CpuSeconds(
            server,
            _spent(self.database, before.database),
            self.children - before.children,
            busiest / server if server > 0 else 1.0,
        )


def _spent(after: dict[int, float], before: dict[int, float]) -> float:
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def cpu_seconds(server_pid: int, database: str | None = None) -> Snapshot:
    """CPU seconds so far of the server and its descendants (uvicorn's workers), of PostgreSQL's
    processes working for `database`, and of this process's finished children (wrk)."""
    processes = _processes()
    tree, grew = {server_pid}, True
    while grew:
        grew = False
        for pid, stat in processes.items():
            if stat.parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    server = {pid: processes[pid].seconds for pid in tree if pid in processes}
    # On SQLite the database works in the server's process: PostgreSQL's processes (other people's
    # tests on the same machine) are nothing of the run's.
    postgres = {
        pid: stat.seconds
        for pid, stat in processes.items()
        if database is not None and stat.command == "postgres" and _serves(pid, database)
    }
    # A backend that ended during the run (a pool closing a connection it had opened beyond its
    # size) took its CPU with it; PostgreSQL's postmaster waited for it, so it is in the
    # postmaster's children's time: of every database, so tests run beside the bench count too.
    # Keyed apart (negative) so that it is never a live backend's.
    for pid, stat in processes.items():
        if (
            database is not None
            and stat.command == "postgres"
            and processes.get(stat.parent, stat).command != "postgres"
        ):
            postgres[-pid] = stat.ended_children
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Snapshot(server, postgres, children.ru_utime + children.ru_stime)
