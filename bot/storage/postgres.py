"""The PostgreSQL implementation of `Store`, through an asyncpg pool.

Same semantics as SqliteStore, method by method. Built so that several processes can share
one database: a delivery is claimed by inserting its row idempotently (ON CONFLICT DO NOTHING)
and taking it with SELECT ... FOR UPDATE SKIP LOCKED in the same transaction, so exactly one
claimer wins without anyone waiting on another's lock; `claimed_by` names the store instance
holding it. Every wait is bounded (connect, pool acquire, each statement); a server that is
gone or hangs surfaces as StoreError.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.storage.base import (
    Delivery,
    DeliveryOutcomes,
    DeliveryStatus,
    StoreError,
    Subscription,
    delivery_key,
)
from bot.storage.locks import ALIVE_OWNERS
from bot.storage.postgres_migrations import migrate

CONNECT_TIMEOUT = 5.0  # seconds to open a connection (and to wait for a free one)
COMMAND_TIMEOUT = 5.0  # seconds per statement
CLOSE_TIMEOUT = 5.0  # then the pool's connections are terminated
POOL_MAX = 5

# Errors meaning "the database cannot be used now", as opposed to a bug or bad input
# (syntax, constraint violations), which propagate as they are, as with SQLite.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, unreachable
    TimeoutError,  # connect, acquire or statement timeout
    asyncpg.InterfaceError,  # connection closed, pool closing
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08
    asyncpg.OperatorInterventionError,  # 57: shutdown, cannot connect now, cancelled
    asyncpg.InsufficientResourcesError,  # 53: too many connections, disk full
    asyncpg.PostgresSystemError,  # 58
    asyncpg.InvalidAuthorizationSpecificationError,  # 28: role or password refused
    asyncpg.InvalidCatalogNameError,  # 3D: no such database
    asyncpg.ReadOnlySQLTransactionError,  # a standby after failover
)

_SUB_COLUMNS = (
    "id, guild_id, channel_id, post_time, timezone, days, enabled, disabled_reason,"
    " disabled_at, created_by, created_at, updated_at"
)
_DEL_COLUMNS = (
    "id, subscription_id, local_date, delivery_key, nonce, status, message_id,"
    " due_at, created_at, completed_at, detail, content_hash"
)
_DEL_COLUMNS_D = ", ".join(f"d.{c.strip()}" for c in _DEL_COLUMNS.split(","))


def is_postgres_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def redact(url: str) -> str:
    """The URL without its password, for logs and messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _ts(value: datetime | None) -> datetime:
    value = value or datetime.now(UTC)
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(UTC)


def _sub(row: asyncpg.Record) -> Subscription:
    return Subscription(**dict(row))


def _delivery(row: asyncpg.Record) -> Delivery:
    values = dict(row)
    values["status"] = cast(DeliveryStatus, values["status"])
    return Delivery(**values)


def _unavailable(url: str, exc: BaseException) -> StoreError:
    detail = str(exc) or "no answer in time"
    return StoreError(f"database {redact(url)} unavailable: {type(exc).__name__}: {detail}")


