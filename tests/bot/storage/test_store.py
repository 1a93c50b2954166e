"""The Store protocol's semantics, checked on every backend against a real database: SQLite
files and a PostgreSQL server (tests/support/stores.py parametrizes `store_target`)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest

from bot.storage import Store, delivery_key, open_store

T0 = datetime(2025, 3, 1, 0, 0, tzinfo=UTC)


async def test_reopening_keeps_the_data_and_migrates_nothing(store_target: str) -> None:
    for round_ in range(3):
        store = await open_store(store_target)
        try:
            if round_ == 0:
                await store.set_state("opened", "once")
            assert await store.get_state("opened") == "once"
        finally:
            await store.close()


async def test_subscriptions_survive_reopen_and_upsert_reenables(store_target: str) -> None:
    store: Store = await open_store(store_target)
    sub = await store.upsert_subscription(1, 10, "08:00", "Asia/Tokyo", "daily", 99, at=T0)
    await store.upsert_subscription(1, 11, "09:00", "Europe/London", "weekdays", 99, at=T0)
    await store.upsert_subscription(2, 20, "10:00", "UTC", "daily", None, at=T0)
    assert await store.disable_subscription(sub.id, "missing_access", at=T0 + timedelta(hours=1))
    assert not await store.disable_subscription(10_000, "missing_access")
    await store.close()

    store = await open_store(store_target)
    try:
        disabled = await store.get_subscription(sub.id)
        assert disabled is not None and not disabled.enabled
        assert disabled.disabled_reason == "missing_access"
        assert disabled.disabled_at == T0 + timedelta(hours=1)
        assert disabled.updated_at == T0 + timedelta(hours=1)
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
        assert await store.get_subscription(sub.id) == again

        assert await store.unsubscribe(11)
        assert not await store.unsubscribe(11)
        assert await store.get_subscription_by_channel(11) is None
    finally:
        await store.close()


async def test_snowflakes_round_trip(store: Store) -> None:
    # Discord ids use all 63 bits; both backends keep them exact.
    big = 1_311_026_123_456_789_012
    sub = await store.upsert_subscription(big + 1, big + 2, "23:59", "UTC", "daily", big + 3)
    assert (sub.guild_id, sub.channel_id, sub.created_by) == (big + 1, big + 2, big + 3)
    claimed = await store.claim_delivery(sub.id, date(2025, 3, 2), T0, "n", at=T0)
    assert claimed is not None
    await store.complete_delivery(claimed.id, 2**63 - 1, at=T0)
    done = await store.get_delivery(sub.id, date(2025, 3, 2))
    assert done is not None and done.message_id == 2**63 - 1


async def test_claim_is_unique_per_subscription_and_date(store_target: str) -> None:
    store = await open_store(store_target)
    sub = await store.upsert_subscription(1, 10, "08:00", "Asia/Tokyo", "daily", None, at=T0)
    day = date(2025, 3, 2)
    due = datetime(2025, 3, 1, 23, 0, tzinfo=UTC)
    results = await asyncio.gather(
        *(store.claim_delivery(sub.id, day, due, f"n{i}", "hash", at=T0) for i in range(20))
    )
    claimed = [d for d in results if d is not None]
    assert len(claimed) == 1
    first = claimed[0]
    assert first.status == "pending" and first.nonce in {f"n{i}" for i in range(20)}
    assert first.delivery_key == delivery_key(sub.id, day) == f"bb:{sub.id}:2025-03-02"
    assert first.due_at == due and first.local_date == day and first.created_at == T0
    assert first.content_hash == "hash" and first.message_id is None
    assert [d.id for d in await store.pending_deliveries()] == [first.id]
    await store.close()

    store = await open_store(store_target)
    try:
        assert await store.claim_delivery(sub.id, day, due, "again", at=T0) is None
        assert [d.nonce for d in await store.pending_deliveries()] == [first.nonce]
        await store.complete_delivery(first.id, 555, content_hash="h2", at=T0 + timedelta(1))
        done = await store.get_delivery(sub.id, day)
        assert done is not None and done.status == "sent" and done.message_id == 555
        assert done.content_hash == "h2" and done.completed_at == T0 + timedelta(1)
        assert await store.pending_deliveries() == []
        # a finished delivery is not claimed again; the next day is a new claim
        assert await store.claim_delivery(sub.id, day, due, "later", at=T0) is None
        nxt = await store.claim_delivery(sub.id, date(2025, 3, 3), due + timedelta(1), "n", at=T0)
        assert nxt is not None
    finally:
        await store.close()


async def test_claim_for_a_removed_subscription_is_none(store: Store) -> None:
    sub = await store.upsert_subscription(1, 10, "08:00", "UTC", "daily", None, at=T0)
    assert await store.unsubscribe(10)
    assert await store.claim_delivery(sub.id, date(2025, 3, 2), T0, "n", at=T0) is None
    assert await store.recent_deliveries() == []


async def test_skip_fail_recent_last_and_counts(store: Store) -> None:
    a = await store.upsert_subscription(1, 10, "08:00", "UTC", "daily", None, at=T0)
    b = await store.upsert_subscription(2, 20, "08:00", "UTC", "daily", None, at=T0)
    assert await store.last_delivery(a.id) is None and await store.last_deliveries() == {}
    ids = []
    for offset in range(3):
        day = date(2025, 3, 2) + timedelta(offset)
        due = datetime.combine(day, datetime.min.time(), UTC)
        da = await store.claim_delivery(a.id, day, due, "x", at=due)
        db = await store.claim_delivery(b.id, day, due, "y", at=due)
        assert da and db
        ids.append((da.id, db.id))
    await store.complete_delivery(ids[0][0], 1, detail="posted", at=T0 + timedelta(days=2))
    await store.mark_skipped(ids[1][0], "outside catch-up window", at=T0 + timedelta(days=3))
    await store.mark_failed(ids[2][1], "boom", at=T0 + timedelta(days=4))

    last_a = await store.last_delivery(a.id)
    assert last_a is not None and last_a.local_date == date(2025, 3, 4)
    lasts = await store.last_deliveries()
    assert {k: v.local_date for k, v in lasts.items()} == {
        a.id: date(2025, 3, 4),
        b.id: date(2025, 3, 4),
    }
    assert lasts[b.id].status == "failed" and lasts[b.id].detail == "boom"
    recent = await store.recent_deliveries(limit=2)
    assert len(recent) == 2 and recent[0].id > recent[1].id
    assert [d.id for d in await store.recent_deliveries(guild_id=2)] == [i[1] for i in ids][::-1]
    assert await store.recent_deliveries(guild_id=3) == []
    counts = await store.delivery_counts(T0)
    assert counts == {"pending": 3, "sent": 1, "skipped": 1, "failed": 1}
    assert await store.delivery_counts(T0 + timedelta(days=3, hours=1)) == {
        "pending": 3,
        "sent": 0,
        "skipped": 0,
        "failed": 1,
    }
    sent = await store.get_delivery(a.id, date(2025, 3, 2))
    assert sent is not None and sent.detail == "posted" and sent.message_id == 1
    skipped = [d for d in await store.recent_deliveries(10) if d.status == "skipped"]
    assert skipped[0].detail == "outside catch-up window" and skipped[0].message_id is None
    assert [d.id for d in await store.pending_deliveries()] == sorted(
        [ids[1][1], ids[2][0], ids[0][1]]
    )

    # unsubscribing removes the history with it
    assert await store.unsubscribe(10)
    assert await store.last_delivery(a.id) is None
    assert set(await store.last_deliveries()) == {b.id}


async def test_key_value_state(store_target: str) -> None:
    store = await open_store(store_target)
    assert await store.get_state("k") is None
    await store.set_state("k", "1")
    await store.set_state("k", "2")
    await store.set_state("gone", "x")
    await store.delete_state("gone")
    await store.delete_state("never there")
    await store.close()
    store = await open_store(store_target)
    try:
        assert await store.get_state("k") == "2"
        assert await store.get_state("gone") is None
    finally:
        await store.close()


@pytest.mark.parametrize(("post_time", "days"), [("8am", "daily"), ("08:00", "sundays")])
async def test_bad_values_are_rejected_by_the_schema(
    store: Store, post_time: str, days: str
) -> None:
    with pytest.raises((sqlite3.IntegrityError, asyncpg.CheckViolationError)):
        await store.upsert_subscription(1, 10, post_time, "UTC", days, None)
    assert await store.list_subscriptions(1) == []


async def test_naive_timestamps_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.upsert_subscription(
            1, 10, "08:00", "UTC", "daily", None, at=datetime(2025, 1, 1)
        )
