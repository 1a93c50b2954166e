"""The SQLite store against real files: migrations, persistence, uniqueness of claims."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import SqliteStore, Store, StoreError, delivery_key
from bot.storage.migrations import LATEST

T0 = datetime(2025, 3, 1, 0, 0, tzinfo=UTC)


async def open_store(path: Path) -> SqliteStore:
    return await SqliteStore.open(path)


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


async def test_subscriptions_survive_reopen_and_upsert_reenables(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    store: Store = await open_store(path)
    sub = await store.upsert_subscription(1, 10, "08:00", "Asia/Tokyo", "daily", 99, at=T0)
    await store.upsert_subscription(1, 11, "09:00", "Europe/London", "weekdays", 99, at=T0)
    await store.upsert_subscription(2, 20, "10:00", "UTC", "daily", None, at=T0)
    assert await store.disable_subscription(sub.id, "missing_access", at=T0 + timedelta(hours=1))
    await store.close()

    store = await open_store(path)
    try:
        disabled = await store.get_subscription(sub.id)
        assert disabled is not None and not disabled.enabled
        assert disabled.disabled_reason == "missing_access"
        assert disabled.disabled_at == T0 + timedelta(hours=1)
        assert [s.channel_id for s in await store.list_subscriptions(1)] == [10, 11]
        assert [s.channel_id for s in await store.list_enabled()] == [11, 20]

        later = T0 + timedelta(days=1)
        again = await store.upsert_subscription(
            1, 10, "07:15", "Europe/London", "weekdays", 5, at=later
        )
        assert again.id == sub.id
        assert again.enabled and again.disabled_reason is None and again.disabled_at is None
        assert (again.post_time, again.timezone, again.days) == (
            "07:15",
            "Europe/London",
            "weekdays",
        )
        assert again.created_at == T0 and again.updated_at == later
        assert again.created_by == 99  # the original subscriber is kept

        assert await store.unsubscribe(11)
        assert not await store.unsubscribe(11)
        assert await store.get_subscription_by_channel(11) is None
    finally:
        await store.close()


async def test_claim_is_unique_per_subscription_and_date(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    store = await open_store(path)
    sub = await store.upsert_subscription(1, 10, "08:00", "Asia/Tokyo", "daily", None, at=T0)
    day = date(2025, 3, 2)
    due = datetime(2025, 3, 1, 23, 0, tzinfo=UTC)
    results = await asyncio.gather(
        *(store.claim_delivery(sub.id, day, due, f"n{i}", "hash", at=T0) for i in range(20))
    )
    claimed = [d for d in results if d is not None]
    assert len(claimed) == 1
    first = claimed[0]
    assert first.status == "pending"
    assert first.delivery_key == delivery_key(sub.id, day) == f"bb:{sub.id}:2025-03-02"
    assert first.due_at == due and first.local_date == day
    assert [d.id for d in await store.pending_deliveries()] == [first.id]
    await store.close()

    store = await open_store(path)
    try:
        assert await store.claim_delivery(sub.id, day, due, "again", at=T0) is None
        assert [d.nonce for d in await store.pending_deliveries()] == [first.nonce]
        await store.complete_delivery(first.id, 555, content_hash="h2", at=T0 + timedelta(1))
        done = await store.get_delivery(sub.id, day)
        assert done is not None and done.status == "sent" and done.message_id == 555
        assert done.content_hash == "h2" and done.completed_at == T0 + timedelta(1)
        assert await store.pending_deliveries() == []
        # the next day is a new claim
        nxt = await store.claim_delivery(sub.id, date(2025, 3, 3), due + timedelta(1), "n", at=T0)
        assert nxt is not None
    finally:
        await store.close()


async def test_skip_fail_recent_last_and_counts(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "bot.sqlite3")
    try:
        a = await store.upsert_subscription(1, 10, "08:00", "UTC", "daily", None, at=T0)
        b = await store.upsert_subscription(2, 20, "08:00", "UTC", "daily", None, at=T0)
        ids = []
        for offset in range(3):
            day = date(2025, 3, 2) + timedelta(offset)
            due = datetime.combine(day, datetime.min.time(), UTC)
            da = await store.claim_delivery(a.id, day, due, "x", at=due)
            db = await store.claim_delivery(b.id, day, due, "y", at=due)
            assert da and db
            ids.append((da.id, db.id))
        await store.complete_delivery(ids[0][0], 1, at=T0 + timedelta(days=2))
        await store.mark_skipped(ids[1][0], "outside catch-up window", at=T0 + timedelta(days=3))
        await store.mark_failed(ids[2][1], "boom", at=T0 + timedelta(days=4))

        last_a = await store.last_delivery(a.id)
        assert last_a is not None and last_a.local_date == date(2025, 3, 4)
        lasts = await store.last_deliveries()
        assert {k: v.local_date for k, v in lasts.items()} == {
            a.id: date(2025, 3, 4),
            b.id: date(2025, 3, 4),
        }
        recent = await store.recent_deliveries(limit=2)
        assert len(recent) == 2 and recent[0].id > recent[1].id
        assert {d.subscription_id for d in await store.recent_deliveries(guild_id=2)} == {b.id}
        counts = await store.delivery_counts(T0)
        assert counts == {"pending": 3, "sent": 1, "skipped": 1, "failed": 1}
        skipped = [d for d in await store.recent_deliveries(10) if d.status == "skipped"]
        assert skipped[0].detail == "outside catch-up window"

        # unsubscribing removes the history with it (foreign keys are on)
        assert await store.unsubscribe(10)
        assert await store.last_delivery(a.id) is None
    finally:
        await store.close()


async def test_key_value_state(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    store = await open_store(path)
    assert await store.get_state("k") is None
    await store.set_state("k", "1")
    await store.set_state("k", "2")
    await store.set_state("gone", "x")
    await store.delete_state("gone")
    await store.close()
    store = await open_store(path)
    try:
        assert await store.get_state("k") == "2"
        assert await store.get_state("gone") is None
    finally:
        await store.close()


async def test_bad_post_time_is_rejected_by_the_schema(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "bot.sqlite3")
    try:
        with pytest.raises(sqlite3.IntegrityError):
            await store.upsert_subscription(1, 10, "8am", "UTC", "daily", None)
    finally:
        await store.close()
