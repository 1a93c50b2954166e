"""Briefing delivery over Discord's REST API: the sender and the crash-recovery lookup the
dispatcher is given, and the runtime (store + dispatcher) the bot starts and stops.

Sending and recovery talk to `client.http` by channel id only, never to the gateway cache,
so the dispatcher can resolve crash leftovers before READY, and a channel missing from the
cache is still posted to (Discord answers 403/404 if it really is gone).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

import discord
from discord.http import handle_message_parameters

from bot.app.metrics import BRIEFING_RESULTS, BotMetrics
from bot.app.render.briefing import briefing_embed, briefing_view, message_has_key
from bot.briefings.clock import Clock
from bot.briefings.compose import Briefing
from bot.briefings.dispatcher import Dispatcher, DispatcherConfig, SendResult
from bot.briefings.now import NowContext
from bot.config import BriefingsConfig, Config
from bot.content.model import Snapshot
from bot.storage import Store, Subscription, describe_target, open_store

if TYPE_CHECKING:
    from bot.app.cluster import ClusterRuntime

log = logging.getLogger(__name__)

# After a crash, the delivery's message is looked for among the messages posted since its
# claim, oldest first, a page at a time: however busy the channel, the post comes first.
HISTORY_PAGE = 100  # Discord's largest page
HISTORY_PAGES = 20  # at most 2,000 messages after the claim; more is "unknown", not re-sent
CLOCK_MARGIN = timedelta(minutes=10)  # our clock may run ahead of Discord's
DEFAULT_RETRY_AFTER = 5.0  # when a 429 reaches us without a usable retry_after


class SnapshotClient(Protocol):
    """What delivery needs of the bot: its REST client, its user, the content, metrics."""

    http: discord.http.HTTPClient
    metrics: BotMetrics

    @property
    def user(self) -> discord.ClientUser | None: ...
    @property
    def snapshot(self) -> Snapshot | None: ...


def dispatcher_config(cfg: BriefingsConfig) -> DispatcherConfig:
    return DispatcherConfig(
        catch_up=timedelta(hours=cfg.catch_up_hours),
        max_per_second=cfg.max_sends_per_second,
    )


def _retry_after_of(exc: discord.HTTPException) -> float:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    for name in ("Retry-After", "X-RateLimit-Reset-After"):
        try:
            return max(0.0, float(headers[name]))
        except (KeyError, TypeError, ValueError):
            continue
    return DEFAULT_RETRY_AFTER


def _detail(exc: discord.HTTPException) -> str:
    return f"{exc.status} {getattr(exc, 'code', 0)}: {exc.text or type(exc).__name__}"


class DiscordSender:
    """Posts one briefing message: the embed with the key in its footer, the button with
    the key in its custom_id, the dispatcher's nonce with enforce_nonce, no mentions."""

    def __init__(self, client: SnapshotClient) -> None:
        self._client = client

    async def post(
        self, channel_id: int, briefing: Briefing, delivery_key: str | None, nonce: str | None
    ) -> int:
        """Send and return the message id; discord.py's HTTP errors propagate."""
        view = briefing_view(briefing, delivery_key)
        with handle_message_parameters(
            embed=briefing_embed(briefing, delivery_key),
            view=view if view is not None else discord.utils.MISSING,
            nonce=nonce,  # discord.py 2.7 adds "enforce_nonce": true with any nonce
            allowed_mentions=discord.AllowedMentions.none(),
        ) as params:
            data = await self._client.http.send_message(channel_id, params=params)
        return int(data["id"])

    async def send(
        self, subscription: Subscription, briefing: Briefing, delivery_key: str, nonce: str
    ) -> SendResult:
        try:
            message_id = await self.post(subscription.channel_id, briefing, delivery_key, nonce)
        except discord.Forbidden as exc:
            return SendResult.forbidden(_detail(exc))
        except discord.NotFound as exc:
            return SendResult.not_found(_detail(exc))
        except discord.RateLimited as exc:  # longer than the client's max_ratelimit_timeout
            return SendResult.retry_after(exc.retry_after)
        except discord.HTTPException as exc:
            if exc.status == 429:  # discord.py's own retries ran out
                return SendResult.retry_after(_retry_after_of(exc))
            return SendResult.failed(_detail(exc))
        return SendResult.sent(message_id)


