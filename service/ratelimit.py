"""A sliding-window rate limiter held in memory: N requests per key per window.

It is per process. The service runs one gunicorn worker (threads share this
object), so on one laptop or one Cloud Run instance the limits are exact; when
Cloud Run scales out, each instance counts on its own, so a client spread over
k instances gets up to k times the limit, and a restart forgets the counts.
That is an accepted trade-off for pages that only publish a re-send request
(the worker mails the address on the order, nobody else): a shared counter
(Memorystore, Firestore) would add a network hop and a dependency to every
request. Cap the service's max instances, or move the counts to a shared store,
if the limits must hold exactly.

Pure: no Flask, and the clock is injected so tests step time by hand.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """At most `limit` counted hits per key in any `window` seconds."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._next_sweep = clock() + window

    def hit(self, key: str) -> int:
        """Count one request for key; return 0 if allowed, else whole seconds to wait."""
        now = self._clock()
        with self._lock:
            self._sweep(now)
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                # A refused request is not counted, so waiting the answer out always works.
                return max(1, math.ceil(hits[0] + self.window - now))
            hits.append(now)
            return 0

    def __len__(self) -> int:
        """How many keys are remembered (after the last sweep)."""
        return len(self._hits)

    def _sweep(self, now: float) -> None:
        # Forget idle keys once a window, so memory follows recent traffic, not all traffic.
        if now < self._next_sweep:
            return
        cutoff = now - self.window
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= cutoff]:
            del self._hits[key]
        self._next_sweep = now + self.window
