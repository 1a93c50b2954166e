"""Schema migrations, applied in order on open; each runs in its own transaction and is
recorded in `schema_version`, so opening an up-to-date database changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import aiosqlite

from bot.storage.base import StoreError

MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        1,
        (
            """
            CREATE TABLE subscriptions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                guild_id INTEGER NOT NULL,
                channel_id INTEGER NOT NULL UNIQUE,
                post_time TEXT NOT NULL CHECK (post_time GLOB '[0-2][0-9]:[0-5][0-9]'),
                timezone TEXT NOT NULL,
                days TEXT NOT NULL CHECK (days IN ('daily', 'weekdays')),
                enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
                disabled_reason TEXT,
                disabled_at TEXT,
                created_by INTEGER,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX subscriptions_guild ON subscriptions (guild_id)",
            """
            CREATE TABLE deliveries (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                subscription_id INTEGER NOT NULL
                    REFERENCES subscriptions (id) ON DELETE CASCADE,
                local_date TEXT NOT NULL,
                delivery_key TEXT NOT NULL UNIQUE,
                nonce TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'skipped', 'failed')),
                message_id INTEGER,
                due_at TEXT NOT NULL,
                created_at TEXT NOT NULL,
                completed_at TEXT,
                detail TEXT,
                content_hash TEXT NOT NULL DEFAULT '',
                UNIQUE (subscription_id, local_date)
            )
            """,
            "CREATE INDEX deliveries_status ON deliveries (status)",
            "CREATE INDEX deliveries_completed ON deliveries (completed_at)",
            """
            CREATE TABLE kv (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
        ),
    ),
)

LATEST = MIGRATIONS[-1][0]


async def current_version(db: aiosqlite.Connection) -> int:
    async with db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def migrate(db: aiosqlite.Connection) -> int:
    """Bring the schema to LATEST; return the version found before migrating.

    Expects an autocommit connection (isolation_level=None) so the explicit
    BEGIN IMMEDIATE serialises two processes opening the same file at once.
    """
    await db.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    found = await current_version(db)
    if found > LATEST:
        raise StoreError(
            f"database schema version {found} is newer than this bot understands ({LATEST}); "
            "upgrade the bot or use another database file"
        )
    for version, statements in MIGRATIONS:
        await db.execute("BEGIN IMMEDIATE")
        try:
            if await current_version(db) >= version:
                await db.execute("ROLLBACK")
                continue
            for statement in statements:
                await db.execute(statement)
            await db.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                (version, datetime.now(UTC).isoformat()),
            )
            await db.execute("COMMIT")
        except BaseException:
            await db.execute("ROLLBACK")
            raise
    return found
