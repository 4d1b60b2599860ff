"""A process's resident memory from /proc, split into its own and the file pages it has mapped.

VmHWM is the peak of all resident memory, and with SQLite read through a memory map
(casefile/database.py) that includes database pages, which belong to the OS's page cache: they
are shared, and dropped under pressure. RssAnon is the process's own memory, what a bound on a
service's memory is about. Linux keeps no peak of each part, so `Sampler` reads them every few ms.
"""

import threading
import time
from pathlib import Path

FIELDS = ("VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem")


def status(pid: int | str = "self") -> dict[str, float]:
    """The process's memory now, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in FIELDS:
            found[name] = int(value.split()[0]) / 1024
    return found


class Sampler(threading.Thread):
    """The largest own (RssAnon) and mapped-file (RssFile) memory of a process while it runs."""

    def __init__(self, pid: int | str = "self", every: float = 0.005) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.every = every
        self.peak = {"RssAnon": 0.0, "RssFile": 0.0}
        self._running = True

    def run(self) -> None:
        while self._running:
            try:
                now = status(self.pid)
            except (FileNotFoundError, ProcessLookupError):
                return
            for name in self.peak:
                self.peak[name] = max(self.peak[name], now[name])
            time.sleep(self.every)

    def stop(self) -> dict[str, float]:
        self._running = False
        self.join()
        return self.peak