class RecoveryIncomplete(RuntimeError):
    """The search ended (page limit) before reaching the newest message: outcome unknown."""


class DiscordRecover:
    """Finds a delivery's message by the bot among the messages posted since its claim."""

    def __init__(
        self, client: SnapshotClient, page: int = HISTORY_PAGE, pages: int = HISTORY_PAGES
    ) -> None:
        self._client = client
        self._page = page
        self._pages = pages

    async def find_posted(
        self, subscription: Subscription, delivery_key: str, claimed_at: datetime
    ) -> int | None:
        """The earliest message by the bot carrying `delivery_key` posted after `claimed_at`
        (less CLOCK_MARGIN); None once the newest message is reached without one. Raises
        RecoveryIncomplete after `pages` full pages, so the caller does not re-send blindly."""
        me = self._client.user
        if me is None:  # setup_hook runs after login, so this is a bug, not a state
            raise RuntimeError("the bot user is not known yet")
        after = discord.utils.time_snowflake(claimed_at - CLOCK_MARGIN)
        for _ in range(self._pages):
            # With `after`, Discord returns the `limit` messages right after it, newest first.
            page: list[Any] = await self._client.http.logs_from(
                subscription.channel_id, self._page, after=after
            )
            for message in sorted(page, key=lambda m: int(m["id"])):
                author = message.get("author") or {}
                if str(author.get("id")) == str(me.id) and message_has_key(message, delivery_key):
                    return int(message["id"])
            if len(page) < self._page:
                return None
            after = max(int(m["id"]) for m in page)
        raise RecoveryIncomplete(
            f"{delivery_key} not among the first {self._page * self._pages} messages "
            f"after its claim in channel {subscription.channel_id}; not re-sending"
        )


@dataclass
class BriefingsRuntime:
    store: Store
    dispatcher: Dispatcher
    sender: DiscordSender
    recover: DiscordRecover
    clock: Clock

    def now_context(self) -> NowContext:
        """What `/briefing now` needs: the same store, dispatcher, sender and clock."""
        return NowContext(self.store, self.dispatcher, self.sender, self.clock)

    async def stop(self) -> None:
        try:
            await self.dispatcher.stop()
        finally:
            await self.store.close()


def _count_result(metrics: BotMetrics, event: str) -> None:
    """The dispatcher's events that are a delivery's result (not retries or restarts)."""
    if event in BRIEFING_RESULTS:
        metrics.briefing(event)


async def open_runtime(
    client: SnapshotClient, config: Config, clock: Clock, *, cluster: ClusterRuntime | None = None
) -> BriefingsRuntime:
    """Open the store and start the dispatcher; raises StoreError when the store cannot open.

    In a cluster the store's claims carry the node's owner (so the others know whether it
    lives), the dispatcher looks for a dead process's claims every heartbeat, and it sends
    at this process's share of the budget."""
    owner = cluster.node.owner if cluster is not None else None
    store = await open_store(config, owner=owner)
    sender, recover = DiscordSender(client), DiscordRecover(client)
    settings = dispatcher_config(config.briefings)
    if cluster is not None:
        settings = replace(
            settings,
            max_per_second=cluster.share(),
            orphan_scan=config.cluster.heartbeat_seconds,
        )

    def snapshot() -> Snapshot:
        current = client.snapshot
        if current is None:
            raise RuntimeError("no content is loaded")
        return current

    dispatcher = Dispatcher(
        store,
        clock,
        snapshot,
        sender,
        recover,
        config=settings,
        metrics=lambda event: _count_result(client.metrics, event),
    )
    dispatcher.start()
    log.info("Briefings: store %s, dispatcher started", describe_target(config))
    return BriefingsRuntime(store, dispatcher, sender, recover, clock)
