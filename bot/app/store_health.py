"""The briefings store's state for /healthz, /metrics and the user: probed with a small
write (cached for a few seconds, since orchestrators poll often), and every refused write
counted by its reason."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.app.metrics import BotMetrics
from bot.storage import Store, StoreError
from bot.storage.base import UNAVAILABLE, StoreHealth
from bot.storage.health import probe

PROBE_EVERY_S = 5.0
# A refused write counts against the store this long, even when the probe's small write
# still fits (a full disk takes an in-place update, not a new subscription).
RECENT_FAILURE_S = 60.0


@dataclass(frozen=True, slots=True)
class StoreSource:
    """Where the store is: the open store (None when it could not open) and why not."""

    store: Callable[[], Store | None]
    backend: str
    open_error: Callable[[], str | None]


class StoreMonitor:
    def __init__(self, source: StoreSource, metrics: BotMetrics) -> None:
        self.source = source
        self.metrics = metrics
        self._last: tuple[float, StoreHealth] | None = None
        self._failure: tuple[float, StoreError] | None = None

    async def health(self) -> StoreHealth:
        """The store's state, probed at most every PROBE_EVERY_S."""
        now = time.monotonic()
        if self._last is not None and now - self._last[0] < PROBE_EVERY_S:
            return self._last[1]
        store = self.source.store()
        if store is None:
            why = self.source.open_error() or "the store is not open"
            health = StoreHealth(False, self.source.backend, UNAVAILABLE, why)
        else:
            health = await probe(store, self.source.backend)
        failure = self._failure
        if health.up and failure is not None and now - failure[0] < RECENT_FAILURE_S:
            refused = failure[1]
            detail = f"a write failed {now - failure[0]:.0f} s ago: {refused}"
            health = StoreHealth(False, self.source.backend, refused.reason, detail)
        self._last = (now, health)
        self.metrics.storage(self.source.backend, health.up)
        return health

    def failed(self, error: StoreError) -> None:
        """A write was refused: counted, and the next probe is not served from the cache."""
        self.metrics.storage_write_error(error.reason)
        self._failure = (time.monotonic(), error)
        self._last = None
