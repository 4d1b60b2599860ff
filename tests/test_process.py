"""`serve`'s process settings (bot/process.py): the webhook's threads share an interpreter and a heap
with the scheduler's jobs, and both defaults cost the service (issue 19: p99 and memory with the jobs
running)."""

import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from bot.app import Service, create_app
from bot.process import MALLOC_ARENAS, SWITCH_INTERVAL_SECONDS
from tests.support import FixedClock

ROOT = Path(__file__).resolve().parent.parent

# Eight threads allocate at once, as the webhook's and the jobs' threads do, then the C library
# tells how many heaps (arenas) it made (malloc_info's XML has one <heap> for each).
HEAPS_AFTER_EIGHT_THREADS = """
import ctypes, ctypes.util, re, sys, tempfile, threading
if sys.argv[1] == "tuned":
    from bot.process import tune_process
    tune_process()
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
libc.fopen.restype = ctypes.c_void_p
together = threading.Barrier(8)
def allocate():
    together.wait()
    for _ in range(20000):
        libc.free(libc.malloc(4096))
threads = [threading.Thread(target=allocate) for _ in range(8)]
for thread in threads: thread.start()
for thread in threads: thread.join()
with tempfile.NamedTemporaryFile() as report:
    out = ctypes.c_void_p(libc.fopen(report.name.encode(), b"w"))
    libc.malloc_info(0, out)
    libc.fclose(out)
    print(len(re.findall("<heap nr=", open(report.name).read())))
"""


def heaps_after_eight_threads(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", HEAPS_AFTER_EIGHT_THREADS, mode], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return int(done.stdout)


def test_the_services_threads_share_two_heaps_where_each_would_have_its_own() -> None:
    assert heaps_after_eight_threads("plain") > MALLOC_ARENAS
    assert heaps_after_eight_threads("tuned") <= MALLOC_ARENAS


def test_the_service_lets_a_waiting_thread_have_the_interpreter_within_a_millisecond(
    service: Service, clock: FixedClock
) -> None:
    default = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    try:
        with TestClient(create_app(service, clock)):
            assert sys.getswitchinterval() == SWITCH_INTERVAL_SECONDS
    finally:
        sys.setswitchinterval(default)
