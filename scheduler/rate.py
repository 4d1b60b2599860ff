"""A sender's rate: at most so many sends a second, as the provider counts them."""

import threading
import time
from collections import deque
from collections.abc import Callable

#: Sends are counted as they begin in windows this long: a send can reach the provider up to
#: ~100 ms later than it began on a loaded machine (the client's work waits for the interpreter),
#: so the provider's one second is taken as 1.1 here. At the rate's bound this sends about 9% fewer
#: a second than configured; never more (bench/dispatch.py at 10 a second, with 8 sender threads).
_WINDOW = 1.1


class RateLimiter:
    """At most `per_second` sends a second for one sender, spread evenly.

    Slots are 2% wider than 1/rate, so that a provider counting arrivals (which jitter by a few
    milliseconds) never sees rate + 1 in one second. And right before each send, `admit` counts the
    sends as they actually began: on a loaded machine one can begin late (its claim took long) and
    the next on time, and `per_second + 1` would then begin within one second. Reserving a slot or
    a start is under a lock; the wait is not.
    """

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        if per_second <= 0:
            raise ValueError("a sending rate must be above 0 messages a second")
        self._interval = 1.02 / per_second
        self._clock = clock
        self._next = 0.0
        #: When the last `per_second` sends began (or will, once their wait is over).
        self._began: deque[float] = deque(maxlen=max(1, int(per_second)))
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take the next slot; the seconds to wait for it."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self._interval
            return slot - now

    def admit(self) -> float:
        """Count a send as beginning now, or as soon as no second would hold more than the rate;
        the seconds to wait for that."""
        with self._lock:
            now = self._clock()
            start = now
            if len(self._began) == self._began.maxlen:
                start = max(now, self._began[0] + _WINDOW)
            self._began.append(start)
            return start - now
