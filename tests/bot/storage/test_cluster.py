"""Cluster nodes on one PostgreSQL database: shard locks (ownership and standby), node locks
(liveness of delivery claims), the heartbeat table, messages and IDENTIFY slots.

A process dying is played by ending its database session from the server side
(pg_terminate_backend), which is what the server sees when a process is killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import pytest

from bot.storage import StoreError
from bot.storage.cluster import ClusterNode
from bot.storage.postgres import PostgresStore
from tests.support.cluster import kill_session
from tests.support.harness import wait_for

pytestmark = pytest.mark.postgresql

T0 = datetime(2025, 3, 1, 0, 0, tzinfo=UTC)
DAY = date(2025, 3, 2)
DUE = datetime(2025, 3, 2, 8, 0, tzinfo=UTC)
GUARD = 30.0


@contextlib.asynccontextmanager
async def nodes(url: str) -> AsyncIterator[Any]:
    joined: list[ClusterNode] = []

    async def join(**kw: Any) -> ClusterNode:
        kw.setdefault("role", "active")
        node = await ClusterNode.join(url, **kw)
        joined.append(node)
        return node

    try:
        yield join
    finally:
        for node in joined:
            await node.close()


async def test_a_node_registers_beats_and_leaves(postgres_url: str) -> None:
    async with nodes(postgres_url) as join:
        node = await join(role="active", shard_count=4, shards=[0, 1])
        assert await node.hold_shards() is None and node.held == (0, 1)
        await node.beat(content_hash="abc", sent=7)
        [info] = await node.nodes()
        assert (info.owner, info.alive, info.shards, info.owned) == (
            node.owner,
            True,
            (0, 1),
            (0, 1),
        )
        assert (info.content_hash, info.sent, info.shard_count) == ("abc", 7, 4)
        other = await join(role="single")
        await node.close()
        assert [n.owner for n in await other.nodes()] == [other.owner]


async def test_an_owned_shard_is_refused_naming_its_owner_then_taken_by_a_standby(
    postgres_url: str,
) -> None:
    async with nodes(postgres_url) as join:
        owner = await join(shard_count=4, shards=[0, 1])
        assert await owner.hold_shards() is None
        second = await join(shard_count=4, shards=[1, 2])
        conflict = await second.hold_shards()
        assert conflict is not None and conflict.shard == 1
        assert conflict.holder is not None and conflict.holder.owner == owner.owner
        assert conflict.describe() == f"shard 1 is already owned by process {owner_name(owner)}"
        assert second.held == ()  # all or none: shard 2 was let go again
        third = await join(shard_count=4, shards=[2, 3])
        assert await third.hold_shards() is None

        standby = await join(role="standby", shard_count=4, shards=[0, 1])
        waiting = asyncio.create_task(standby.wait_for_shards(poll=0.1))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        await kill_session(postgres_url, owner)
        await asyncio.wait_for(waiting, GUARD)
        assert standby.held == (0, 1)


def owner_name(node: ClusterNode) -> str:
    """host:pid, as a node names its process (the nodes here all live in this process)."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def test_a_live_nodes_claims_are_left_alone_and_a_dead_ones_are_taken_over(
    postgres_url: str,
) -> None:
    async with nodes(postgres_url) as join:
        live, dead = await join(role="single"), await join(role="single")
        stores = [await PostgresStore.open(postgres_url, owner=n.owner) for n in (live, dead)] + [
            await PostgresStore.open(postgres_url)
        ]
        live_store, dead_store, recovering = stores
        try:
            subs = [
                await live_store.upsert_subscription(1, 10 + i, "08:00", "UTC", "daily", None)
                for i in range(3)
            ]
            mine = await live_store.claim_delivery(subs[0].id, DAY, DUE, "a", at=T0)
            theirs = await dead_store.claim_delivery(subs[1].id, DAY, DUE, "b", at=T0)
            anonymous = await recovering.claim_delivery(subs[2].id, DAY, DUE, "c", at=T0)
            assert mine and theirs and anonymous
            # A store that is no node counts as dead; the live nodes' claims stay theirs.
            assert [d.id for d in await live_store.pending_deliveries()] == [mine.id, anonymous.id]
            assert await dead_store.pending_deliveries() == [theirs]
            await kill_session(postgres_url, dead)
            taken = await live_store.pending_deliveries()
            assert [d.id for d in taken] == [mine.id, theirs.id, anonymous.id]
            assert taken[1].nonce == "b"  # taken over with its nonce, for Discord's dedupe
        finally:
            for store in stores:
                await store.close()


async def test_messages_reach_every_node_the_sender_included(postgres_url: str) -> None:
    async with nodes(postgres_url) as join:
        a, b = await join(role="single"), await join(role="single")
        seen: dict[str, list[dict[str, Any]]] = {"a": [], "b": []}
        a.add_listener(seen["a"].append)
        b.add_listener(seen["b"].append)
        await a.publish({"type": "reload", "request": "r1"})
        await wait_for(lambda: seen["a"] and seen["b"], timeout=GUARD)
        for messages in seen.values():
            assert messages == [{"type": "reload", "request": "r1", "from": a.owner}]


async def test_identify_slots_are_spaced_per_bucket_across_nodes(postgres_url: str) -> None:
    spacing = 30.0  # longer than this test can take between two reservations
    async with nodes(postgres_url) as join:
        a, b = await join(role="active"), await join(role="active")
        waits = [
            await a.reserve_identify(2, 0, spacing),
            await b.reserve_identify(2, 0, spacing),
            await a.reserve_identify(2, 0, spacing),
            await b.reserve_identify(2, 1, spacing),  # another bucket: no wait
        ]
        assert waits[0] == 0.0 and waits[3] == 0.0
        assert 0 < waits[1] < waits[2] <= 2 * spacing
        con = await asyncpg.connect(postgres_url)
        try:
            rows = await con.fetch("SELECT bucket, next_at FROM cluster_identify ORDER BY bucket")
        finally:
            await con.close()
        assert [r["bucket"] for r in rows] == [0, 1]
        # three slots in bucket 0: the next free one is three spacings after the first
        assert (rows[0]["next_at"] - rows[1]["next_at"]).total_seconds() == pytest.approx(
            2 * spacing, abs=spacing / 2
        )


async def test_a_lost_session_comes_back_with_its_shards_unless_taken(postgres_url: str) -> None:
    async with nodes(postgres_url) as join:
        node = await join(shard_count=2, shards=[0])
        assert await node.hold_shards() is None
        await kill_session(postgres_url, node)
        with pytest.raises(StoreError, match="unavailable"):
            await node.beat(content_hash=None, sent=0)
        assert await node.reconnect() is None and node.held == (0,)
        [info] = [n for n in await node.nodes() if n.owner == node.owner]
        assert info.alive

        await kill_session(postgres_url, node)
        thief = await join(shard_count=2, shards=[0])
        assert await thief.hold_shards() is None
        conflict = await node.reconnect()
        assert conflict is not None and conflict.shard == 0
