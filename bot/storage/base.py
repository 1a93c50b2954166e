"""The storage interface for subscriptions and deliveries.

Callers (dispatcher, cog) depend only on `Store`, so a server database can replace SQLite
later without touching them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

DeliveryStatus = Literal["pending", "sent", "skipped", "failed"]
DISABLE_MISSING_ACCESS = "missing_access"  # 403 from Discord
DISABLE_UNKNOWN_CHANNEL = "unknown_channel"  # 404 from Discord


# Why a store cannot be used: each gets its own sentence for users and a label in /healthz.
UNAVAILABLE = "unavailable"  # down, locked, refusing us, damaged
READ_ONLY = "read_only"  # the file, its folder or the server is read-only
DISK_FULL = "disk_full"
REPLACED = "replaced"  # the SQLite file was deleted or replaced while the bot ran


class StoreError(RuntimeError):
    """The database cannot be used (unreadable file, newer schema, ...); `reason` says why."""

    def __init__(self, message: str, reason: str = UNAVAILABLE) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class StoreHealth:
    """The outcome of a probe: a small write read back (`bot.storage.health.probe`)."""

    up: bool
    backend: str
    reason: str | None = None  # a StoreError reason when not up
    detail: str | None = None


def delivery_key(subscription_id: int, local_date: date) -> str:
    """The idempotency key of one post; the cog shows it in the message so a crashed send
    can be found again in the channel."""
    return f"bb:{subscription_id}:{local_date.isoformat()}"


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    guild_id: int
    channel_id: int
    post_time: str  # 'HH:MM'
    timezone: str  # IANA name
    days: str  # 'daily' | 'weekdays'
    enabled: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime  # due instants before this do not count (no retroactive posts)


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    subscription_id: int
    local_date: date
    delivery_key: str
    nonce: str
    status: DeliveryStatus
    message_id: int | None
    due_at: datetime
    created_at: datetime
    completed_at: datetime | None
    detail: str | None
    content_hash: str


class Store(Protocol):
    async def close(self) -> None: ...

    # subscriptions
    async def upsert_subscription(
        self,
        guild_id: int,
        channel_id: int,
        post_time: str,
        timezone: str,
        days: str,
        created_by: int | None,
        at: datetime | None = None,
    ) -> Subscription: ...

    async def unsubscribe(self, channel_id: int) -> bool: ...

    async def get_subscription(self, subscription_id: int) -> Subscription | None: ...

    async def get_subscription_by_channel(self, channel_id: int) -> Subscription | None: ...

    async def list_subscriptions(self, guild_id: int) -> list[Subscription]: ...

    async def list_enabled(self) -> list[Subscription]: ...

    async def disable_subscription(
        self, subscription_id: int, reason: str, at: datetime | None = None
    ) -> bool: ...

    # deliveries
    async def claim_delivery(
        self,
        subscription_id: int,
        local_date: date,
        due_at: datetime,
        nonce: str,
        content_hash: str = "",
        at: datetime | None = None,
    ) -> Delivery | None: ...

    async def complete_delivery(
        self,
        delivery_id: int,
        message_id: int,
        content_hash: str | None = None,
        detail: str | None = None,
        at: datetime | None = None,
    ) -> None: ...

    async def mark_skipped(
        self, delivery_id: int, detail: str, at: datetime | None = None
    ) -> None: ...

    async def mark_failed(
        self, delivery_id: int, detail: str, at: datetime | None = None
    ) -> None: ...

    async def get_delivery(self, subscription_id: int, local_date: date) -> Delivery | None: ...

    async def pending_deliveries(self) -> list[Delivery]: ...

    async def recent_deliveries(
        self, limit: int = 20, guild_id: int | None = None
    ) -> list[Delivery]: ...

    async def last_delivery(self, subscription_id: int) -> Delivery | None: ...

    async def last_deliveries(self) -> dict[int, Delivery]: ...

    async def delivery_counts(self, since: datetime) -> dict[str, int]: ...

    # small state
    async def get_state(self, key: str) -> str | None: ...

    async def set_state(self, key: str, value: str) -> None: ...

    async def delete_state(self, key: str) -> None: ...


class DeliveryOutcomes(ABC):
    """How a claimed delivery ends, the same for every backend: each outcome is one
    `_finish` with its status, written in the backend's own SQL."""

    @abstractmethod
    async def _finish(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        at: datetime | None,
        detail: str | None,
        message_id: int | None = None,
        content_hash: str | None = None,
    ) -> None: ...

    async def complete_delivery(
        self,
        delivery_id: int,
        message_id: int,
        content_hash: str | None = None,
        detail: str | None = None,
        at: datetime | None = None,
    ) -> None:
        await self._finish(delivery_id, "sent", at, detail, message_id, content_hash)

    async def mark_skipped(self, delivery_id: int, detail: str, at: datetime | None = None) -> None:
        await self._finish(delivery_id, "skipped", at, detail)

    async def mark_failed(self, delivery_id: int, detail: str, at: datetime | None = None) -> None:
        await self._finish(delivery_id, "failed", at, detail)
