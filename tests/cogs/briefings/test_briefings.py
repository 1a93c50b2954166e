"""/briefing through the emulator with the real discord.py client and a ManualClock.

Time is injected (`bot.clock`), so "the post arrives at its time" is checked by
moving the clock past the due minute, never by waiting for it; the one real-time test is
opt-in (BRIEFING_REALTIME=1).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app.briefings import BriefingsRuntime
from bot.app.client import BriefingBot
from bot.briefings.clock import ManualClock
from bot.emulator import EMBED_LINKS, Channel, Emulator, InteractionHandle
from bot.emulator.state import Overwrite
from bot.storage import SqliteStore, delivery_key
from tests.support.harness import RunningBot, wait_for

T0 = datetime(2026, 11, 25, 8, 58, tzinfo=UTC)
DUE = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
DAY = date(2026, 11, 25)
MESSAGES = "/channels/{channel_id}/messages"


# -- helpers (also used by test_briefings_crash.py) ---------------------------------------------


def with_clock(clock: Any) -> Callable[[BriefingBot], None]:
    def prepare(bot: BriefingBot) -> None:
        bot.clock = clock

    return prepare


def runtime_of(running: RunningBot) -> BriefingsRuntime:
    runtime = running.bot.briefings
    assert runtime is not None, "the briefings cog did not start its runtime"
    return runtime


async def first_pass_done(running: RunningBot, timeout: float = 10.0) -> None:
    """The dispatcher resolved pending deliveries and looked at every subscription once."""
    runtime = runtime_of(running)
    await wait_for(
        lambda: runtime.dispatcher.status().alive and runtime.dispatcher.status().next_due,
        timeout=timeout,
    )


async def slash(
    emulator: Emulator,
    name: str,
    options: dict[str, Any] | None = None,
    *,
    channels: dict[str, Channel] | None = None,
    **kw: Any,
) -> InteractionHandle:
    """A slash command whose channel options name `channels`; the emulator resolves them
    (`data.resolved.channels`) the way Discord does."""
    values = dict(options or {})
    for option, channel in (channels or {}).items():
        values[option] = str(channel.id)
    return await emulator.command(name, values, **kw)


async def ask(
    emulator: Emulator, name: str, options: dict[str, Any] | None = None, **kw: Any
) -> dict[str, Any]:
    handle = await slash(emulator, name, options, **kw)
    return await handle.final_message(timeout=10)


def channel_named(emulator: Emulator, name: str) -> Channel:
    return next(c for c in emulator.guild.channels.values() if c.name == name)


def posts(emulator: Emulator, channel: Channel) -> list[dict[str, Any]]:
    """Messages the bot posted in the channel itself (not interaction answers)."""
    return [m for m in emulator.state.messages.get(channel.id, []) if m["type"] == 0]


def footer(message: dict[str, Any]) -> str:
    return str(message["embeds"][0]["footer"]["text"])


async def autojump(
    clock: ManualClock, until: Callable[[], bool], target: datetime, timeout: float
) -> None:
    """Run until `until()`: whenever something sleeps on the clock with a deadline before
    `target` (the dispatcher's pacer), jump to it; otherwise let real I/O happen."""
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout}s")
        nxt = clock.next_deadline()
        if nxt is not None and nxt <= target:
            clock.set(max(nxt, clock.now()))
            await asyncio.sleep(0)
        else:
            await asyncio.sleep(0.005)


# -- subscribe ----------------------------------------------------------------------------------


async def test_subscribe_checks_the_bots_permissions_and_says_what_is_missing(
    bot_starter: Any, emulator: Emulator
) -> None:
    guild = emulator.guild
    no_embeds = emulator.state.add_channel(guild, "no-embeds")
    no_embeds.overwrites.append(Overwrite(id=emulator.state.bot.id, type=1, deny=EMBED_LINKS))
    running = await bot_starter(prepare=with_clock(ManualClock(T0)), extensions=["briefings"])
    answer = await ask(emulator, "briefing subscribe", channels={"channel": no_embeds})
    assert answer["content"] == (
        f"I can't post briefings in <#{no_embeds.id}>: I'm missing the Embed Links permission "
        "there. Grant it to my role in that channel and try again."
    )
    assert answer["flags"] & 64
    assert await runtime_of(running).store.get_subscription_by_channel(no_embeds.id) is None

    briefings = channel_named(emulator, "briefings")
    answer = await ask(
        emulator,
        "briefing subscribe",
        {"time": "9:00", "timezone": "utc", "days": "daily"},
        channels={"channel": briefings},
    )
    assert answer["flags"] & 64
    assert f"Subscribed <#{briefings.id}>" in answer["content"]
    assert f"<t:{int(DUE.timestamp())}:F>" in answer["content"]
    sub = await runtime_of(running).store.get_subscription_by_channel(briefings.id)
    assert sub is not None and (sub.post_time, sub.timezone, sub.days) == ("09:00", "UTC", "daily")


