"""Persistent state for briefings: subscriptions, deliveries and small key/value state.

`open_store` picks the backend: a postgresql:// URL opens PostgresStore, anything else is a
SQLite file (the default, `<data_dir>/briefing.sqlite3`).
"""

from __future__ import annotations

from pathlib import Path

from bot.config import Config
from bot.storage.base import (
    DISABLE_MISSING_ACCESS,
    DISABLE_UNKNOWN_CHANNEL,
    Delivery,
    DeliveryStatus,
    Store,
    StoreError,
    Subscription,
    delivery_key,
)
from bot.storage.sqlite import SqliteStore

__all__ = [
    "DISABLE_MISSING_ACCESS",
    "DISABLE_UNKNOWN_CHANNEL",
    "Delivery",
    "DeliveryStatus",
    "SqliteStore",
    "Store",
    "StoreError",
    "Subscription",
    "backend_of",
    "delivery_key",
    "describe_target",
    "is_postgres",
    "open_store",
    "store_target",
]


def is_postgres(target: Config | str | Path) -> bool:
    """Whether `target` names a PostgreSQL database (several processes can share it)."""
    return store_target(target).startswith(("postgresql://", "postgres://"))


def store_target(target: Config | str | Path) -> str:
    """The database a config names (`storage.database`, which DATABASE_URL overrides at load;
    else the SQLite file in the data folder), or `target` itself."""
    if isinstance(target, Config):
        return target.storage.database or str(target.data_dir / "briefing.sqlite3")
    return str(target)


def backend_of(target: Config | str | Path) -> str:
    """`postgresql` or `sqlite`, for /healthz and the metrics' label."""
    where = store_target(target)
    return "postgresql" if where.startswith(("postgresql://", "postgres://")) else "sqlite"


def describe_target(target: Config | str | Path) -> str:
    """The target for logs: a URL without its password, or the file path."""
    from bot.storage.postgres import is_postgres_url, redact

    where = store_target(target)
    return redact(where) if is_postgres_url(where) else where


async def open_store(target: Config | str | Path, *, owner: str | None = None) -> Store:
    """Open (and migrate) the store `target` names: a Config, a URL or a SQLite path.
    `owner` names a PostgreSQL store's claims (the cluster node's owner, docs/scaling.md)."""
    where = store_target(target)
    scheme = where.split("://", 1)[0] if "://" in where else ""
    if scheme in ("postgresql", "postgres"):
        from bot.storage.postgres import PostgresStore  # asyncpg only when used

        return await PostgresStore.open(where, owner=owner)
    if scheme:
        raise StoreError(
            f"unsupported database URL scheme {scheme!r}: use postgresql://... "
            "or a SQLite file path"
        )
    return await SqliteStore.open(where)
