"""/admin reload, /admin sync and /admin status: operating the bot from Discord.

Reload and sync change what every server sees, so they are for the bot's operators only
(config `admin.owner_ids`, the application's owner or its team members); status is for
anyone who manages the server. `default_permissions(manage_guild)` only hides the group
from other members, and server admins can re-grant it to anyone, so every command also
checks at run time. Replies are ephemeral, mention no one, and put content paths and
messages in code blocks so nothing in a file name turns into Markdown.
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import escape_markdown, format_dt

import bot as bot_package
from bot.app.briefings import BriefingsRuntime
from bot.app.client import BriefingBot, Interaction
from bot.app.errors import UserFacingError
from bot.app.render import limits
from bot.app.render.cluster import live_count, nodes_text, reload_text
from bot.app.render.escape import escape_user_text
from bot.app.render.reload_report import render_report
from bot.app.sync import sync_commands
from bot.content.manager import ContentManager, ReloadReport
from bot.search import SearchIndex
from bot.storage import StoreError

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
OK_COLOUR = 0x2E7D32
FAIL_COLOUR = 0xC62828
INFO_COLOUR = 0x455A64
FENCE = "```"


class NotBotAdmin(app_commands.CheckFailure, UserFacingError):
    """Refusal with a message the app's error path shows as is."""

    def __init__(self, message: str) -> None:
        app_commands.CheckFailure.__init__(self, message)
        self.message = message

    def __str__(self) -> str:
        return self.message


async def is_bot_admin(client: BriefingBot, user: discord.abc.User) -> bool:
    """Config `admin.owner_ids`, else the application's owner or team (`bot.is_owner`)."""
    if user.id in client.config.admin.owner_ids:
        return True
    try:
        return await client.is_owner(user)
    except discord.HTTPException as exc:  # application info unavailable: refuse, say why
        log.warning("could not fetch application info to check owners: %s", exc)
        return False


def bot_admin_only() -> Any:
    async def predicate(interaction: Interaction) -> bool:
        if await is_bot_admin(interaction.client, interaction.user):
            return True
        log.info(
            "admin command /%s refused for user %s in guild %s",
            interaction.command.qualified_name if interaction.command else "?",
            interaction.user.id,
            interaction.guild_id,
        )
        raise NotBotAdmin("Only the bot's operators can do this.")

    return app_commands.check(predicate)


def manage_server_or_admin() -> Any:
    async def predicate(interaction: Interaction) -> bool:
        if interaction.guild is not None and interaction.permissions.manage_guild:
            return True
        if await is_bot_admin(interaction.client, interaction.user):
            return True
        raise NotBotAdmin("You need the Manage Server permission for this.")

    return app_commands.check(predicate)


def report_embed(report: ReloadReport) -> discord.Embed:
    title = "Content reloaded" if report.ok else "Reload refused"
    return discord.Embed(
        title=title,
        description=render_report(report),
        colour=OK_COLOUR if report.ok else FAIL_COLOUR,
    )


def _duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h {minutes}m"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {secs}s"


def _field(embed: discord.Embed, name: str, value: str, inline: bool = True) -> None:
    embed.add_field(
        name=limits.clip(name, limits.EMBED_FIELD_NAME),
        value=limits.clip(value or "—", limits.EMBED_FIELD_VALUE),
        inline=inline,
    )


