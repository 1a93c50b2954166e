"""The playground's clock runs in real time and jumps forward on demand, waking sleepers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.playground.clock import OffsetClock


async def test_a_jump_past_the_deadline_wakes_a_long_sleep() -> None:
    clock = OffsetClock()
    sleeper = asyncio.ensure_future(clock.sleep(3600))
    await asyncio.sleep(0.01)
    assert not sleeper.done()
    clock.jump(timedelta(minutes=59))
    await asyncio.sleep(0.01)
    assert not sleeper.done()  # a minute is still left
    clock.jump(timedelta(minutes=2))
    await asyncio.wait_for(sleeper, timeout=5)


async def test_jump_to_moves_now_and_never_back() -> None:
    clock = OffsetClock()
    target = clock.now() + timedelta(days=1)
    assert clock.jump_to(target) > timedelta(hours=23)
    assert clock.now() >= target
    assert clock.jump_to(target - timedelta(hours=1)) == timedelta(0)
    with pytest.raises(ValueError):
        clock.jump(timedelta(seconds=-1))


async def test_a_short_sleep_ends_in_real_time() -> None:
    clock = OffsetClock()
    await asyncio.wait_for(clock.sleep(0.02), timeout=5)
    await asyncio.wait_for(clock.sleep(-1), timeout=5)
