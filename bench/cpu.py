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

    def __sub__(self, other: "CpuSeconds") -> "CpuSeconds":
        return CpuSeconds(self.server - other.server, self.database - other.database, self.client - other.client)


def _stat(pid: int) -> tuple[str, int, float] | None:
    """(command, parent pid, CPU seconds) of a process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command is in parentheses and may hold spaces: the fields after it are split safely.
    command = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    return command, int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS


def _processes() -> dict[int, tuple[str, int, float]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            found[int(entry.name)] = stat
    return found


def cpu_seconds(server_pid: int) -> CpuSeconds:
    """CPU seconds so far of the server and its descendants (uvicorn's workers), of every PostgreSQL
    process on the machine, and of this process's finished children."""
    processes = _processes()
    tree, grew = {server_pid}, True
    while grew:
        grew = False
        for pid, (_, parent, _) in processes.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    server = sum(processes[pid][2] for pid in tree if pid in processes)
    database = sum(seconds for command, _, seconds in processes.values() if command == "postgres")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return CpuSeconds(server, database, children.ru_utime + children.ru_stime)
