"""The Discord side of briefing delivery: store + dispatcher + the Sender/Recover pair.

`start_briefings(bot)` opens the SQLite store at `config.database_path`, builds the
`Dispatcher` with the bot's clock and starts it; `stop_briefings(bot)` undoes that. The
briefings cog calls them from `cog_load`/`cog_unload` unless the app already did, so the
app needs no wiring; an app that wants to own the lifetime calls them in `setup_hook` and
`close`.

Sending and recovery talk to `bot.http` by channel id only, never to the gateway cache, so
the dispatcher can resolve crash leftovers before READY and a channel missing from the
cache is still posted to (Discord answers 403/404 if it really is gone).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import discord
from discord.http import handle_message_parameters

from bot.app.render.briefing import briefing_embed, briefing_view, message_has_key
from bot.briefings.clock import Clock, SystemClock
from bot.briefings.compose import Briefing, compose_briefing
from bot.briefings.dispatcher import Dispatcher, DispatcherConfig, SendResult, new_nonce
from bot.briefings.schedule import local_instant
from bot.config import BriefingsConfig
from bot.content.model import Snapshot
from bot.storage import SqliteStore, Store, Subscription, delivery_key

log = logging.getLogger(__name__)

RUNTIME_ATTR = "briefings_runtime"  # where the runtime lives on the bot
CLOCK_ATTR = "briefing_clock"  # set before setup_hook to inject a clock (tests)
HISTORY_LIMIT = 50  # recent messages scanned for a delivery key after a crash
DEFAULT_RETRY_AFTER = 5.0  # when a 429 reaches us without a usable retry_after


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

    def __init__(self, client: discord.Client) -> None:
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


class DiscordRecover:
    """Finds a delivery's message among the channel's recent messages by the bot."""

    def __init__(self, client: discord.Client, limit: int = HISTORY_LIMIT) -> None:
        self._client = client
        self._limit = limit

    async def find_posted(self, subscription: Subscription, delivery_key: str) -> int | None:
        me = self._client.user
        if me is None:  # setup_hook runs after login, so this is a bug, not a state
            raise RuntimeError("the bot user is not known yet")
        messages: list[Any] = await self._client.http.logs_from(
            subscription.channel_id, self._limit
        )
        for message in messages:
            author = message.get("author") or {}
            if str(author.get("id")) == str(me.id) and message_has_key(message, delivery_key):
                return int(message["id"])
        return None


@dataclass
class BriefingsRuntime:
    store: Store
    dispatcher: Dispatcher
    sender: DiscordSender
    recover: DiscordRecover
    clock: Clock

    async def stop(self) -> None:
        try:
            await self.dispatcher.stop()
        finally:
            await self.store.close()


def current_snapshot(bot: Any) -> Callable[[], Snapshot]:
    """The provider the dispatcher calls at send time: the app's current snapshot."""

    def provide() -> Snapshot:
        snapshot = getattr(bot, "snapshot", None)
        if snapshot is None:
            raise RuntimeError("no content is loaded")
        return snapshot

    return provide


def get_runtime(bot: Any) -> BriefingsRuntime | None:
    runtime = getattr(bot, RUNTIME_ATTR, None)
    return runtime if isinstance(runtime, BriefingsRuntime) else None


async def start_briefings(
    bot: Any,
    *,
    clock: Clock | None = None,
    snapshot_provider: Callable[[], Snapshot] | None = None,
    store: Store | None = None,
) -> BriefingsRuntime:
    """Open the store and start the dispatcher (idempotent); call from setup_hook or later.

    The clock is, in order: the argument, `bot.briefing_clock`, the system clock.
    """
    existing = get_runtime(bot)
    if existing is not None:
        return existing
    clock = clock or getattr(bot, CLOCK_ATTR, None) or SystemClock()
    config = bot.config
    store = store or await SqliteStore.open(config.database_path)
    sender, recover = DiscordSender(bot), DiscordRecover(bot)
    metrics = getattr(bot, "briefing_metrics", None)
    dispatcher = Dispatcher(
        store,
        clock,
        snapshot_provider or current_snapshot(bot),
        sender,
        recover,
        config=dispatcher_config(config.briefings),
        metrics=metrics if callable(metrics) else None,
    )
    runtime = BriefingsRuntime(store, dispatcher, sender, recover, clock)
    setattr(bot, RUNTIME_ATTR, runtime)
    dispatcher.start()
    log.info("Briefings: store %s, dispatcher started", config.database_path)
    return runtime


async def stop_briefings(bot: Any) -> None:
    """Stop the dispatcher and close the store (idempotent)."""
    runtime = get_runtime(bot)
    if runtime is None:
        return
    setattr(bot, RUNTIME_ATTR, None)
    await runtime.stop()


@dataclass(frozen=True, slots=True)
class PostedNow:
    message_id: int
    local_date: date
    delivery_key: str | None  # set when the post counts as the subscription's delivery


async def post_now(runtime: BriefingsRuntime, snapshot: Snapshot, channel_id: int) -> PostedNow:
    """`/briefing now`: post today's briefing at once.

    For a subscribed, enabled channel whose briefing for today (its own zone's date) has not
    been delivered, the post *is* that delivery: it is claimed first, exactly as the
    dispatcher would, so the scheduled post later today does not repeat it. Otherwise it
    is an extra post (today in UTC for an unsubscribed channel) without a delivery key.
    Discord errors propagate; a claimed delivery whose post failed is marked failed.
    """
    now = runtime.clock.now()
    sub = await runtime.store.get_subscription_by_channel(channel_id)
    if sub is None or not sub.enabled:
        local_date = now.date()
        message_id = await runtime.sender.post(
            channel_id, compose_briefing(snapshot, local_date), None, new_nonce()
        )
        return PostedNow(message_id, local_date, None)
    local_date = now.astimezone(ZoneInfo(sub.timezone)).date()
    briefing = compose_briefing(snapshot, local_date)
    with runtime.dispatcher.claiming(delivery_key(sub.id, local_date)):
        delivery = await runtime.store.claim_delivery(
            sub.id,
            local_date,
            local_instant(local_date, sub.post_time, sub.timezone),
            new_nonce(),
            briefing.content_hash,
            at=now,
        )
        if delivery is None:  # already delivered (or being delivered): an extra, unkeyed post
            message_id = await runtime.sender.post(channel_id, briefing, None, new_nonce())
            return PostedNow(message_id, local_date, None)
        try:
            message_id = await runtime.sender.post(
                channel_id, briefing, delivery.delivery_key, delivery.nonce
            )
        except BaseException as exc:  # unknown outcome: at most once wins, never re-sent
            await runtime.store.mark_failed(
                delivery.id,
                f"/briefing now failed: {type(exc).__name__}: {exc}",
                at=runtime.clock.now(),
            )
            raise
        await runtime.store.complete_delivery(
            delivery.id,
            message_id,
            content_hash=briefing.content_hash,
            detail="posted by /briefing now",
            at=runtime.clock.now(),
        )
    runtime.dispatcher.notify()
    return PostedNow(message_id, local_date, delivery.delivery_key)
