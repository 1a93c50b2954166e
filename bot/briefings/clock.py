"""Time as a dependency, so that schedules, catch-up windows and pacing can be tested
without waiting for real time to pass."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC."""
        ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The wall clock. Long sleeps are the caller's business to cap: the wall clock can jump
    (NTP, suspend) while the event loop's monotonic clock does not."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ManualClock:
    """A clock that moves only when told to; a sleeper wakes once time has been advanced
    past its deadline. `advance_to_next()` lets a test driver jump straight to the next
    deadline (an "autojump"), so simulated hours run in milliseconds."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2025, 1, 1, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._heap: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._counter = itertools.count()

    def now(self) -> datetime:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        deadline = self._now + timedelta(seconds=seconds)
        heapq.heappush(self._heap, (deadline, next(self._counter), future))
        try:
            await future
        finally:
            if not future.done():
                future.cancel()

    @property
    def sleepers(self) -> int:
        return sum(1 for _, _, f in self._heap if not f.done())

    def next_deadline(self) -> datetime | None:
        self._drop_done()
        return self._heap[0][0] if self._heap else None

    def advance(self, delta: float | timedelta) -> None:
        if isinstance(delta, int | float):
            delta = timedelta(seconds=delta)
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self.set(self._now + delta)

    def set(self, when: datetime) -> None:
        when = when.astimezone(UTC)
        if when < self._now:
            raise ValueError("time only moves forward")
        self._now = when
        while self._heap and self._heap[0][0] <= self._now:
            _, _, future = heapq.heappop(self._heap)
            if not future.done():
                future.set_result(None)

    def advance_to_next(self) -> bool:
        deadline = self.next_deadline()
        if deadline is None:
            return False
        self.set(max(deadline, self._now))
        return True

    def _drop_done(self) -> None:
        while self._heap and self._heap[0][2].done():
            heapq.heappop(self._heap)