class Admin(commands.Cog):
    admin = app_commands.Group(
        name="admin",
        description="Operate the bot: reload content, sync commands, status",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    def __init__(self, client: BriefingBot) -> None:
        self.bot = client
        # The app owns the ContentManager (started in its setup_hook); the cog only uses it.
        self.manager: ContentManager[SearchIndex] = client.content_manager

    # -- /admin reload ---------------------------------------------------------------------

    @admin.command(name="reload", description="Reload the content folder and show what changed")
    @bot_admin_only()
    async def reload(self, interaction: Interaction) -> None:
        # A large folder takes longer than Discord's 3 s to load: answer first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        trigger = f"/admin reload by user {interaction.user.id}"
        report = await self.manager.reload(trigger)
        log.info(
            "admin reload by user %s in guild %s: %s (%d errors, %.2fs)",
            interaction.user.id,
            interaction.guild_id,
            "ok" if report.ok else "refused",
            len(report.errors),
            report.elapsed_s,
        )
        embed = report_embed(report)
        await self._reload_the_others(embed, report, trigger)
        await interaction.edit_original_response(embed=embed, allowed_mentions=NO_MENTIONS)

    async def _reload_the_others(
        self, embed: discord.Embed, report: ReloadReport, trigger: str
    ) -> None:
        """In a cluster, every other live process reloads too (LISTEN/NOTIFY); the reply
        lists each process with its content hash, or that it did not answer in time."""
        cluster = self.bot.cluster
        if cluster is None:
            return
        try:
            result = await cluster.broadcast_reload(trigger)
        except StoreError as exc:
            log.warning("admin reload could not reach the other processes: %s", exc)
            text = "the other processes could not be asked: the database is not answering"
            _field(embed, "Processes", text, inline=False)
            return
        wait = cluster.config.reload_wait_seconds
        text = reload_text(cluster.name, cluster.shards, report, result, wait)
        _field(embed, f"Processes ({1 + len(result.peers)})", text, inline=False)

    # -- /admin sync -----------------------------------------------------------------------

    @admin.command(name="sync", description="Register the slash commands with Discord again")
    @bot_admin_only()
    async def sync(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        config = self.bot.config
        guild_ids = list(config.discord.dev_guild_ids)
        try:
            results = await sync_commands(
                self.bot.tree,
                config.data_dir,
                guild_ids=guild_ids or None,
                force=True,
            )
        except discord.HTTPException as exc:
            log.warning("admin sync by user %s failed: %s", interaction.user.id, exc)
            raise UserFacingError(f"Discord refused the sync: {exc.status} {exc.text}") from None
        lines = []
        for result in results:
            scope = "global" if result.scope == "global" else f"guild {result.scope}"
            names = ", ".join(f"/{n}" for n in result.commands) or "none"
            lines.append(f"**{scope}**: {len(result.commands)} commands — {names}")
        log.info(
            "admin sync by user %s in guild %s: %s",
            interaction.user.id,
            interaction.guild_id,
            "; ".join(f"{r.scope}={len(r.commands)}" for r in results),
        )
        embed = discord.Embed(
            title="Commands synced",
            description=limits.clip(
                "\n".join(lines) or "Nothing to sync.", limits.EMBED_DESCRIPTION
            ),
            colour=OK_COLOUR,
        )
        await interaction.edit_original_response(embed=embed, allowed_mentions=NO_MENTIONS)

    # -- /admin status ---------------------------------------------------------------------

    @admin.command(name="status", description="Version, uptime, content and briefings health")
    @manage_server_or_admin()
    async def status(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        # Operators see the whole bot; a server's admins see their own server's figures.
        operator = await is_bot_admin(self.bot, interaction.user)
        embed = await self.status_embed(interaction.guild_id, operator=operator)
        log.info("admin status by user %s in guild %s", interaction.user.id, interaction.guild_id)
        await interaction.edit_original_response(embed=embed, allowed_mentions=NO_MENTIONS)

    async def status_embed(self, guild_id: int | None, *, operator: bool) -> discord.Embed:
        client = self.bot
        embed = discord.Embed(title="Briefing Bot status", colour=INFO_COLOUR)
        uptime = client.metrics.uptime_s()
        latency = client.latency
        latency_text = f"{latency * 1000:.0f} ms" if math.isfinite(latency) else "no heartbeat yet"
        _field(embed, "Version", bot_package.__version__)
        _field(embed, "Uptime", _duration(uptime))
        _field(embed, "Gateway latency", latency_text)
        if operator:
            _field(embed, "Servers", str(len(client.guilds)))

        loaded = self.manager.loaded
        if loaded is None:
            _field(embed, "Content", "not loaded", inline=False)
        else:
            _field(
                embed,
                "Content",
                f"`{loaded.snapshot.short_hash}` — {len(loaded.snapshot.documents)} documents, "
                f"{loaded.sections} sections, {loaded.facts} facts\n"
                f"loaded {format_dt(loaded.loaded_at, 'R')} in {loaded.load_seconds:.2f} s",
                inline=False,
            )
        report = self.manager.last_report
        if report is None:
            last = "none since start"
        else:
            result = "ok" if report.ok else f"refused ({len(report.errors)} errors)"
            last = (
                f"{result} {format_dt(report.finished_at, 'R')}, "
                f"{escape_markdown(report.trigger)}, {report.elapsed_s:.2f} s"
            )
        _field(embed, "Last reload", last, inline=False)
        if operator:
            await self._cluster_field(embed)
        await self._briefing_fields(embed, guild_id, operator)
        embed.timestamp = datetime.now(UTC)
        return embed

    async def _cluster_field(self, embed: discord.Embed) -> None:
        """The processes of the cluster's heartbeat table (operators only)."""
        cluster = self.bot.cluster
        if cluster is None:
            return
        try:
            nodes = await cluster.node.nodes()
        except StoreError as exc:
            log.warning("admin status could not read the cluster table: %s", exc)
            _field(embed, "Processes", "the database is not answering", inline=False)
            return
        text = nodes_text(nodes, cluster.node.owner)
        _field(embed, f"Processes ({live_count(nodes)} live)", text, inline=False)

    async def _briefing_fields(
        self, embed: discord.Embed, guild_id: int | None, operator: bool
    ) -> None:
        runtime = self.bot.briefings
        if runtime is None:
            _field(embed, "Briefings", "briefings not enabled", inline=False)
            return
        status = runtime.dispatcher.status()
        if not operator:
            alive = "running" if status.alive else "**not running**"
            _field(embed, "Briefings", f"dispatcher {alive}", inline=False)
            await self._server_fields(embed, runtime, guild_id)
            return
        due = format_dt(status.next_due, "R") if status.next_due else "nothing scheduled"
        _field(
            embed,
            "Briefings",
            f"dispatcher {'alive' if status.alive else '**not running**'}; next due {due}\n"
            f"sent {status.sent}, failed {status.failed}, skipped {status.skipped}, "
            f"disabled {status.disabled}, retries {status.retries}",
            inline=False,
        )
        if status.last_error:
            # Clipped, not sliced, and a fence in the text cannot close the code block.
            error = limits.clip(
                status.last_error.replace(FENCE, "`\u200b``"),
                limits.EMBED_FIELD_VALUE - 2 * len(FENCE) - 2,
            )
            _field(embed, "Last dispatcher error", f"{FENCE}\n{error}\n{FENCE}", False)
        await self._server_fields(embed, runtime, guild_id)

    async def _server_fields(
        self, embed: discord.Embed, runtime: BriefingsRuntime, guild_id: int | None
    ) -> None:
        """This server's recent deliveries and disabled subscriptions."""
        store = runtime.store
        try:
            recent = await store.recent_deliveries(limit=5, guild_id=guild_id)
            subs = await store.list_subscriptions(guild_id) if guild_id is not None else []
        except Exception as exc:  # the store may be closing; status must still answer
            log.warning("admin status could not read the briefing store: %s", exc)
            _field(embed, "Deliveries", "the database is not readable right now", False)
            return
        lines = [
            f"{d.local_date.isoformat()} — {getattr(d.status, 'value', d.status)}"
            + (f" ({escape_user_text(d.detail, 80)})" if d.detail else "")
            for d in recent
        ]
        _field(embed, "Recent deliveries (this server)", "\n".join(lines) or "none", False)
        disabled = [s for s in subs if not s.enabled]
        dis_lines = [
            f"<#{s.channel_id}>: {escape_user_text(s.disabled_reason or 'disabled', 100)}"
            for s in disabled
        ]
        _field(embed, "Disabled subscriptions", "\n".join(dis_lines) or "none", False)
