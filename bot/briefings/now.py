"""`/briefing now`: post today's briefing at once, counted as the day's delivery when it is
one, so the scheduled post later that day does not repeat it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.briefings.clock import Clock
from bot.briefings.compose import Briefing, compose_briefing
from bot.briefings.dispatcher import Dispatcher, new_nonce
from bot.briefings.schedule import local_instant
from bot.content.model import Snapshot
from bot.storage import Store, delivery_key


class Poster(Protocol):
    async def post(
        self, channel_id: int, briefing: Briefing, delivery_key: str | None, nonce: str | None
    ) -> int:
        """Post and return the message id; the platform's errors propagate."""
        ...


@dataclass(frozen=True, slots=True)
class PostedNow:
    message_id: int
    local_date: date
    delivery_key: str | None  # set when the post counts as the subscription's delivery


@dataclass(frozen=True, slots=True)
class NowContext:
    store: Store
    dispatcher: Dispatcher
    poster: Poster
    clock: Clock


async def post_now(ctx: NowContext, snapshot: Snapshot, channel_id: int) -> PostedNow:
    """For a subscribed, enabled channel whose briefing for today (its own zone's date) was
    not delivered yet, the post *is* that delivery: claimed first, exactly as the dispatcher
    would. Otherwise it is an extra post without a delivery key (today in UTC for a channel
    without a subscription). A claimed delivery whose post failed is marked failed."""
    now = ctx.clock.now()
    sub = await ctx.store.get_subscription_by_channel(channel_id)
    if sub is None or not sub.enabled:
        local_date = now.date()
        briefing = compose_briefing(snapshot, local_date)
        message_id = await ctx.poster.post(channel_id, briefing, None, new_nonce())
        return PostedNow(message_id, local_date, None)
    local_date = now.astimezone(ZoneInfo(sub.timezone)).date()
    briefing = compose_briefing(snapshot, local_date)
    with ctx.dispatcher.claiming(delivery_key(sub.id, local_date)):
        delivery = await ctx.store.claim_delivery(
            sub.id,
            local_date,
            local_instant(local_date, sub.post_time, sub.timezone),
            new_nonce(),
            briefing.content_hash,
            at=now,
        )
        if delivery is None:  # already delivered (or being delivered): an extra post
            message_id = await ctx.poster.post(channel_id, briefing, None, new_nonce())
            return PostedNow(message_id, local_date, None)
        try:
            message_id = await ctx.poster.post(
                channel_id, briefing, delivery.delivery_key, delivery.nonce
            )
        except BaseException as exc:  # unknown outcome: at most once wins, never re-sent
            detail = f"/briefing now failed: {type(exc).__name__}: {exc}"
            await ctx.store.mark_failed(delivery.id, detail, at=ctx.clock.now())
            raise
        await ctx.store.complete_delivery(
            delivery.id,
            message_id,
            content_hash=briefing.content_hash,
            detail="posted by /briefing now",
            at=ctx.clock.now(),
        )
    ctx.dispatcher.notify()
    return PostedNow(message_id, local_date, delivery.delivery_key)
