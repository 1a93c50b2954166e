"""Every lookup is answered within Discord's 3 s under load: directly, after "thinking…",
or with "busy, try again"; a user who floods is slowed down; an interaction that expired
anyway is one warning. End to end, against the emulator."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.app.overload import BUSY
from bot.emulator import Emulator
from tests.support.harness import wait_for

DEFERRED = 5
EPHEMERAL = 1 << 6


def settings(**values: Any) -> dict[str, Any]:
    base = {"defer_after_ms": 1000, "max_in_flight": 500, "per_user_rate": 0}
    return {"interactions": {**base, **values}}


async def test_a_lookup_that_waited_is_acknowledged_first_then_answered(
    bot_starter: Any, emulator: Emulator
) -> None:
    running = await bot_starter(extensions=["meta", "lookup"], extra=settings())
    handle = await running.command("section", {"query": "Russian Economy"}, created_ago=1.5)
    first = await handle.response()
    assert first["type"] == DEFERRED and not first.get("data", {}).get("flags", 0) & EPHEMERAL
    answer = await handle.final_message()
    assert answer["embeds"][0]["title"] == "B Russian Economy"
    fresh = await running.command("section", {"query": "Russian Economy"})
    assert (await fresh.response())["type"] == 4  # not waited: answered directly


async def test_a_private_lookup_stays_private_when_deferred(
    bot_starter: Any, emulator: Emulator
) -> None:
    running = await bot_starter(extensions=["meta", "lookup"], extra=settings())
    handle = await running.command(
        "search", {"query": "Northern Territories", "private": True}, created_ago=1.5
    )
    first = await handle.response()
    assert first["type"] == DEFERRED and first["data"]["flags"] & EPHEMERAL
    assert (await handle.final_message())["embeds"]
    help_ = await running.command("help", created_ago=1.5)
    assert (await help_.response())["data"]["flags"] & EPHEMERAL  # /help is always private


async def test_an_expired_interaction_is_one_warning_and_no_reply(
    bot_starter: Any, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    running = await bot_starter(extensions=["meta", "lookup"], extra=settings())
    caplog.set_level(logging.WARNING)
    handle = await running.command("search", {"query": "sanctions"}, created_ago=4.0)
    with pytest.raises(TimeoutError):
        await handle.response(timeout=1.0)
    warnings = [r for r in caplog.records if "expired" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert not any(r.levelno >= logging.ERROR or r.exc_info for r in caplog.records)
    after = await running.command("search", {"query": "sanctions"})
    assert (await after.response())["type"] == 4  # nothing left in flight


async def test_a_surge_past_the_limit_is_shed_with_a_short_answer(
    bot_starter: Any, emulator: Emulator
) -> None:
    running = await bot_starter(extensions=["meta", "lookup"], extra=settings(max_in_flight=3))
    queries = [f"economy sanctions oil prices {i}" for i in range(40)]
    handles = await asyncio.gather(*(running.command("search", {"query": q}) for q in queries))
    answers = [await h.final_message(timeout=10) for h in handles]
    shed = [a for a in answers if a.get("content") == BUSY]
    answered = [
        a for a in answers if a.get("embeds") or "Nothing relevant" in (a.get("content") or "")
    ]
    assert shed and answered and len(shed) + len(answered) == len(answers)
    assert all(a["flags"] & EPHEMERAL for a in shed)
    await wait_for(lambda: running.bot.gate.in_flight == 0, timeout=5)


async def test_one_user_flooding_is_told_to_slow_down(bot_starter: Any, emulator: Emulator) -> None:
    running = await bot_starter(
        extensions=["meta", "lookup"], extra=settings(per_user_rate=3, per_user_seconds=60)
    )
    answers = [await running.ask("help") for _ in range(3)]
    assert all(a["embeds"] for a in answers)
    slowed = await running.ask("help")
    assert slowed["flags"] & EPHEMERAL and slowed["content"].startswith("Slow down: try again in")
    other = emulator.state.add_member(emulator.guild, "someone-else")
    assert (await running.ask("help", member=other))["embeds"]  # the limit is per user