async def test_a_channel_of_another_server_is_named_not_dumped(
    bot_starter: Any, emulator: Emulator
) -> None:
    await bot_starter(prepare=with_clock(ManualClock(T0)), extensions=["briefings"])
    elsewhere = emulator.state.add_guild("Other Server", channels=("general",))
    other = emulator.state.first_channel(elsewhere)
    answer = await ask(emulator, "briefing subscribe", channels={"channel": other})
    text = answer["content"]
    assert "general" in text and "not a valid" in text
    assert "AppCommandChannel" not in text and "ChannelType" not in text and "<" not in text


async def test_subscribe_rejects_bad_input_and_non_admins(
    bot_starter: Any, emulator: Emulator
) -> None:
    await bot_starter(prepare=with_clock(ManualClock(T0)), extensions=["briefings"])
    briefings = channel_named(emulator, "briefings")
    bad_time = await ask(
        emulator, "briefing subscribe", {"time": "25:00"}, channels={"channel": briefings}
    )
    assert "not a valid time" in bad_time["content"]
    typed = "**@everyone** " + "9" * 3000  # echoed escaped and clipped, never past 2,000
    bad_markdown = await ask(
        emulator, "briefing subscribe", {"time": typed}, channels={"channel": briefings}
    )
    assert bad_markdown["content"].startswith("'\\*\\*@\u200beveryone\\*\\* 999")
    assert "is not a time" in bad_markdown["content"] and len(bad_markdown["content"]) < 300
    long_zone = await ask(
        emulator, "briefing subscribe", {"timezone": "a" * 300}, channels={"channel": briefings}
    )
    assert "not a known time zone" in long_zone["content"]  # not "Something went wrong"
    bad_zone = await ask(
        emulator, "briefing subscribe", {"timezone": "Asia/Tokio"}, channels={"channel": briefings}
    )
    assert "not a known time zone" in bad_zone["content"] and "Asia/Tokyo" in bad_zone["content"]
    visitor = emulator.state.add_member(emulator.guild, "visitor")
    denied = await ask(
        emulator, "briefing subscribe", channels={"channel": briefings}, member=visitor
    )
    assert "Manage Server" in denied["content"]
    auto = await emulator.autocomplete(
        "briefing subscribe", {"channel": str(briefings.id), "timezone": "tok"}, focused="timezone"
    )
    choices = (await auto.response())["data"]["choices"]
    assert choices[0]["value"] == "Asia/Tokyo"


