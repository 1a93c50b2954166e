"""/healthz follows the real gateway connection: 503 before READY, 200 after, 503 while a
dropped socket is being resumed, 200 again once RESUMED."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from bot.app.client import BriefingBot
from bot.app.health import GATEWAY_DOWN
from bot.config import load_config
from bot.emulator import Emulator
from tests.support.harness import write_config


async def healthz(url: str) -> tuple[int, dict[str, Any]]:
    timeout = aiohttp.ClientTimeout(total=5)
    async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as resp:
        return resp.status, await resp.json()


async def wait_status(url: str, want: int, timeout: float = 15.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status, body = await healthz(url)
        if status == want:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"/healthz stayed {status} {body}, wanted {want}")
        await asyncio.sleep(0.05)


async def test_healthz_follows_the_gateway(emulator: Emulator, tmp_path: Path) -> None:
    path = write_config(
        tmp_path / "config.yaml",
        emulator,
        data_dir=tmp_path / "data",
        extra={"health": {"port": 0}},
    )
    bot = BriefingBot(load_config(path), extensions=["admin"], guild_ready_timeout=0.05)
    health = bot.health
    await health.start()  # before the gateway connects, as setup_hook does
    url = f"{health.url}/healthz"
    task = asyncio.create_task(bot.start(emulator.token))
    try:
        status, body = await healthz(url)
        assert status == 503 and GATEWAY_DOWN in body["reasons"]

        await asyncio.wait_for(bot.wait_until_ready(), 15)
        body = await wait_status(url, 200)
        assert body["status"] == "ok" and body["guilds"] == 1

        # Hold RESUME until released, so the outage can be observed.
        release = asyncio.Event()
        original: Callable[..., Any] = emulator.gateway._resume

        async def held_resume(*args: Any, **kwargs: Any) -> Any:
            await release.wait()
            return await original(*args, **kwargs)

        emulator.gateway._resume = held_resume  # type: ignore[method-assign]
        await emulator.gateway.close_all(4000)
        body = await wait_status(url, 503)
        assert body["reason"] == GATEWAY_DOWN
        await asyncio.sleep(0.3)
        assert (await healthz(url))[0] == 503  # still down while RESUME is held
        release.set()
        await asyncio.wait_for(emulator.gateway.resumed.wait(), 15)
        await wait_status(url, 200)

        async with aiohttp.ClientSession() as session, session.get(f"{health.url}/metrics") as r:
            text = await r.text()
        assert r.status == 200 and "content_sections " in text and "process_uptime_seconds" in text
        assert "gateway_reconnects_total 1.0\n" in text
    finally:
        await bot.close()
        await asyncio.wait_for(task, 10)
        await health.stop()
