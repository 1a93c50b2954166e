"""The bot for a shard range: `BriefingBot` on discord.py's `AutoShardedBot`, and `make_bot`,
which picks it when the config names shards (`cluster.shard_count`, `cluster.shards`).

Without shards the bot is the plain `BriefingBot`, one gateway session for every guild, as
before. With them, it connects only its own shards; in a cluster (PostgreSQL) it first holds
their locks (a standby waits here for them, with its content loaded and its dispatcher
running), and paces its IDENTIFYs with the other processes (bot/app/identify.py).
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord.ext import commands

from bot.app.client import BriefingBot
from bot.app.cluster import ClusterRuntime, shard_text
from bot.app.identify import ClusterIdentifyPacer, IdentifyPacer, LocalIdentifyPacer
from bot.config import Config
from bot.content.manager import ReloadReport

log = logging.getLogger(__name__)

STANDBY_POLL_S = 1.0  # how often a standby tries the shard locks


class ShardedBriefingBot(BriefingBot, commands.AutoShardedBot):
    """A BriefingBot that runs `config.cluster.shard_ids` of `config.cluster.shard_count`."""

    def __init__(self, config: Config, **options: Any) -> None:
        ids = config.cluster.shard_ids
        if ids is None or config.cluster.shard_count is None:
            raise ValueError("a sharded bot needs cluster.shard_count")
        super().__init__(
            config, shard_ids=list(ids), shard_count=config.cluster.shard_count, **options
        )
        self.identify_pacer: IdentifyPacer = LocalIdentifyPacer()

    async def connect(self, *, reconnect: bool = True) -> None:
        cluster = self.cluster
        if cluster is not None and not cluster.node.held:
            log.info("standby for %s: waiting for their owner to go", cluster.shards)
            if not await cluster.node.wait_for_shards(STANDBY_POLL_S, stop=self.is_closed):
                return  # closed while waiting
            cluster.node.role = "active"  # the next heartbeat says so
            log.info("took over %s", cluster.shards)
        self.identify_pacer = await self._pacer()
        await super().connect(reconnect=reconnect)

    async def _pacer(self) -> IdentifyPacer:
        try:
            limits = await self.fetch_session_start_limits()
        except (discord.HTTPException, discord.GatewayNotFound) as exc:
            log.warning("session start limits unavailable (%s); identifying one at a time", exc)
            concurrency = 1
        else:
            concurrency = limits.max_concurrency
            log.info(
                "session starts left today: %d of %d; max_concurrency %d",
                limits.remaining,
                limits.total,
                concurrency,
            )
            if limits.remaining < len(self.shard_ids or ()):
                log.error(
                    "not enough session starts left today for %d shards", len(self.shard_ids or ())
                )
        if self.cluster is not None:
            return ClusterIdentifyPacer(self.cluster.node, concurrency)
        return LocalIdentifyPacer(concurrency)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        await self.identify_pacer.wait(shard_id or 0)

    def connected_shards(self) -> list[int]:
        return sorted(i for i, info in self.shards.items() if not info.is_closed())


class _BotForCluster:
    """What ClusterRuntime reads and drives on the bot."""

    def __init__(self, bot: BriefingBot) -> None:
        self._bot = bot

    def content_hash(self) -> str | None:
        snapshot = self._bot.snapshot
        return snapshot.content_hash if snapshot is not None else None

    def deliveries_sent(self) -> int:
        runtime = self._bot.briefings
        if runtime is None:
            return 0
        status = runtime.dispatcher.status()
        return status.sent + status.recovered

    def set_send_rate(self, per_second: float) -> None:
        runtime = self._bot.briefings
        if runtime is not None and runtime.dispatcher.rate != per_second:
            runtime.dispatcher.set_rate(per_second)

    async def reload_content(self, trigger: str) -> ReloadReport:
        return await self._bot.content_manager.reload(trigger)


def make_bot(
    config: Config, *, cluster: ClusterRuntime | None = None, **options: Any
) -> BriefingBot:
    """The bot `config` asks for, joined to `cluster` (None: one process, no PostgreSQL)."""
    sharded = config.cluster.shard_count is not None
    bot = (ShardedBriefingBot if sharded else BriefingBot)(config, cluster=cluster, **options)
    if cluster is not None:
        cluster.attach(_BotForCluster(bot))
    if sharded:
        ids = config.cluster.shard_ids or ()
        log.info("running %s", shard_text(list(ids), config.cluster.shard_count))
    return bot
