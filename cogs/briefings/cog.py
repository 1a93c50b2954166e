"""/briefing subscribe | unsubscribe | list | preview | now — Manage Server, servers only.

Thin: schedule maths, storage and delivery live in bot.briefings and bot.storage, delivery over
Discord in bot.app.briefings, rendering in bot.app.render.briefing. Loading the cog starts
the bot's one briefings runtime (store and dispatcher); unloading it stops it.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.briefings import BriefingsRuntime
from bot.app.client import BriefingBot, Interaction
from bot.app.errors import ContentUnavailableError, UserFacingError
from bot.app.render import limits
from bot.app.render.briefing import (
    COLOUR,
    DAYS_LABELS,
    DISABLE_EXPLAINED,
    briefing_embed,
    briefing_view,
    fit_entries,
    missing_permissions,
    missing_permissions_message,
    timestamp,
)
from bot.app.render.escape import escape_user_text
from bot.briefings.compose import compose_briefing
from bot.briefings.now import post_now
from bot.briefings.schedule import (
    ScheduleError,
    next_due,
    parse_post_time,
    suggest_timezones,
    validate_days,
    validate_timezone,
)
from bot.content.model import Snapshot
from bot.storage import Subscription
from cogs.briefings.views import ReadSectionButton

log = logging.getLogger(__name__)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CHANNEL_REF = re.compile(r"<#(\d{1,20})>|(\d{1,20})")
NO_MENTIONS = discord.AllowedMentions.none()
ECHO_LIMIT = 100  # characters of a user's own input quoted back in an error
DAYS_CHOICES = [
    app_commands.Choice(name="every day", value="daily"),
    app_commands.Choice(name="weekdays", value="weekdays"),
]


def manage_server() -> Any:
    """The runtime half of `default_permissions(manage_guild=True)`: server admins can
    re-grant a command to anyone in Integrations settings, so the permission is re-checked."""

    async def predicate(interaction: Interaction) -> bool:
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage()
        if not interaction.permissions.manage_guild:
            raise app_commands.MissingPermissions(["manage_guild"])
        return True

    return app_commands.check(predicate)


def _channel_of(interaction: Interaction, channel: Any) -> discord.TextChannel:
    """The resolved channel (or the current one) as a cached text channel of this guild."""
    guild = interaction.guild
    assert guild is not None  # manage_server() ran
    target = channel if channel is not None else interaction.channel
    cached = guild.get_channel(target.id) if target is not None else None
    if not isinstance(cached, discord.TextChannel):
        raise UserFacingError("Briefings can only be posted in a text or announcement channel.")
    return cached


def _check_bot_permissions(channel: discord.TextChannel) -> None:
    missing = missing_permissions(channel.permissions_for(channel.guild.me))
    if missing:
        raise UserFacingError(missing_permissions_message(channel.mention, missing))


def _quote(text: str) -> str:
    """A user's own input quoted back: escaped, so it cannot format or read as a ping, and
    clipped, so a long option cannot push the answer past Discord's limit."""
    return escape_user_text(text, ECHO_LIMIT)


def _channel_label(guild: discord.Guild, channel_id: int) -> str:
    """A mention while the channel exists; a deleted one would render as a bare
    "#deleted-channel", so it is named by id instead."""
    if guild.get_channel(channel_id) is not None:
        return f"<#{channel_id}>"
    return f"the deleted channel `{channel_id}`"


def _subscription_choice_name(guild: discord.Guild, sub: Subscription) -> str:
    channel = guild.get_channel(sub.channel_id)
    where = f"#{channel.name}" if channel is not None else "deleted channel"
    state = "enabled" if sub.enabled else f"disabled: {sub.disabled_reason or 'unknown'}"
    return f"{where} ({sub.channel_id}) · {sub.post_time} {sub.timezone} · {state}"


def _match_subscription(
    guild: discord.Guild, subs: list[Subscription], value: str
) -> Subscription | None:
    """The subscription `value` names: a channel id (what autocomplete sends), a channel
    mention, or the name of a channel that still exists."""
    text = value.strip()
    mention = _CHANNEL_REF.fullmatch(text)
    if mention is not None:
        channel_id = int(mention.group(1) or mention.group(2))
        return next((s for s in subs if s.channel_id == channel_id), None)
    name = text.lstrip("#").casefold()
    for sub in subs:
        channel = guild.get_channel(sub.channel_id)
        if channel is not None and channel.name.casefold() == name:
            return sub
    return None


