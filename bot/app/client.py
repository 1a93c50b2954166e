"""The Discord client: intents, content loading, cogs and the single error path.

Slash commands only: the bot asks for no privileged intent and no message content, and
its text-command prefix can never match. Every mention is disabled by default
(`AllowedMentions.none()`), so text quoted from the content can never ping anyone.
"""

from __future__ import annotations

import importlib.util
import logging
import secrets
import time
from collections.abc import Sequence
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.app import logs as logging_setup
from bot.app.errors import UserFacingError
from bot.app.health import for_bot
from bot.app.metrics import BotMetrics
from bot.config import DEFAULT_GATEWAY_URL, Config
from bot.content.manager import ContentManager
from bot.content.model import Snapshot
from bot.search import SearchIndex, build_index

log = logging.getLogger(__name__)

# Extensions under cogs/, loaded in this order when their module exists.
DEFAULT_EXTENSIONS: tuple[str, ...] = ("meta", "lookup", "briefings", "admin")
_NEVER_PREFIX = "\x00briefing-bot:no-text-commands\x00"


def _never_prefix(bot: commands.Bot, message: discord.Message) -> list[str]:
    """No text commands: a prefix no Discord message can start with."""
    return [_NEVER_PREFIX]


class _DropIrrelevantWarnings(logging.Filter):
    """Warnings that do not apply to a slash-only bot without voice: commands.Bot warns
    about the missing message content intent whenever the prefix is a callable, and the
    client about voice libraries at every start. Operators should not learn to ignore
    warnings, so these few are dropped."""

    NEEDLES = ("message content intent is missing", "voice will NOT be supported")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(needle in message for needle in self.NEEDLES)


logging.getLogger("discord.ext.commands.bot").addFilter(_DropIrrelevantWarnings())
logging.getLogger("discord.client").addFilter(_DropIrrelevantWarnings())


def bot_intents() -> discord.Intents:
    """Guilds only: enough for channels/roles in interactions; nothing privileged."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


def use_api_base_url(url: str) -> None:
    """Point discord.py's REST calls at `url` (e.g. the emulator or a REST proxy).

    discord.py builds every REST URL, including the interaction-webhook adapter's, from the
    class attribute `Route.BASE`, so this is process-wide: all clients in one process share
    one API base. `discord.http._set_api_version` resets it, so call this after any such call.
    """
    Route.BASE = url.rstrip("/")


def _route_gateway(http: discord.http.HTTPClient, gateway_url: str) -> None:
    """Send this client's first gateway connection to `gateway_url` instead of Discord's.

    A non-sharded discord.py client connects to `DiscordWebSocket.DEFAULT_GATEWAY` first
    (and after an invalidated session) and to READY's `resume_gateway_url` for RESUME. We
    wrap this client's `http.ws_connect` and swap the default host for the configured URL,
    keeping the query (v, encoding, compress); the class attribute stays untouched, so two
    bots in one process can use different gateways.
    """
    target = yarl.URL(gateway_url)
    default_host = DiscordWebSocket.DEFAULT_GATEWAY.host
    original = http.ws_connect

    async def ws_connect(url: str, *, compress: int = 0) -> Any:
        parsed = yarl.URL(url)
        if parsed.host == default_host:
            parsed = target.with_query(parsed.query)
        return await original(str(parsed), compress=compress)

    http.ws_connect = ws_connect  # type: ignore[method-assign]


def _interaction_where(interaction: discord.Interaction) -> dict[str, Any]:
    data: Any = interaction.data or {}
    return {
        "command": _command_name(interaction),
        "guild": interaction.guild_id,
        "channel": interaction.channel_id,
        "user": interaction.user.id if interaction.user else None,
        "options": data.get("options"),
    }


def _permission_names(perms: list[str]) -> str:
    return ", ".join(p.replace("_", " ").replace("guild", "server").title() for p in perms)


def explain(error: app_commands.AppCommandError) -> str | None:
    """The user-facing sentence for an expected error, None for an unexpected one."""
    original = getattr(error, "original", error)
    if isinstance(original, UserFacingError):
        return str(original)
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.MissingPermissions):
        return f"You need the {_permission_names(error.missing_permissions)} permission for this."
    if isinstance(error, app_commands.BotMissingPermissions):
        return (
            f"I need the {_permission_names(error.missing_permissions)} permission in this channel."
        )
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    if isinstance(error, app_commands.TransformerError):
        return f"{error.value!r} is not a valid value here."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    return None


_STARTED = "briefing_bot_started"  # key in interaction.extras: monotonic start time


def _command_name(interaction: discord.Interaction) -> str:
    command = interaction.command
    if command is not None:
        return command.qualified_name
    data: Any = interaction.data or {}
    return str(data.get("name") or "unknown")


def _elapsed(interaction: discord.Interaction) -> float | None:
    started = interaction.extras.get(_STARTED)
    return time.monotonic() - started if started is not None else None


class BriefingTree(app_commands.CommandTree["BriefingBot"]):
    """The command tree with the one error path every command shares, and its metrics."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        interaction.extras[_STARTED] = time.monotonic()
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        message = explain(error)
        self.client.metrics.interaction(
            _command_name(interaction),
            "error" if message is None else "refused",
            _elapsed(interaction),
        )
        if message is None:
            error_id = secrets.token_hex(4)
            original = getattr(error, "original", error)
            where = _interaction_where(interaction)
            log.error(
                "Unexpected error %s in /%s (guild %s, channel %s, user %s, options %s)",
                error_id,
                where["command"],
                where["guild"],
                where["channel"],
                where["user"],
                where["options"],
                exc_info=(type(original), original, original.__traceback__),
            )
            message = f"Something went wrong on my side. Error id: `{error_id}`."
        await reply_ephemeral(interaction, message)


