"""The SQLite implementation of `Store`, through aiosqlite.

One connection in autocommit mode: every operation is a single statement (or an explicit
transaction), so coroutines sharing the connection never commit each other's work.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import aiosqlite

from bot.storage.base import (
    DISK_FULL,
    READ_ONLY,
    REPLACED,
    UNAVAILABLE,
    Delivery,
    DeliveryOutcomes,
    DeliveryStatus,
    StoreError,
    Subscription,
    delivery_key,
)
from bot.storage.migrations import migrate

BUSY_TIMEOUT_MS = 5000

_SUB_COLUMNS = (
    "id, guild_id, channel_id, post_time, timezone, days, enabled, disabled_reason,"
    " disabled_at, created_by, created_at, updated_at"
)
_DEL_COLUMNS = (
    "d.id, d.subscription_id, d.local_date, d.delivery_key, d.nonce, d.status, d.message_id,"
    " d.due_at, d.created_at, d.completed_at, d.detail, d.content_hash"
)


def _ts(value: datetime | None) -> str:
    """UTC ISO text with fixed precision, so text order is time order."""
    value = value or datetime.now(UTC)
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _sub(row: Any) -> Subscription:
    return Subscription(
        id=row[0],
        guild_id=row[1],
        channel_id=row[2],
        post_time=row[3],
        timezone=row[4],
        days=row[5],
        enabled=bool(row[6]),
        disabled_reason=row[7],
        disabled_at=_dt(row[8]),
        created_by=row[9],
        created_at=cast(datetime, _dt(row[10])),
        updated_at=cast(datetime, _dt(row[11])),
    )


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=row[0],
        subscription_id=row[1],
        local_date=date.fromisoformat(row[2]),
        delivery_key=row[3],
        nonce=row[4],
        status=cast(DeliveryStatus, row[5]),
        message_id=row[6],
        due_at=cast(datetime, _dt(row[7])),
        created_at=cast(datetime, _dt(row[8])),
        completed_at=_dt(row[9]),
        detail=row[10],
        content_hash=row[11],
    )


_REASONS = {"SQLITE_READONLY": READ_ONLY, "SQLITE_FULL": DISK_FULL}


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at `path`, None when there is none."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino


class SqliteStore(DeliveryOutcomes):
    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        # The file this connection writes to: if the path stops naming it (deleted, or
        # replaced by a restore), writes would land in a file nobody will ever read again.
        self._identity = _identity(path)
        self.write_errors = 0

    @classmethod
    async def open(cls, path: str | Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> SqliteStore:
        """Open (creating folder and file if needed) and migrate the database at `path`;
        a write waits up to `busy_timeout_ms` for another connection's lock."""
        target = Path(path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create folder for database {target}: {exc}") from exc
        try:
            db = await aiosqlite.connect(
                str(target), isolation_level=None, timeout=busy_timeout_ms / 1000
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {target}: {exc}") from exc
        try:
            await db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            await db.execute("PRAGMA journal_mode = WAL")
            await db.execute("PRAGMA synchronous = NORMAL")
            await db.execute("PRAGMA foreign_keys = ON")
            await migrate(db)
        except sqlite3.DatabaseError as exc:
            await db.close()
            raise StoreError(f"cannot use database {target}: {exc}") from exc
        except BaseException:
            await db.close()
            raise
        return cls(db, target)

    async def close(self) -> None:
        await self._db.close()

    async def __aenter__(self) -> SqliteStore:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def pragma(self, name: str) -> Any:
        """Read one PRAGMA (for tests and /admin status)."""
        async with self._db.execute(f"PRAGMA {name}") as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """A database that cannot be used now (locked past the busy timeout, I/O error,
        read-only, full, damaged) is a StoreError; bad input and bugs propagate as they are."""
        try:
            yield
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError):
            raise
        except sqlite3.DatabaseError as exc:
            reason = _REASONS.get(getattr(exc, "sqlite_errorname", ""), UNAVAILABLE)
            raise StoreError(f"database {self.path} unavailable: {exc}", reason) from exc

    def _check_file(self) -> None:
        """Refuse to acknowledge a write that went to a file the path no longer names."""
        if _identity(self.path) != self._identity:
            raise StoreError(
                f"database {self.path} was deleted or replaced while the bot ran; "
                "restart the bot to open it again",
                REPLACED,
            )

    async def _one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        with self._guard():
            async with self._db.execute(sql, params) as cur:
                return await cur.fetchone()

    async def _all(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self._guard():
            async with self._db.execute(sql, params) as cur:
                return list(await cur.fetchall())

    async def _exec(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """Run a write; how many rows it touched. The file is checked before and after, so a
        write is acknowledged only when it reached the database the bot will read again."""
        try:
            self._check_file()
            with self._guard():
                async with self._db.execute(sql, params) as cur:
                    touched = cur.rowcount
            self._check_file()
        except StoreError:
            self.write_errors += 1
            raise
        return touched

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
        await self._exec(
            "INSERT INTO subscriptions (guild_id, channel_id, post_time, timezone, days,"
            " enabled, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)"
            " ON CONFLICT (channel_id) DO UPDATE SET guild_id = excluded.guild_id,"
            " post_time = excluded.post_time, timezone = excluded.timezone,"
            " days = excluded.days, enabled = 1, disabled_reason = NULL, disabled_at = NULL,"
            " updated_at = excluded.updated_at",
            (guild_id, channel_id, post_time, timezone, days, created_by, now, now),
        )
        sub = await self.get_subscription_by_channel(channel_id)
        assert sub is not None
        return sub

    async def unsubscribe(self, channel_id: int) -> bool:
        return await self._exec("DELETE FROM subscriptions WHERE channel_id = ?", (channel_id,)) > 0

    async def get_subscription(self, subscription_id: int) -> Subscription | None:
        row = await self._one(
            f"SELECT {_SUB_COLUMNS} FROM subscriptions WHERE id = ?", (subscription_id,)
        )
        return _sub(row) if row else None

    async def get_subscription_by_channel(self, channel_id: int) -> Subscription | None:
        row = await self._one(
            f"SELECT {_SUB_COLUMNS} FROM subscriptions WHERE channel_id = ?", (channel_id,)
        )
        return _sub(row) if row else None

    async def list_subscriptions(self, guild_id: int) -> list[Subscription]:
        rows = await self._all(
            f"SELECT {_SUB_COLUMNS} FROM subscriptions WHERE guild_id = ? ORDER BY id",
            (guild_id,),
        )
        return [_sub(r) for r in rows]

    async def list_enabled(self) -> list[Subscription]:
        rows = await self._all(
            f"SELECT {_SUB_COLUMNS} FROM subscriptions WHERE enabled = 1 ORDER BY id"
        )
        return [_sub(r) for r in rows]

    async def disable_subscription(
        self, subscription_id: int, reason: str, at: datetime | None = None
    ) -> bool:
        now = _ts(at)
        touched = await self._exec(
            "UPDATE subscriptions SET enabled = 0, disabled_reason = ?, disabled_at = ?,"
            " updated_at = ? WHERE id = ?",
            (reason, now, now, subscription_id),
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
        """Insert the pending record that must exist before a send; None if one exists
        already for this subscription and date, or the subscription is gone."""
        key = delivery_key(subscription_id, local_date)
        try:
            inserted = await self._exec(
                "INSERT INTO deliveries (subscription_id, local_date, delivery_key, nonce, status,"
                " due_at, created_at, content_hash) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (
                    subscription_id,
                    local_date.isoformat(),
                    key,
                    nonce,
                    _ts(due_at),
                    _ts(at),
                    content_hash,
                ),
            )
        except sqlite3.IntegrityError:  # foreign key: unsubscribed meanwhile
            return None
        if inserted == 0:
            return None
        return await self.get_delivery(subscription_id, local_date)

    async def _finish(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        at: datetime | None,
        detail: str | None,
        message_id: int | None = None,
        content_hash: str | None = None,
    ) -> None:
        await self._exec(
            "UPDATE deliveries SET status = ?, completed_at = ?, detail = ?,"
            " message_id = COALESCE(?, message_id),"
            " content_hash = COALESCE(?, content_hash) WHERE id = ?",
            (status, _ts(at), detail, message_id, content_hash, delivery_id),
        )

    async def get_delivery(self, subscription_id: int, local_date: date) -> Delivery | None:
        row = await self._one(
            f"SELECT {_DEL_COLUMNS} FROM deliveries d"
            " WHERE d.subscription_id = ? AND d.local_date = ?",
            (subscription_id, local_date.isoformat()),
        )
        return _delivery(row) if row else None

    async def pending_deliveries(self) -> list[Delivery]:
        rows = await self._all(
            f"SELECT {_DEL_COLUMNS} FROM deliveries d WHERE d.status = 'pending' ORDER BY d.id"
        )
        return [_delivery(r) for r in rows]

    async def recent_deliveries(
        self, limit: int = 20, guild_id: int | None = None
    ) -> list[Delivery]:
        if guild_id is None:
            rows = await self._all(
                f"SELECT {_DEL_COLUMNS} FROM deliveries d ORDER BY d.id DESC LIMIT ?", (limit,)
            )
        else:
            rows = await self._all(
                f"SELECT {_DEL_COLUMNS} FROM deliveries d"
                " JOIN subscriptions s ON s.id = d.subscription_id"
                " WHERE s.guild_id = ? ORDER BY d.id DESC LIMIT ?",
                (guild_id, limit),
            )
        return [_delivery(r) for r in rows]

    async def last_delivery(self, subscription_id: int) -> Delivery | None:
        row = await self._one(
            f"SELECT {_DEL_COLUMNS} FROM deliveries d WHERE d.subscription_id = ?"
            " ORDER BY d.local_date DESC, d.id DESC LIMIT 1",
            (subscription_id,),
        )
        return _delivery(row) if row else None

    async def last_deliveries(self) -> dict[int, Delivery]:
        rows = await self._all(
            f"SELECT {_DEL_COLUMNS} FROM deliveries d JOIN ("
            " SELECT subscription_id, MAX(local_date) AS last FROM deliveries"
            " GROUP BY subscription_id) m"
            " ON m.subscription_id = d.subscription_id AND m.last = d.local_date"
        )
        return {d.subscription_id: d for d in map(_delivery, rows)}

    async def delivery_counts(self, since: datetime) -> dict[str, int]:
        rows = await self._all(
            "SELECT status, COUNT(*) FROM deliveries"
            " WHERE status = 'pending' OR completed_at >= ? GROUP BY status",
            (_ts(since),),
        )
        counts = {"pending": 0, "sent": 0, "skipped": 0, "failed": 0}
        counts.update({status: int(n) for status, n in rows})
        return counts

    # small state ---------------------------------------------------------------------

    async def get_state(self, key: str) -> str | None:
        row = await self._one("SELECT value FROM kv WHERE key = ?", (key,))
        return str(row[0]) if row else None

    async def set_state(self, key: str, value: str) -> None:
        await self._exec(
            "INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
            " updated_at = excluded.updated_at",
            (key, value, _ts(None)),
        )

    async def delete_state(self, key: str) -> None:
        await self._exec("DELETE FROM kv WHERE key = ?", (key,))