def _schedule_text(sub: Subscription) -> str:
    return f"{sub.post_time} {sub.timezone}, {DAYS_LABELS.get(sub.days, sub.days)}"


class Briefings(commands.Cog):
    briefing = app_commands.Group(
        name="briefing",
        description="The daily Bluebook briefing in this server's channels",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ReadSectionButton)
        await self.bot.start_briefings()

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ReadSectionButton)
        await self.bot.stop_briefings()

    # -- helpers -------------------------------------------------------------------------------

    def _runtime(self) -> BriefingsRuntime:
        runtime = self.bot.briefings
        if runtime is None:
            raise UserFacingError("Briefings are unavailable right now: the database is not open.")
        return runtime

    def _snapshot(self) -> Snapshot:
        snapshot = self.bot.snapshot
        if snapshot is None:
            raise ContentUnavailableError()
        return snapshot

    # -- commands ------------------------------------------------------------------------------

    @briefing.command(name="subscribe", description="Post the daily briefing in a channel")
    @app_commands.describe(
        channel="Where to post",
        time="Time of day, 24-hour HH:MM (default from the bot's config)",
        timezone="IANA time zone such as Asia/Tokyo (default from the bot's config)",
        days="Every day (default) or weekdays only",
    )
    @app_commands.choices(days=DAYS_CHOICES)
    @manage_server()
    async def subscribe(
        self,
        interaction: Interaction,
        channel: discord.TextChannel,
        time: str | None = None,
        timezone: str | None = None,
        days: app_commands.Choice[str] | None = None,
    ) -> None:
        runtime = self._runtime()
        target = _channel_of(interaction, channel)
        _check_bot_permissions(target)
        defaults = self.bot.config.briefings
        try:
            post_time = parse_post_time(time or defaults.default_time)
            zone = validate_timezone(timezone or defaults.default_timezone)
            schedule_days = validate_days(days.value if days else "daily")
        except ScheduleError as exc:
            raise UserFacingError(exc.render(_quote)) from None
        now = runtime.clock.now()
        before = await runtime.store.get_subscription_by_channel(target.id)
        sub = await runtime.store.upsert_subscription(
            target.guild.id, target.id, post_time, zone, schedule_days, interaction.user.id, at=now
        )
        runtime.dispatcher.notify()
        upcoming = next_due(sub.post_time, sub.timezone, sub.days, now)
        if before is None:
            head = f"Subscribed {target.mention} to the daily briefing"
        elif not before.enabled:
            head = (
                f"Re-enabled the briefing in {target.mention} "
                f"(it was disabled: `{before.disabled_reason}`)"
            )
        else:
            head = f"Updated the briefing in {target.mention}"
        await interaction.response.send_message(
            f"{head}: {_schedule_text(sub)}.\nNext post: {timestamp(upcoming.at, 'F')} "
            f"({timestamp(upcoming.at, 'R')}).",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @subscribe.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=name, value=name)
            for name in suggest_timezones(current, limit=limits.AUTOCOMPLETE_CHOICES)
        ]

    @briefing.command(name="unsubscribe", description="Stop the daily briefing in a channel")
    @app_commands.describe(
        channel="The subscription to stop: pick it from the list (deleted channels included)"
    )
    @manage_server()
    async def unsubscribe(self, interaction: Interaction, channel: str) -> None:
        # A string with autocomplete rather than a channel picker: a subscription whose
        # channel was deleted must still be removable, and Discord's picker cannot offer it.
        runtime = self._runtime()
        assert interaction.guild is not None  # manage_server() ran
        subs = await runtime.store.list_subscriptions(interaction.guild.id)
        sub = _match_subscription(interaction.guild, subs, channel)
        if sub is None:
            raise UserFacingError(
                f"No briefing subscription in this server matches "
                f"'{_quote(channel)}': pick one from the list "
                "(`/briefing list` shows them all)."
            )
        await runtime.store.unsubscribe(sub.channel_id)
        runtime.dispatcher.notify()
        await interaction.response.send_message(
            f"Unsubscribed {_channel_label(interaction.guild, sub.channel_id)}: "
            "no more briefings there.",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @unsubscribe.autocomplete("channel")
    async def subscription_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        runtime = self.bot.briefings
        guild = interaction.guild
        # Autocomplete runs no checks: only people who may unsubscribe see the list.
        if runtime is None or guild is None or not interaction.permissions.manage_guild:
            return []
        needle = current.strip().lstrip("#").casefold()
        choices: list[app_commands.Choice[str]] = []
        for sub in await runtime.store.list_subscriptions(guild.id):
            name = limits.clip(_subscription_choice_name(guild, sub), limits.AUTOCOMPLETE_NAME)
            if needle and needle not in name.casefold():
                continue
            choices.append(app_commands.Choice(name=name, value=str(sub.channel_id)))
            if len(choices) == limits.AUTOCOMPLETE_CHOICES:
                break
        return choices

    @briefing.command(name="list", description="This server's briefing subscriptions")
    @manage_server()
    async def list_(self, interaction: Interaction) -> None:
        runtime = self._runtime()
        assert interaction.guild_id is not None
        subs = await runtime.store.list_subscriptions(interaction.guild_id)
        if not subs:
            await interaction.response.send_message(
                "No channel here gets the briefing yet: use `/briefing subscribe`.",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        lasts = await runtime.store.last_deliveries()
        now = runtime.clock.now()
        lines: list[str] = []
        for sub in subs:
            line = f"<#{sub.channel_id}> — {_schedule_text(sub)}"
            if sub.enabled:
                upcoming = next_due(sub.post_time, sub.timezone, sub.days, now)
                line += f"\nNext: {timestamp(upcoming.at, 'F')}"
            else:
                when = timestamp(sub.disabled_at, "F") if sub.disabled_at else "unknown time"
                why = DISABLE_EXPLAINED.get(sub.disabled_reason or "", "disabled")
                line += (
                    f"\n**Disabled** `{sub.disabled_reason}` since {when}: {why}. "
                    "Fix it and run `/briefing subscribe` again to re-enable."
                )
            last = lasts.get(sub.id)
            if last is not None:
                finished = last.completed_at or last.created_at
                line += (
                    f"\nLast: {last.local_date.isoformat()} {last.status} "
                    f"({timestamp(finished, 'F')})"
                )
            else:
                line += "\nLast: never"
            lines.append(line)
        embed = discord.Embed(
            title=f"Briefing subscriptions ({len(subs)})",
            description=fit_entries(lines, limits.EMBED_DESCRIPTION),
            colour=COLOUR,
        )
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @briefing.command(name="preview", description="See the briefing for a date (only you)")
    @app_commands.describe(date="YYYY-MM-DD (default: today in UTC)")
    @manage_server()
    async def preview(self, interaction: Interaction, date: str | None = None) -> None:
        runtime = self._runtime()
        day = _parse_day(date) if date is not None else runtime.clock.now().date()
        briefing = compose_briefing(self._snapshot(), day)
        if briefing.is_empty:
            raise UserFacingError("The loaded content has nothing to brief on.")
        view = briefing_view(briefing, None)
        await interaction.response.send_message(
            embed=briefing_embed(briefing, None, preview=True),
            view=view if view is not None else discord.utils.MISSING,
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @briefing.command(name="now", description="Post today's briefing in a channel right away")
    @app_commands.describe(channel="Where to post (default: this channel)")
    @manage_server()
    async def now(
        self,
        interaction: Interaction,
        channel: discord.TextChannel | None = None,
    ) -> None:
        runtime = self._runtime()
        target = _channel_of(interaction, channel)
        _check_bot_permissions(target)
        snapshot = self._snapshot()
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            posted = await post_now(runtime.now_context(), snapshot, target.id)
        except discord.HTTPException as exc:
            raise UserFacingError(
                f"Discord refused the post in {target.mention} ({exc.status}: "
                f"{limits.clip(exc.text or 'no detail', 200)})."
            ) from None
        counted = (
            f" It counts as the subscription's briefing for {posted.local_date.isoformat()}."
            if posted.delivery_key
            else ""
        )
        link = f"https://discord.com/channels/{target.guild.id}/{target.id}/{posted.message_id}"
        await interaction.edit_original_response(
            content=f"Posted the briefing for {posted.local_date.isoformat()} in "
            f"{target.mention}: {link}.{counted}",
            allowed_mentions=NO_MENTIONS,
        )


def _parse_day(text: str) -> date:
    """A `YYYY-MM-DD` option as a date (module level: the command's option is named `date`).
    The pattern comes first because `date.fromisoformat` also takes forms like `20261125`."""
    value = text.strip()
    if _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise UserFacingError(f"'{_quote(text)}' is not a date: use YYYY-MM-DD, e.g. 2026-11-25.")