async def reply_ephemeral(interaction: discord.Interaction, message: str) -> None:
    """Answer or follow up, whichever is still possible; never raise (the user may be gone)."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException as exc:
        log.warning(
            "Could not deliver an error message for interaction %s: %s", interaction.id, exc
        )


class BriefingBot(commands.Bot):
    """The bot. `config` decides the content folder, data folder and Discord endpoints.

    `auto_sync=True` (what `briefing-bot run` uses) syncs the command tree in setup_hook
    when its hash changed; `extensions` overrides the cogs to load (names under cogs/).
    """

    def __init__(
        self,
        config: Config,
        *,
        extensions: Sequence[str] | None = None,
        auto_sync: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=_never_prefix,
            intents=bot_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            tree_cls=BriefingTree,
            **options,
        )
        self.config = config
        self.extension_names: tuple[str, ...] = tuple(
            DEFAULT_EXTENSIONS if extensions is None else extensions
        )
        self.auto_sync = auto_sync
        self.metrics = BotMetrics()
        # The one owner of the served content: snapshot and index are replaced together.
        self.content_manager: ContentManager[SearchIndex] = ContentManager(
            config.content_path,
            build_index,
            observer=self.metrics,
            watch=config.content.watch,
            watch_debounce_ms=config.content.watch_debounce_ms,
        )
        # Created before connecting: it listens for READY/RESUMED/disconnect events.
        self.health = for_bot(self, config.health.host, config.health.port)
        self.content_errors: tuple[Any, ...] = ()
        self.sync_results: list[Any] = []
        self.loaded_extensions: list[str] = []
        if config.discord.gateway_url.rstrip("/") != DEFAULT_GATEWAY_URL:
            _route_gateway(self.http, config.discord.gateway_url)

    @property
    def snapshot(self) -> Snapshot | None:
        """The content being served (None until loaded); read it anew for every answer."""
        loaded = self.content_manager.loaded
        return loaded.snapshot if loaded is not None else None

    @property
    def search_index(self) -> Any:
        """The index of `snapshot`, swapped with it in one assignment on reload."""
        loaded = self.content_manager.loaded
        return loaded.index if loaded is not None else None

    async def login(self, token: str) -> None:
        logging_setup.add_secrets([token])
        use_api_base_url(self.config.discord.api_base_url)
        await super().login(token)

    async def setup_hook(self) -> None:
        if self.config.health.enabled:
            await self.health.start()
        await self.load_content()
        await self.content_manager.start()  # SIGHUP and, with content.watch, the watcher
        for name in self.extension_names:
            module = f"cogs.{name}"
            if importlib.util.find_spec(module) is None:
                log.debug("Extension %s not present; skipped", module)
                continue
            await self.load_extension(module)
            self.loaded_extensions.append(name)
        log.info("Loaded extensions: %s", ", ".join(self.loaded_extensions) or "none")
        if self.auto_sync:
            from bot.app.sync import sync_commands

            self.sync_results = await sync_commands(
                self.tree,
                self.config.data_dir,
                guild_ids=list(self.config.discord.dev_guild_ids) or None,
            )

    async def load_content(self) -> bool:
        """Load the content and its search index in a worker thread; True when served.

        On errors the bot still starts without content: it answers /help and says the
        content is unavailable (and /healthz says why) rather than not starting at all.
        """
        report = await self.content_manager.reload("start")
        self.content_errors = tuple(report.errors)
        return report.ok

    async def on_app_command_completion(
        self, interaction: discord.Interaction, command: Any
    ) -> None:
        self.metrics.interaction(command.qualified_name, "ok", _elapsed(interaction))

    def briefing_metrics(self, event: str) -> None:
        """Called by the briefing dispatcher for every delivery: sent, failed or skipped."""
        if event in ("sent", "failed", "skipped"):
            self.metrics.briefing(event)

    async def close(self) -> None:
        await self.content_manager.stop()
        await super().close()
        await self.health.stop()
