"""The app's own wiring: its health server, its metrics, and content served through one
ContentManager (snapshot and index always from the same load)."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from bot.emulator import Emulator
from tests.support.harness import start_bot


async def get(url: str) -> tuple[int, str]:
    timeout = aiohttp.ClientTimeout(total=5)
    async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as resp:
        return resp.status, await resp.text()


async def test_health_and_metrics_served_by_the_running_app(
    emulator: Emulator, tmp_path: Path
) -> None:
    running = await start_bot(emulator, tmp_path, extra={"health": {"enabled": True, "port": 0}})
    try:
        bot = running.bot
        assert bot.health.running
        status, body = await get(f"{bot.health.url}/healthz")
        assert status == 200, body

        await running.ask("help")
        await running.ask("section", {"query": "xq"})  # too short: refused, not an error
        status, text = await get(f"{bot.health.url}/metrics")
        assert status == 200
        assert 'interactions_total{command="help",outcome="ok"} 1' in text
        assert 'interaction_latency_seconds_count{command="help"} 1' in text
        assert "content_sections 12" in text
        assert 'reloads_total{result="ok"} 1' in text
    finally:
        await running.stop()
    assert not running.bot.health.running


async def test_snapshot_and_index_come_from_one_load(emulator: Emulator, tmp_path: Path) -> None:
    running = await start_bot(emulator, tmp_path)
    try:
        bot = running.bot
        loaded = bot.content_manager.loaded
        assert loaded is not None
        assert bot.snapshot is loaded.snapshot
        assert bot.search_index is loaded.index
        assert bot.search_index.snapshot is bot.snapshot
    finally:
        await running.stop()
