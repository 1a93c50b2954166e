"""Pacing of gateway IDENTIFYs for a sharded bot.

Discord lets each bucket (`shard_id % max_concurrency`) identify once per 5 seconds, for the
whole bot, whichever process identifies; a burst is answered with op 9 (invalid session).
discord.py ignores `max_concurrency` and knows nothing of other processes: its default hook
sleeps 5 s before every identify but the first of each process. So the bot's
`before_identify_hook` waits for a slot here instead: from a per-process table (one process),
or reserved in PostgreSQL for the whole cluster (`cluster_identify`, on the server's clock).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol

from bot.storage import StoreError
from bot.storage.cluster import ClusterNode

log = logging.getLogger(__name__)

IDENTIFY_WINDOW = 5.0  # Discord: one IDENTIFY per bucket per 5 s
# Slots are spaced a little wider than Discord's window: two processes' identifies travel
# to Discord by different paths, and one that arrives early would be refused.
SPACING = IDENTIFY_WINDOW + 0.5


class IdentifyPacer(Protocol):
    async def wait(self, shard_id: int) -> None:
        """Return when `shard_id` may send its IDENTIFY."""
        ...


class LocalIdentifyPacer:
    """Slots per bucket for the shards of this process only."""

    def __init__(self, max_concurrency: int = 1, spacing: float = SPACING) -> None:
        self.max_concurrency = max(1, max_concurrency)
        self.spacing = spacing
        self._next: dict[int, float] = {}  # bucket -> monotonic time of its next free slot

    def reserve(self, shard_id: int) -> float:
        """Take the bucket's next slot; the seconds to wait for it."""
        bucket = shard_id % self.max_concurrency
        now = time.monotonic()
        slot = max(now, self._next.get(bucket, now))
        self._next[bucket] = slot + self.spacing
        return slot - now

    async def wait(self, shard_id: int) -> None:
        await asyncio.sleep(self.reserve(shard_id))


class ClusterIdentifyPacer:
    """Slots per bucket for every process of the cluster, reserved in PostgreSQL; the local
    table stands in while the database does not answer."""

    def __init__(self, node: ClusterNode, max_concurrency: int = 1, spacing: float = SPACING):
        self.node = node
        self.max_concurrency = max(1, max_concurrency)
        self.spacing = spacing
        self._local = LocalIdentifyPacer(max_concurrency, spacing)

    async def wait(self, shard_id: int) -> None:
        bucket = shard_id % self.max_concurrency
        try:
            delay = await self.node.reserve_identify(self.max_concurrency, bucket, self.spacing)
        except StoreError as exc:
            log.warning("identify pacing without the database (%s): this process only", exc)
            delay = self._local.reserve(shard_id)
        if delay >= 0.1:
            log.info(
                "shard %d waits %.1f s for its identify slot (bucket %d)", shard_id, delay, bucket
            )
        await asyncio.sleep(delay)
