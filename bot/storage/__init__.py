"""Persistent state for briefings: subscriptions, deliveries and small key/value state."""

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
    "delivery_key",
]
