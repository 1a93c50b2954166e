"""The playground's clock: real time plus an offset that only grows, so a briefing due
tomorrow at 08:00 can be brought forward with one click while everything else keeps running
in real time. A jump wakes every sleeper, which then sleeps only what is left (if anything),
so the dispatcher's long idle sleep ends as soon as its due time has been jumped past."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta


class OffsetClock:
    """A `bot.briefings.clock.Clock`: `now()` is the wall clock plus `offset`."""

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self._jumped = asyncio.Event()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def jump(self, delta: timedelta) -> None:
        """Move time forward by `delta` (never back) and wake every sleeper."""
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self.offset += delta
        jumped, self._jumped = self._jumped, asyncio.Event()
        jumped.set()

    def jump_to(self, when: datetime) -> timedelta:
        """Move time forward to `when` (nothing if it is already past); return the jump."""
        delta = max(timedelta(0), when - self.now())
        self.jump(delta)
        return delta

    async def sleep(self, seconds: float) -> None:
        deadline = self.now() + timedelta(seconds=max(0.0, seconds))
        # One round per jump plus the last one that runs out in real time: bounded by the
        # deadline, since every round either returns or waits for real time or a jump.
        while (left := (deadline - self.now()).total_seconds()) > 0:
            jumped = self._jumped
            try:
                await asyncio.wait_for(jumped.wait(), timeout=left)
            except TimeoutError:
                continue
        await asyncio.sleep(0)
