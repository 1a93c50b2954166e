"""SQLite faults while the bot runs: a deleted or replaced database file, a read-only
database, a full disk. No write is acknowledged that would be lost, the user is told what
to pass on, /healthz and /metrics show it, and lookups keep answering."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from bot.app.errors import STORE_MESSAGES
from bot.briefings.clock import ManualClock
from bot.emulator import Emulator
from bot.storage import SqliteStore, StoreError
from bot.storage.base import DISK_FULL, READ_ONLY, REPLACED
from tests.cogs.briefings.test_briefings import ask, channel_named, runtime_of, with_clock
from tests.support.harness import RunningBot

T0 = datetime(2026, 11, 25, 8, 58, tzinfo=UTC)


async def start(bot_starter: Any) -> RunningBot:
    running: RunningBot = await bot_starter(
        prepare=with_clock(ManualClock(T0)),
        extensions=["meta", "lookup", "briefings"],
        extra={"health": {"enabled": True, "port": 0}},
    )
    return running


async def get(url: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        if "json" in resp.content_type:
            return resp.status, await resp.json()
        return resp.status, await resp.text()


def subscribe_options(emulator: Emulator) -> dict[str, Any]:
    return {"channel": str(channel_named(emulator, "briefings").id), "time": "09:00"}


async def assert_refused_and_visible(running: RunningBot, emulator: Emulator, reason: str) -> None:
    answer = await ask(emulator, "briefing subscribe", subscribe_options(emulator))
    assert answer["content"] == STORE_MESSAGES[reason] and answer["flags"] & 64
    status, body = await get(f"{running.bot.health.url}/healthz")
    assert status == 503 and body["store"]["up"] is False and body["store"]["reason"] == reason
    _, metrics = await get(f"{running.bot.health.url}/metrics")
    assert 'storage_up{backend="sqlite"} 0.0' in metrics
    assert f'storage_write_errors_total{{reason="{reason}"}} 1.0' in metrics
    section = await running.ask("section", {"query": "Russian Economy"})
    assert section["embeds"][0]["title"] == "B Russian Economy"  # lookups go on


async def test_healthy_store_is_reported(bot_starter: Any, emulator: Emulator) -> None:
    running = await start(bot_starter)
    status, body = await get(f"{running.bot.health.url}/healthz")
    assert status == 200 and body["store"] == {
        "backend": "sqlite",
        "up": True,
        "reason": None,
        "detail": None,
    }
    _, metrics = await get(f"{running.bot.health.url}/metrics")
    assert 'storage_up{backend="sqlite"} 1.0' in metrics


async def test_a_deleted_database_file_acknowledges_nothing(
    bot_starter: Any, emulator: Emulator
) -> None:
    running = await start(bot_starter)
    store = runtime_of(running).store
    assert isinstance(store, SqliteStore)
    for path in store.path.parent.glob(store.path.name + "*"):
        path.unlink()  # the file and its WAL: what `rm data/*` does under a running bot
    await assert_refused_and_visible(running, emulator, REPLACED)


async def test_a_replaced_database_file_acknowledges_nothing(
    bot_starter: Any, emulator: Emulator, tmp_path: Path
) -> None:
    running = await start(bot_starter)
    store = runtime_of(running).store
    assert isinstance(store, SqliteStore)
    other = await SqliteStore.open(tmp_path / "restored.sqlite3")
    await other.close()
    shutil.move(tmp_path / "restored.sqlite3", store.path)  # a restore copied over it
    await assert_refused_and_visible(running, emulator, REPLACED)


async def test_a_read_only_database_says_so(bot_starter: Any, emulator: Emulator) -> None:
    running = await start(bot_starter)
    store = runtime_of(running).store
    assert isinstance(store, SqliteStore)
    # SQLite's own read-only refusal (SQLITE_READONLY), as on a read-only mount; file
    # permissions would not stop the root user these tests may run as.
    await store._db.execute("PRAGMA query_only = ON")
    await assert_refused_and_visible(running, emulator, READ_ONLY)


async def test_a_full_disk_says_so(bot_starter: Any, emulator: Emulator) -> None:
    running = await start(bot_starter)
    store = runtime_of(running).store
    assert isinstance(store, SqliteStore)
    # SQLite's own "database or disk is full" (SQLITE_FULL): the file may not grow.
    pages = await store.pragma("page_count")
    await store._db.execute(f"PRAGMA max_page_count = {pages}")
    for i in range(20_000):  # other servers' subscriptions fill the file to its limit
        try:
            await store.upsert_subscription(7, 10_000 + i, "09:00", "UTC", "daily", None)
        except StoreError as exc:
            assert exc.reason == DISK_FULL
            break
    else:
        raise AssertionError("the database never filled up")
    await assert_refused_and_visible(running, emulator, DISK_FULL)