async def test_unsubscribe_picks_a_subscription_even_when_its_channel_was_deleted(
    bot_starter: Any, emulator: Emulator
) -> None:
    clock = ManualClock(T0)
    doomed = emulator.state.add_channel(emulator.guild, "doomed")
    running = await bot_starter(prepare=with_clock(clock), extensions=["briefings"])
    briefings = channel_named(emulator, "briefings")
    await ask(emulator, "briefing subscribe", {"time": "09:00"}, channels={"channel": briefings})
    await ask(emulator, "briefing subscribe", {"time": "09:00"}, channels={"channel": doomed})
    store = runtime_of(running).store
    sub = await store.get_subscription_by_channel(doomed.id)
    assert sub is not None

    # The channel is deleted: Discord answers 404 and tells the bot (CHANNEL_DELETE), so a
    # channel picker could no longer offer it; the dispatcher disables the subscription.
    emulator.state.delete_channel(doomed.id)
    await emulator.gateway.dispatch("CHANNEL_DELETE", doomed.payload())
    await wait_for(lambda: running.bot.get_channel(doomed.id) is None, timeout=10)
    clock.set(DUE + timedelta(seconds=5))

    async def disabled() -> bool:
        current = await store.get_subscription(sub.id)
        return current is not None and current.disabled_reason == "unknown_channel"

    deadline = time.monotonic() + 10
    while not await disabled():
        assert time.monotonic() < deadline, "subscription was not disabled"
        pacer = clock.next_deadline()  # two posts due together: the second one is paced
        if pacer is not None and pacer <= DUE + timedelta(minutes=1):
            clock.set(max(pacer, clock.now()))
        await asyncio.sleep(0.02)

    auto = await emulator.autocomplete("briefing unsubscribe", {"channel": ""}, focused="channel")
    choices = (await auto.response())["data"]["choices"]
    assert [c["value"] for c in choices] == [str(briefings.id), str(doomed.id)]
    assert choices[0]["name"] == f"#briefings ({briefings.id}) · 09:00 UTC · enabled"
    assert choices[1]["name"] == (
        f"deleted channel ({doomed.id}) · 09:00 UTC · disabled: unknown_channel"
    )
    typed = await emulator.autocomplete(
        "briefing unsubscribe", {"channel": "deleted"}, focused="channel"
    )
    assert [c["value"] for c in (await typed.response())["data"]["choices"]] == [str(doomed.id)]

    visitor = emulator.state.add_member(emulator.guild, "visitor")
    hidden = await emulator.autocomplete(
        "briefing unsubscribe", {"channel": ""}, focused="channel", member=visitor
    )
    assert (await hidden.response())["data"]["choices"] == []

    answer = await ask(emulator, "briefing unsubscribe", {"channel": str(doomed.id)})
    assert answer["flags"] & 64
    assert answer["content"] == (
        f"Unsubscribed the deleted channel `{doomed.id}`: no more briefings there."
    )
    assert await store.get_subscription(sub.id) is None
    assert await store.get_delivery(sub.id, DAY) is None  # its history went with it

    again = await ask(emulator, "briefing unsubscribe", {"channel": str(doomed.id)})
    assert again["content"].startswith("No briefing subscription in this server matches")
    unknown = await ask(emulator, "briefing unsubscribe", {"channel": "@everyone **x**"})
    assert "'@\u200beveryone \\*\\*x\\*\\*'" in unknown["content"]  # echoed, escaped

    # a channel that still exists can also be named as typed, with or without '#'
    by_name = await ask(emulator, "briefing unsubscribe", {"channel": "#Briefings"})
    assert by_name["content"] == f"Unsubscribed <#{briefings.id}>: no more briefings there."
    assert await store.list_subscriptions(emulator.guild.id) == []


# -- delivery ---------------------------------------------------------------------------------


async def test_posts_once_at_its_time_and_not_again_after_a_restart(
    bot_starter: Any, emulator: Emulator, tmp_path: Path
) -> None:
    clock = ManualClock(T0)
    data_dir = tmp_path / "data"
    running = await bot_starter(
        prepare=with_clock(clock), data_dir=data_dir, extensions=["briefings"]
    )
    briefings = channel_named(emulator, "briefings")
    await ask(
        emulator,
        "briefing subscribe",
        {"time": "09:00", "timezone": "UTC"},
        channels={"channel": briefings},
    )
    sub = await runtime_of(running).store.get_subscription_by_channel(briefings.id)
    assert sub is not None
    key = delivery_key(sub.id, DAY)

    clock.set(DUE - timedelta(seconds=1))
    await asyncio.sleep(0.2)
    assert posts(emulator, briefings) == []  # not before its minute

    clock.set(DUE + timedelta(seconds=30))
    await wait_for(lambda: posts(emulator, briefings), timeout=10)
    clock.advance(600)
    await asyncio.sleep(0.3)
    [message] = posts(emulator, briefings)
    assert footer(message) == f"Briefing · {key}"
    assert message["embeds"][0]["title"].startswith("Daily briefing · Wednesday 25 November 2026")
    custom_ids = [c["custom_id"] for row in message["components"] for c in row["components"]]
    assert len(custom_ids) == 1 and custom_ids[0].endswith(f"|{key}")
    [request] = emulator.state.requests_to("POST", f"/channels/{briefings.id}/messages")
    assert request.json["nonce"] and request.json["enforce_nonce"] is True
    assert request.json["allowed_mentions"] == {"parse": []}
    delivery = await runtime_of(running).store.get_delivery(sub.id, DAY)
    assert delivery is not None and delivery.status == "sent"
    assert delivery.message_id == int(message["id"]) and delivery.nonce == request.json["nonce"]

    # the button works on the posted message
    click = await emulator.click(message, custom_ids[0])
    opened = await click.response()
    assert opened["data"]["flags"] & 64 and opened["data"]["embeds"][0]["description"]

    await running.stop()
    restarted = await bot_starter(
        prepare=with_clock(ManualClock(DUE + timedelta(minutes=15))),
        data_dir=data_dir,
        extensions=["briefings"],
    )
    await first_pass_done(restarted)
    await asyncio.sleep(0.2)
    assert len(posts(emulator, briefings)) == 1
    assert len(emulator.state.requests_to("POST", f"/channels/{briefings.id}/messages")) == 1


