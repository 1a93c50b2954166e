"""What only SQLite has: the file, its pragmas, its schema table, damage and locks.
The Store semantics both backends share are in test_store.py."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage import SqliteStore, StoreError
from bot.storage.migrations import LATEST

T0 = datetime(2025, 3, 1, 0, 0, tzinfo=UTC)


async def open_store(path: Path, **options: int) -> SqliteStore:
    return await SqliteStore.open(path, **options)


async def test_open_creates_folder_wal_foreign_keys_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "bot.sqlite3"
    store = await open_store(path)
    try:
        assert path.exists()
        assert await store.pragma("journal_mode") == "wal"
        assert await store.pragma("foreign_keys") == 1
        assert await store.pragma("busy_timeout") >= 1000
    finally:
        await store.close()
    with sqlite3.connect(path) as db:
        versions = [r[0] for r in db.execute("SELECT version FROM schema_version")]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert versions == list(range(1, LATEST + 1))
    assert {"subscriptions", "deliveries", "kv", "schema_version"} <= tables


async def test_migrations_are_idempotent_across_reopens(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    for _ in range(3):
        store = await open_store(path)
        await store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == LATEST


async def test_newer_schema_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    await (await open_store(path)).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO schema_version VALUES (?, 'x')", (LATEST + 1,))
    with pytest.raises(StoreError, match="newer than this bot"):
        await open_store(path)


async def test_garbage_file_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot"):
        await open_store(path)


async def test_a_database_locked_past_the_busy_timeout_is_a_store_error(tmp_path: Path) -> None:
    # Another process holding the write lock is SQLite's "server gone": the store waits
    # busy_timeout, then says the database is unavailable instead of raising sqlite3 errors.
    path = tmp_path / "bot.sqlite3"
    store = await open_store(path, busy_timeout_ms=200)
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        await store.upsert_subscription(1, 10, "08:00", "UTC", "daily", None, at=T0)
        other.execute("BEGIN EXCLUSIVE")
        async with asyncio.timeout(30):  # a hang fails here, not in CI's global timeout
            with pytest.raises(StoreError, match=r"unavailable.*locked"):
                await store.upsert_subscription(1, 11, "08:00", "UTC", "daily", None, at=T0)
            with pytest.raises(StoreError, match="unavailable"):
                await store.set_state("k", "v")
        other.execute("ROLLBACK")
        # the lock gone, the same store works again
        assert [s.channel_id for s in await store.list_enabled()] == [10]
        await store.set_state("k", "v")
    finally:
        other.close()
        await store.close()