def owner_id() -> str:
    """Who holds a claim: host, pid and a random part (pids are reused across restarts)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class PostgresStore(DeliveryOutcomes):
    def __init__(
        self, pool: asyncpg.Pool, url: str, *, timeout: float, owner: str | None = None
    ) -> None:
        self._pool = pool
        self.url = url
        # In a cluster, the process's node owner: its node lock tells the others it is alive.
        self.owner = owner or owner_id()
        self._timeout = timeout

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        connect_timeout: float = CONNECT_TIMEOUT,
        command_timeout: float = COMMAND_TIMEOUT,
        max_size: int = POOL_MAX,
        owner: str | None = None,
    ) -> PostgresStore:
        """Connect to `url` (postgresql://user:password@host:port/database) and migrate;
        `owner` names this store's claims (a cluster node's owner), else a new random one."""
        try:
            pool = await asyncpg.create_pool(
                url,
                min_size=0,  # no background reconnect loop logging while the server is away
                max_size=max_size,
                timeout=connect_timeout,
                command_timeout=command_timeout,
                server_settings={"application_name": "briefing-bot"},
            )
        except (*UNAVAILABLE, asyncpg.PostgresError, ValueError) as exc:
            raise _unavailable(url, exc) from exc
        store = cls(pool, url, timeout=connect_timeout, owner=owner)
        try:
            async with store._connection() as con:
                await migrate(con)
        except BaseException:
            await store.close()
            raise
        return store

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self._pool.close(), CLOSE_TIMEOUT)
        except TimeoutError:
            self._pool.terminate()

    async def __aenter__(self) -> PostgresStore:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection; server and network failures become StoreError."""
        try:
            async with self._pool.acquire(timeout=self._timeout) as con:
                yield con
        except UNAVAILABLE as exc:
            raise _unavailable(self.url, exc) from exc

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[asyncpg.Connection]:
        async with self._connection() as con, con.transaction():
            yield con

    async def _one(self, sql: str, *args: Any) -> asyncpg.Record | None:
        async with self._connection() as con:
            return await con.fetchrow(sql, *args)

    async def _all(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        async with self._connection() as con:
            return list(await con.fetch(sql, *args))

    async def _count(self, sql: str, *args: Any) -> int:
        """Run a write; how many rows it touched."""
        async with self._connection() as con:
            status = await con.execute(sql, *args)
        return int(status.rsplit(" ", 1)[-1])

    # subscriptions -------------------------------------------------------------------

    async def upsert_subscription(
        self,
        guild_id: int,
        channel_id: int,
        post_time: str,
        timezone: str,
        days: str,
        created_by: int | None,
        at: datetime | None = None,
    ) -> Subscription:
        now = _ts(at)
        row = await self._one(
            "INSERT INTO subscriptions (guild_id, channel_id, post_time, timezone, days,"
            " enabled, created_by, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7, $7)"
            " ON CONFLICT (channel_id) DO UPDATE SET guild_id = excluded.guild_id,"
            " post_time = excluded.post_time, timezone = excluded.timezone,"
            " days = excluded.days, enabled = TRUE, disabled_reason = NULL, disabled_at = NULL,"
            f" updated_at = excluded.updated_at RETURNING {_SUB_COLUMNS}",
            guild_id,
            channel_id,
            post_time,
            timezone,
            days,
            created_by,
            now,
        )
        assert row is not None
        return _sub(row)

    async def unsubscribe(self, channel_id: int) -> bool:
        return await self._count("DELETE FROM subscriptions WHERE channel_id = $1", channel_id) > 0

    async def get_subscription(self, subscription_id: int) -> Subscription | None:
        row = await self._one(
            f"SELECT {_SUB_COLUMNS} FROM subscriptions WHERE id = $1", subscription_id
        )
        return _sub(row) if row else None

    async def get_subscription_by_channel(self, channel_id: int) -> Subscription | None:
        row = await self._one(
            f"SELECT {_SUB_COLUMNS} FROM subscriptions WHERE channel_id = $1", channel_id
        )
        return _sub(row) if row else None

    async def list_subscriptions(self, guild_id: int) -> list[Subscription]:
        rows = await self._all(
            f"SELECT {_SUB_COLUMNS} FROM subscriptions WHERE guild_id = $1 ORDER BY id", guild_id
        )
        return [_sub(r) for r in rows]

    async def list_enabled(self) -> list[Subscription]:
        rows = await self._all(
            f"SELECT {_SUB_COLUMNS} FROM subscriptions WHERE enabled ORDER BY id"
        )
        return [_sub(r) for r in rows]

    async def disable_subscription(
        self, subscription_id: int, reason: str, at: datetime | None = None
    ) -> bool:
        touched = await self._count(
            "UPDATE subscriptions SET enabled = FALSE, disabled_reason = $1, disabled_at = $2,"
            " updated_at = $2 WHERE id = $3",
            reason,
            _ts(at),
            subscription_id,
        )
        return touched > 0

    # deliveries ----------------------------------------------------------------------

    async def claim_delivery(
        self,
        subscription_id: int,
        local_date: date,
        due_at: datetime,
        nonce: str,
        content_hash: str = "",
        at: datetime | None = None,
    ) -> Delivery | None:
        """Insert the due delivery if it is not there yet and take it, in one transaction;
        None if it was already taken (by anyone) or the subscription is gone."""
        now = _ts(at)
        try:
            async with self._transaction() as con:
                await con.execute(
                    "INSERT INTO deliveries (subscription_id, local_date, delivery_key, nonce,"
                    " status, due_at, created_at, content_hash)"
                    " VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7) ON CONFLICT DO NOTHING",
                    subscription_id,
                    local_date,
                    delivery_key(subscription_id, local_date),
                    nonce,
                    _ts(due_at),
                    now,
                    content_hash,
                )
                row = await con.fetchrow(
                    "UPDATE deliveries SET claimed_by = $3, claimed_at = $4 WHERE id = ("
                    " SELECT id FROM deliveries WHERE subscription_id = $1 AND local_date = $2"
                    " AND status = 'pending' AND claimed_by IS NULL FOR UPDATE SKIP LOCKED)"
                    f" RETURNING {_DEL_COLUMNS}",
                    subscription_id,
                    local_date,
                    self.owner,
                    now,
                )
        except asyncpg.ForeignKeyViolationError:  # unsubscribed meanwhile
            return None
        return _delivery(row) if row else None

    async def _finish(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        at: datetime | None,
        detail: str | None,
        message_id: int | None = None,
        content_hash: str | None = None,
    ) -> None:
        await self._count(
            "UPDATE deliveries SET status = $1, completed_at = $2, detail = $3,"
            " message_id = COALESCE($4, message_id),"
            " content_hash = COALESCE($5, content_hash) WHERE id = $6",
            status,
            _ts(at),
            detail,
            message_id,
            content_hash,
            delivery_id,
        )

    async def get_delivery(self, subscription_id: int, local_date: date) -> Delivery | None:
        row = await self._one(
            f"SELECT {_DEL_COLUMNS} FROM deliveries WHERE subscription_id = $1 AND local_date = $2",
            subscription_id,
            local_date,
        )
        return _delivery(row) if row else None

    async def pending_deliveries(self) -> list[Delivery]:
        """Pending deliveries, taken over by this store (recovery after a crash): unclaimed
        ones, this store's own, and those whose claimer is no longer alive (no live cluster
        node holds its lock); a live process's claims are left alone. Rows another
        transaction is claiming at this moment are skipped, not waited for."""
        rows = await self._all(
            f"WITH alive AS ({ALIVE_OWNERS})"
            " UPDATE deliveries d SET claimed_by = $1, claimed_at = $2 FROM ("
            " SELECT id FROM deliveries WHERE status = 'pending' AND (claimed_by IS NULL"
            " OR claimed_by = $1 OR claimed_by NOT IN (SELECT owner FROM alive))"
            " ORDER BY id FOR UPDATE SKIP LOCKED) p"
            f" WHERE d.id = p.id RETURNING {_DEL_COLUMNS_D}",
            self.owner,
            _ts(None),
        )
        return sorted(map(_delivery, rows), key=lambda d: d.id)

    async def recent_deliveries(
        self, limit: int = 20, guild_id: int | None = None
    ) -> list[Delivery]:
        if guild_id is None:
            rows = await self._all(
                f"SELECT {_DEL_COLUMNS} FROM deliveries ORDER BY id DESC LIMIT $1", limit
            )
        else:
            rows = await self._all(
                f"SELECT {_DEL_COLUMNS_D} FROM deliveries d"
                " JOIN subscriptions s ON s.id = d.subscription_id"
                " WHERE s.guild_id = $1 ORDER BY d.id DESC LIMIT $2",
                guild_id,
                limit,
            )
        return [_delivery(r) for r in rows]

    async def last_delivery(self, subscription_id: int) -> Delivery | None:
        row = await self._one(
            f"SELECT {_DEL_COLUMNS} FROM deliveries WHERE subscription_id = $1"
            " ORDER BY local_date DESC, id DESC LIMIT 1",
            subscription_id,
        )
        return _delivery(row) if row else None

    async def last_deliveries(self) -> dict[int, Delivery]:
        rows = await self._all(
            f"SELECT DISTINCT ON (subscription_id) {_DEL_COLUMNS} FROM deliveries"
            " ORDER BY subscription_id, local_date DESC, id DESC"
        )
        return {d.subscription_id: d for d in map(_delivery, rows)}

    async def delivery_counts(self, since: datetime) -> dict[str, int]:
        rows = await self._all(
            "SELECT status, COUNT(*) FROM deliveries"
            " WHERE status = 'pending' OR completed_at >= $1 GROUP BY status",
            _ts(since),
        )
        counts = {"pending": 0, "sent": 0, "skipped": 0, "failed": 0}
        counts.update({row[0]: int(row[1]) for row in rows})
        return counts

    # small state ---------------------------------------------------------------------

    async def get_state(self, key: str) -> str | None:
        row = await self._one("SELECT value FROM kv WHERE key = $1", key)
        return str(row[0]) if row else None

    async def set_state(self, key: str, value: str) -> None:
        await self._count(
            "INSERT INTO kv (key, value, updated_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
            " updated_at = excluded.updated_at",
            key,
            value,
            _ts(None),
        )

    async def delete_state(self, key: str) -> None:
        await self._count("DELETE FROM kv WHERE key = $1", key)