async def test_403_disables_list_explains_and_resubscribe_re_enables(
    bot_starter: Any, emulator: Emulator
) -> None:
    clock = ManualClock(T0)
    running = await bot_starter(prepare=with_clock(clock), extensions=["briefings"])
    briefings = channel_named(emulator, "briefings")
    await ask(emulator, "briefing subscribe", {"time": "09:00"}, channels={"channel": briefings})
    store = runtime_of(running).store
    sub = await store.get_subscription_by_channel(briefings.id)
    assert sub is not None
    emulator.state.deny_bot(briefings.id)  # Discord now answers 403 Missing Access

    clock.set(DUE + timedelta(seconds=5))

    async def disabled() -> bool:
        current = await store.get_subscription(sub.id)
        return current is not None and not current.enabled

    deadline = time.monotonic() + 10
    while not await disabled():
        assert time.monotonic() < deadline, "subscription was not disabled"
        await asyncio.sleep(0.02)
    current = await store.get_subscription(sub.id)
    assert current is not None and current.disabled_reason == "missing_access"
    assert current.disabled_at == DUE + timedelta(seconds=5)
    assert posts(emulator, briefings) == []

    listing = await ask(emulator, "briefing list")
    text = listing["embeds"][0]["description"]
    assert f"<#{briefings.id}>" in text and "`missing_access`" in text
    assert f"<t:{int(current.disabled_at.timestamp())}:F>" in text
    assert "Disabled" in text

    briefings.overwrites.clear()  # access restored
    again = await ask(
        emulator, "briefing subscribe", {"time": "09:00"}, channels={"channel": briefings}
    )
    assert "Re-enabled" in again["content"] and "missing_access" in again["content"]
    current = await store.get_subscription(sub.id)
    assert current is not None and current.enabled and current.disabled_reason is None
    listing = await ask(emulator, "briefing list")
    assert "Disabled" not in listing["embeds"][0]["description"]


async def test_429s_are_retried_with_the_same_nonce_and_post_once(
    bot_starter: Any, emulator: Emulator
) -> None:
    clock = ManualClock(T0)
    running = await bot_starter(prepare=with_clock(clock), extensions=["briefings"])
    briefings = channel_named(emulator, "briefings")
    await ask(emulator, "briefing subscribe", {"time": "09:00"}, channels={"channel": briefings})
    path = f"/channels/{briefings.id}/messages"
    # five 429s: discord.py retries four times itself, then gives up; the dispatcher's
    # retry_after path sleeps (on its clock) and sends again
    emulator.fail_next("POST", path, count=5, retry_after=0.05)
    clock.set(DUE + timedelta(seconds=1))
    await autojump(
        clock, lambda: bool(posts(emulator, briefings)), DUE + timedelta(minutes=5), timeout=15
    )
    await asyncio.sleep(0.2)
    assert len(posts(emulator, briefings)) == 1
    requests = emulator.state.requests_to("POST", path)
    assert [r.status for r in requests] == [429] * 5 + [200]
    assert len({r.json["nonce"] for r in requests}) == 1
    status = runtime_of(running).dispatcher.status()
    assert status.sent == 1 and status.retries == 1


async def test_a_thousand_subscriptions_due_in_one_minute_are_each_posted_once(
    bot_starter: Any, emulator: Emulator, tmp_path: Path
) -> None:
    guild = emulator.guild
    channels = [emulator.state.add_channel(guild, f"fan-{i:04d}") for i in range(1000)]
    data_dir = tmp_path / "data"
    async with await SqliteStore.open(data_dir / "briefing.sqlite3") as store:
        for channel in channels:
            await store.upsert_subscription(
                guild.id, channel.id, "09:00", "UTC", "daily", None, at=T0
            )
    clock = ManualClock(T0)
    running = await bot_starter(
        prepare=with_clock(clock),
        data_dir=data_dir,
        extensions=["briefings"],
        extra={"briefings": {"max_sends_per_second": 50}},
    )
    await first_pass_done(running)
    clock.set(DUE + timedelta(seconds=1))

    def all_posted() -> bool:
        return sum(len(posts(emulator, c)) > 0 for c in channels) == len(channels)

    await autojump(clock, all_posted, DUE + timedelta(minutes=10), timeout=120)
    await asyncio.sleep(0.3)
    counts = {c.id: len(posts(emulator, c)) for c in channels}
    assert set(counts.values()) == {1}
    status = runtime_of(running).dispatcher.status()
    assert status.sent == 1000 and status.failed == 0
    sent = await runtime_of(running).store.delivery_counts(T0)
    assert sent["sent"] == 1000 and sent["pending"] == 0


