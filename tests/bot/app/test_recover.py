"""DiscordRecover against the emulator with the real discord.py client: the post of a
delivery is found however many messages came after it, by paging forward from its claim."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import discord
import pytest

from bot.app.briefings import CLOCK_MARGIN, DiscordRecover, DiscordSender, RecoveryIncomplete
from bot.app.render.briefing import briefing_embed
from bot.briefings.compose import compose_briefing
from bot.emulator import Emulator
from bot.playground.harness import RunningBot
from bot.storage import Subscription, delivery_key

DAY = date(2026, 11, 25)
ROUTE = "/channels/{channel_id}/messages"


def subscription(channel_id: int) -> Subscription:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    return Subscription(1, 1, channel_id, "09:00", "UTC", "daily", True, None, None, None, at, at)


async def post_briefing(running: RunningBot, channel_id: int, key: str) -> int:
    snapshot = running.bot.snapshot  # type: ignore[attr-defined]
    return await DiscordSender(running.bot).post(
        channel_id, compose_briefing(snapshot, DAY), key, "nonce-1"
    )


def chatter(emulator: Emulator, channel_id: int, count: int) -> None:
    someone = emulator.state.add_member(emulator.guild, "someone").user
    for i in range(count):
        emulator.state.post_as(someone, channel_id, f"chatter {i}")


def history_requests(emulator: Emulator) -> list[dict[str, str]]:
    return [r.query for r in emulator.state.requests_to("GET", ROUTE)]


async def test_post_is_found_behind_250_newer_messages(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    channel = emulator.channel
    key = delivery_key(1, DAY)
    claimed_at = datetime.now(UTC)
    chatter(emulator, channel.id, 30)  # before the post, after the claim
    posted = await post_briefing(running_bot, channel.id, key)
    chatter(emulator, channel.id, 250)
    found = await DiscordRecover(running_bot.bot).find_posted(
        subscription(channel.id), key, claimed_at
    )
    assert found == posted
    [query] = history_requests(emulator)  # the first page held it: no more requests
    after = discord.utils.time_snowflake(claimed_at - CLOCK_MARGIN)
    assert query == {"limit": "100", "after": str(after)}


async def test_no_post_means_none_once_the_newest_message_is_reached(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    channel = emulator.channel
    claimed_at = datetime.now(UTC)
    await post_briefing(running_bot, channel.id, delivery_key(1, DAY - timedelta(days=1)))
    chatter(emulator, channel.id, 250)
    found = await DiscordRecover(running_bot.bot).find_posted(
        subscription(channel.id), delivery_key(1, DAY), claimed_at
    )
    assert found is None
    queries = history_requests(emulator)
    assert len(queries) == 3  # 100 + 100 + 51: the short page is the newest one
    ids = sorted(int(m["id"]) for m in emulator.state.messages[channel.id])
    assert [int(q["after"]) for q in queries[1:]] == [ids[99], ids[199]]  # paged forward


async def test_a_search_cut_short_by_its_page_limit_is_an_unknown_outcome(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    channel = emulator.channel
    claimed_at = datetime.now(UTC)
    chatter(emulator, channel.id, 120)
    recover = DiscordRecover(running_bot.bot, page=50, pages=2)
    with pytest.raises(RecoveryIncomplete, match="first 100 messages after its claim"):
        await recover.find_posted(subscription(channel.id), delivery_key(1, DAY), claimed_at)
    assert len(history_requests(emulator)) == 2


async def test_messages_by_others_carrying_the_key_do_not_count(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    channel = emulator.channel
    key = delivery_key(1, DAY)
    claimed_at = datetime.now(UTC)
    snapshot = running_bot.bot.snapshot  # type: ignore[attr-defined]
    impostor = emulator.state.add_member(emulator.guild, "impostor").user
    fake = emulator.state.post_as(impostor, channel.id, "")
    fake["embeds"] = [briefing_embed(compose_briefing(snapshot, DAY), key).to_dict()]
    posted = await post_briefing(running_bot, channel.id, key)
    found = await DiscordRecover(running_bot.bot).find_posted(
        subscription(channel.id), key, claimed_at
    )
    assert found == posted != int(fake["id"])


async def test_ids_follow_the_emulators_clock_so_a_simulated_day_is_searched_right(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    # The playground moves the emulator's clock ahead; message ids carry that time as on
    # Discord, so a claim made on the same clock finds its post.
    channel = emulator.channel
    key = delivery_key(1, DAY)
    later = datetime.now(UTC) + timedelta(days=3)
    emulator.state.now = lambda: later
    posted = await post_briefing(running_bot, channel.id, key)
    assert discord.utils.snowflake_time(posted) >= later - timedelta(seconds=1)
    found = await DiscordRecover(running_bot.bot).find_posted(subscription(channel.id), key, later)
    assert found == posted
