"""What only PostgreSQL has: its schema table, claims shared by several store instances
(processes), row locks skipped rather than waited for, and a server that goes away or hangs.
Every test runs on a real server (tests/support/postgres.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest

from bot.storage import StoreError, delivery_key, open_store
from bot.storage.postgres import PostgresStore, redact
from bot.storage.postgres_migrations import LATEST
from tests.support.postgres import PostgresServer, free_port

pytestmark = pytest.mark.postgresql

T0 = datetime(2025, 3, 1, 0, 0, tzinfo=UTC)
DAY = date(2025, 3, 2)
DUE = datetime(2025, 3, 2, 8, 0, tzinfo=UTC)
HANG_GUARD = 30  # seconds; a hang fails the test here instead of stalling the run


@contextlib.asynccontextmanager
async def raw(url: str) -> AsyncIterator[asyncpg.Connection]:
    con = await asyncpg.connect(url, timeout=10)
    try:
        yield con
    finally:
        await con.close(timeout=10)


async def test_open_migrates_once_into_a_versioned_schema(postgres_url: str) -> None:
    for _ in range(3):
        await (await PostgresStore.open(postgres_url)).close()
    async with raw(postgres_url) as con:
        versions = [r[0] for r in await con.fetch("SELECT version FROM schema_version")]
        tables = {
            r[0]
            for r in await con.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        }
    assert versions == list(range(1, LATEST + 1))
    assert tables == {
        "subscriptions",
        "deliveries",
        "kv",
        "schema_version",
        "cluster_nodes",
        "cluster_identify",
    }


async def test_processes_opening_an_empty_database_at_once_migrate_it_once(
    postgres_url: str,
) -> None:
    stores = await asyncio.gather(*(PostgresStore.open(postgres_url) for _ in range(6)))
    try:
        subs = [
            await s.upsert_subscription(1, 10 + i, "08:00", "UTC", "daily", None)
            for i, s in enumerate(stores)
        ]
        assert len({s.id for s in subs}) == 6
    finally:
        await asyncio.gather(*(s.close() for s in stores))
    async with raw(postgres_url) as con:
        assert await con.fetchval("SELECT COUNT(*) FROM schema_version") == LATEST


async def test_newer_schema_is_refused_with_a_clear_error(postgres_url: str) -> None:
    await (await PostgresStore.open(postgres_url)).close()
    async with raw(postgres_url) as con:
        await con.execute("INSERT INTO schema_version (version) VALUES ($1)", LATEST + 1)
    with pytest.raises(StoreError, match="newer than this bot"):
        await PostgresStore.open(postgres_url)


async def test_two_processes_claim_a_delivery_exactly_once(postgres_url: str) -> None:
    a, b = await PostgresStore.open(postgres_url), await PostgresStore.open(postgres_url)
    try:
        assert a.owner != b.owner
        sub = await a.upsert_subscription(1, 10, "08:00", "UTC", "daily", None, at=T0)
        results = await asyncio.gather(
            *(s.claim_delivery(sub.id, DAY, DUE, f"{i}", at=T0) for i in range(10) for s in (a, b))
        )
        won = [d for d in results if d is not None]
        assert len(won) == 1
        async with raw(postgres_url) as con:
            owner = await con.fetchval("SELECT claimed_by FROM deliveries WHERE id = $1", won[0].id)
        assert owner in {a.owner, b.owner}
        # the loser sees the same single pending row
        assert [d.id for d in await b.pending_deliveries()] == [won[0].id]
    finally:
        await a.close()
        await b.close()


async def test_a_due_row_inserted_ahead_is_claimed_once_with_its_own_nonce(
    postgres_url: str,
) -> None:
    # In a cluster a scheduler may insert due rows unclaimed; a worker's claim takes them.
    store = await PostgresStore.open(postgres_url)
    try:
        sub = await store.upsert_subscription(1, 10, "08:00", "UTC", "daily", None, at=T0)
        async with raw(postgres_url) as con:
            await con.execute(
                "INSERT INTO deliveries (subscription_id, local_date, delivery_key, nonce,"
                " due_at, created_at) VALUES ($1, $2, $3, 'ahead', $4, $4)",
                sub.id,
                DAY,
                delivery_key(sub.id, DAY),
                DUE,
            )
        first = await store.claim_delivery(sub.id, DAY, DUE, "mine", at=T0)
        assert first is not None and first.nonce == "ahead"
        assert await store.claim_delivery(sub.id, DAY, DUE, "again", at=T0) is None
    finally:
        await store.close()


async def test_a_row_locked_by_another_transaction_is_skipped_not_waited_for(
    postgres_url: str,
) -> None:
    store = await PostgresStore.open(postgres_url)
    try:
        sub = await store.upsert_subscription(1, 10, "08:00", "UTC", "daily", None, at=T0)
        old = await store.claim_delivery(sub.id, DAY, DUE, "old", at=T0)
        assert old is not None
        nxt = DAY + timedelta(days=1)
        async with raw(postgres_url) as con:
            # another process is in the middle of taking the first day's row, and has
            # inserted the next day's row without committing yet
            other = con.transaction()
            await other.start()
            await con.execute("SELECT id FROM deliveries WHERE id = $1 FOR UPDATE", old.id)
            await con.execute(
                "INSERT INTO deliveries (subscription_id, local_date, delivery_key, nonce,"
                " due_at, created_at) VALUES ($1, $2, $3, 'other', $4, $4)",
                sub.id,
                nxt,
                delivery_key(sub.id, nxt),
                DUE,
            )
            async with asyncio.timeout(HANG_GUARD):
                assert await store.pending_deliveries() == []
            await other.rollback()
        # the other transaction is gone (rolled back): the row is there to take over
        taken = await store.pending_deliveries()
        assert [d.id for d in taken] == [old.id]
        assert await store.claim_delivery(sub.id, nxt, DUE, "mine", at=T0) is not None
    finally:
        await store.close()


async def test_recovery_takes_over_a_dead_processs_pending_rows(postgres_url: str) -> None:
    dead = await PostgresStore.open(postgres_url)
    sub = await dead.upsert_subscription(1, 10, "08:00", "UTC", "daily", None, at=T0)
    claimed = await dead.claim_delivery(sub.id, DAY, DUE, "n", at=T0)
    assert claimed is not None
    await dead.close()
    store = await PostgresStore.open(postgres_url)
    try:
        assert [d.id for d in await store.pending_deliveries()] == [claimed.id]
        async with raw(postgres_url) as con:
            row = await con.fetchrow("SELECT claimed_by, status FROM deliveries")
        assert row is not None and tuple(row) == (store.owner, "pending")
    finally:
        await store.close()


# -- faults ---------------------------------------------------------------------------------


async def test_a_store_whose_server_goes_away_raises_store_error_and_recovers(
    private_postgres: PostgresServer,
) -> None:
    store = await PostgresStore.open(private_postgres.url(), connect_timeout=2, command_timeout=2)
    try:
        sub = await store.upsert_subscription(1, 10, "08:00", "UTC", "daily", None, at=T0)
        private_postgres.stop("immediate")
        async with asyncio.timeout(HANG_GUARD):
            for call in (
                store.list_enabled(),
                store.get_subscription(sub.id),
                store.claim_delivery(sub.id, DAY, DUE, "n", at=T0),
                store.pending_deliveries(),
                store.set_state("k", "v"),
            ):
                with pytest.raises(StoreError, match="unavailable"):
                    await call
        private_postgres.launch()  # back on the same port: the same store works again
        async with asyncio.timeout(HANG_GUARD):
            assert [s.id for s in await store.list_enabled()] == [sub.id]
    finally:
        await store.close()


@contextlib.contextmanager
def frozen(pids: list[int]) -> Iterator[None]:
    """SIGSTOP the given server backends (children of a server this test started)."""
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


async def test_a_hung_server_is_a_store_error_after_the_timeout(
    private_postgres: PostgresServer,
) -> None:
    url = private_postgres.url()
    store = await PostgresStore.open(url, connect_timeout=1, command_timeout=1, max_size=1)
    try:
        await store.set_state("k", "v")
        async with raw(url) as con:
            backends = [
                r[0]
                for r in await con.fetch(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = 'briefing-bot'"
                )
            ]
        assert len(backends) == 1
        with frozen(backends):
            async with asyncio.timeout(HANG_GUARD):
                with pytest.raises(StoreError, match="unavailable"):
                    await store.get_state("k")
        async with asyncio.timeout(HANG_GUARD):
            assert await store.get_state("k") == "v"
    finally:
        await store.close()


async def test_a_server_that_never_answers_fails_the_open_in_bounded_time() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # accept, read, never answer
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with asyncio.timeout(HANG_GUARD):
            with pytest.raises(StoreError, match="unavailable"):
                await PostgresStore.open(
                    f"postgresql://bot@127.0.0.1:{port}/briefings", connect_timeout=0.5
                )
    finally:
        server.close()
        await server.wait_closed()


async def test_unreachable_or_unknown_databases_are_store_errors_without_the_password(
    postgres_url: str,
) -> None:
    refused = f"postgresql://bot:s3cret@127.0.0.1:{free_port()}/briefings"
    with pytest.raises(StoreError, match="unavailable") as info:
        await open_store(refused)
    assert "s3cret" not in str(info.value) and "***" in str(info.value)
    missing = postgres_url.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(StoreError, match="no_such_database"):
        await open_store(missing)


def test_redact_hides_only_the_password() -> None:
    assert redact("postgresql://bot:pw@db.example:5433/b?sslmode=require") == (
        "postgresql://bot:***@db.example:5433/b?sslmode=require"
    )
    assert redact("postgresql://bot@db/b") == "postgresql://bot@db/b"