# -- preview and now ---------------------------------------------------------------------------


async def test_preview_is_ephemeral_and_validates_the_date(
    bot_starter: Any, emulator: Emulator
) -> None:
    await bot_starter(prepare=with_clock(ManualClock(T0)), extensions=["briefings"])
    answer = await ask(emulator, "briefing preview", {"date": "2026-03-05"})
    assert answer["flags"] & 64
    embed = answer["embeds"][0]
    assert embed["title"] == "Daily briefing · Thursday 5 March 2026"
    assert embed["footer"]["text"] == "Briefing preview · not posted"
    today = await ask(emulator, "briefing preview")
    assert "25 November 2026" in today["embeds"][0]["title"]
    bad = await ask(emulator, "briefing preview", {"date": "2026-02-30"})
    assert bad["content"] == "'2026-02-30' is not a date: use YYYY-MM-DD, e.g. 2026-11-25."
    assert emulator.state.requests_to("POST", MESSAGES) == []


async def test_now_counts_as_the_days_delivery_only_when_none_was_made(
    bot_starter: Any, emulator: Emulator
) -> None:
    clock = ManualClock(T0)
    running = await bot_starter(prepare=with_clock(clock))  # every cog, lookup included
    briefings = channel_named(emulator, "briefings")
    general = channel_named(emulator, "general")
    await ask(emulator, "briefing subscribe", {"time": "09:00"}, channels={"channel": briefings})
    store = runtime_of(running).store
    sub = await store.get_subscription_by_channel(briefings.id)
    assert sub is not None
    key = delivery_key(sub.id, DAY)

    first = await ask(emulator, "briefing now", channels={"channel": briefings})
    assert "counts as the subscription's briefing for 2026-11-25" in first["content"]
    [message] = posts(emulator, briefings)
    assert footer(message) == f"Briefing · {key}"

    clock.set(DUE + timedelta(seconds=30))  # the scheduled time passes: no second post
    await asyncio.sleep(0.3)
    assert len(posts(emulator, briefings)) == 1

    second = await ask(emulator, "briefing now", channels={"channel": briefings})
    assert "counts as" not in second["content"]
    assert len(posts(emulator, briefings)) == 2
    # an extra post is a real post, not a preview (the footer once said "preview")
    assert footer(posts(emulator, briefings)[1]) == "Briefing · posted on request"

    elsewhere = await ask(emulator, "briefing now", channel=general)  # the current channel
    assert "Posted the briefing for 2026-11-25" in elsewhere["content"]
    [extra] = posts(emulator, general)

    # with the lookup cog loaded the button opens the section as /section does (paged)
    button = extra["components"][0]["components"][0]
    assert button["label"] == "Read full section"
    opened = await (await emulator.click(extra, button["custom_id"])).response()
    assert opened["type"] == 4 and opened["data"]["flags"] & 64
    assert opened["data"]["embeds"][0]["title"]


# -- real time (opt-in) -------------------------------------------------------------------------


@pytest.mark.skipif(
    os.environ.get("BRIEFING_REALTIME") != "1",
    reason="real-time check: waits up to 70 s for the next minute; set BRIEFING_REALTIME=1",
)
async def test_real_time_post_at_the_next_minute(bot_starter: Any, emulator: Emulator) -> None:
    running = await bot_starter(extensions=["briefings"])  # the system clock
    briefings = channel_named(emulator, "briefings")
    now = datetime.now(UTC)
    due = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    if (due - now).total_seconds() < 3:
        due += timedelta(minutes=1)
    await ask(
        emulator,
        "briefing subscribe",
        {"time": due.strftime("%H:%M"), "timezone": "UTC"},
        channels={"channel": briefings},
    )
    await wait_for(lambda: posts(emulator, briefings), timeout=(due - now).total_seconds() + 10)
    arrived = datetime.now(UTC)
    late = (arrived - due).total_seconds()
    print(f"\nreal-time post: due {due.isoformat()}, arrived {late:.3f} s later")
    assert due <= arrived < due + timedelta(seconds=5), (due, arrived)
    assert len(posts(emulator, briefings)) == 1
    assert runtime_of(running).dispatcher.status().sent == 1
    # A restart on the same data folder, still within the catch-up window: no second post.
    await running.stop()
    again = await bot_starter(extensions=["briefings"])
    await wait_for(lambda: runtime_of(again).dispatcher.status().alive, timeout=10)
    await asyncio.sleep(3)
    assert len(posts(emulator, briefings)) == 1
    assert runtime_of(again).dispatcher.status().sent == 0
