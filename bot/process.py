"""Process-wide settings for `serve`, where the webhook's threads share one interpreter and one
heap with the scheduler's jobs."""

import ctypes
import ctypes.util
import logging
import sys

log = logging.getLogger(__name__)

#: How long a thread that wants the interpreter lets a busy one run before asking it to let go
#: (CPython's default is 5 ms). A text gives the interpreter up and takes it back around each of its
#: ~20 statements; while a job's thread is busy in Python (drafting notes, composing texts), each of
#: those may wait the whole interval before the text's thread runs again.
SWITCH_INTERVAL_SECONDS = 0.001

#: glibc's M_ARENA_MAX: by default a thread that allocates while others do gets a heap of its own
#: (up to 8 a core), and each heap keeps memory freed in it. `serve` runs some 30 threads (the
#: webhook's, the jobs', the senders'): their heaps' leftovers were memory the service held.
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8


def tune_process() -> None:
    """Apply both, before the service starts its threads (a heap already made is kept)."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    _cap_malloc_arenas(MALLOC_ARENAS)


def _cap_malloc_arenas(arenas: int) -> None:
    name = ctypes.util.find_library("c")
    mallopt = getattr(ctypes.CDLL(name), "mallopt", None) if name else None
    # Another C library (musl) has no arenas to cap, and says so by not having mallopt.
    if mallopt is None or mallopt(_M_ARENA_MAX, arenas) != 1:
        log.info("malloc arenas left as the C library sets them")
