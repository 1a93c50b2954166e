"""Discord's global rate limit: at most 50 requests per second per bot token, across every
process and connection using it. Interaction callbacks and interaction webhooks (followups,
@original edits) are not counted, as on Discord.

The window slides over the last second; `peak` is the most requests admitted in any one
second, which is what a benchmark compares with the limit.
"""

from __future__ import annotations

import time
from collections import deque

GLOBAL_PER_SECOND = 50


class GlobalLimit:
    """`admit()` returns None for a request that fits, else the seconds to wait."""

    def __init__(self, per_second: int | None = GLOBAL_PER_SECOND) -> None:
        self.per_second = per_second  # None: count only, never refuse
        self._hits: deque[float] = deque()
        self.peak = 0
        self.admitted = 0
        self.refused = 0

    def admit(self, now: float | None = None) -> float | None:
        now = time.monotonic() if now is None else now
        hits = self._hits
        while hits and now - hits[0] >= 1.0:
            hits.popleft()
        if self.per_second is not None and len(hits) >= self.per_second:
            self.refused += 1
            return max(0.001, 1.0 - (now - hits[0]))
        hits.append(now)
        self.admitted += 1
        self.peak = max(self.peak, len(hits))
        return None

    def reset_peak(self) -> None:
        self.peak = 0
