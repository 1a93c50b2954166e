"""The bot: a typed `commands.Bot` that owns the served content, the briefings runtime, the
section reader, metrics and health, and the one error path every command shares.

Slash commands only: the bot asks for no privileged intent and no message content, and its
text-command prefix can never match. Every mention is disabled by default
(`AllowedMentions.none()`), so text quoted from the content can never ping anyone.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import logs
from bot.app.briefings import BriefingsRuntime, open_runtime
from bot.app.cluster import ClusterRuntime, shard_health
from bot.app.errors import STARTED, elapsed, interaction_name, reply_ephemeral, report
from bot.app.gateway import bot_intents, route_gateway, use_api_base_url
from bot.app.health import GatewayState, HealthServer
from bot.app.metrics import BotMetrics
from bot.app.overload import (
    SHEDDABLE,
    Admission,
    Busy,
    Expired,
    Gate,
    Policy,
    age_of,
    expired,
    wants_private,
)
from bot.app.reader import SectionReader
from bot.app.store_health import StoreMonitor, StoreSource
from bot.app.sync import SyncResult, sync_commands
from bot.briefings.clock import Clock, SystemClock
from bot.config import DEFAULT_GATEWAY_URL, Config
from bot.content.manager import ContentManager
from bot.content.model import Snapshot
from bot.search import SearchIndex, build_index
from bot.storage import StoreError, backend_of

log = logging.getLogger(__name__)

# Extensions under cogs/, loaded in this order.
DEFAULT_EXTENSIONS: tuple[str, ...] = ("meta", "lookup", "briefings", "admin")
_NEVER_PREFIX = "\x00briefing-bot:no-text-commands\x00"


def _never_prefix(bot: commands.Bot, message: discord.Message) -> list[str]:
    """No text commands: a prefix no Discord message can start with."""
    return [_NEVER_PREFIX]


class _DropIrrelevantWarnings(logging.Filter):
    """Warnings that do not apply to a slash-only bot without voice (the missing message
    content intent, voice libraries): operators should not learn to ignore warnings."""

    NEEDLES = ("message content intent is missing", "voice will NOT be supported")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(needle in message for needle in self.NEEDLES)


logging.getLogger("discord.ext.commands.bot").addFilter(_DropIrrelevantWarnings())
logging.getLogger("discord.client").addFilter(_DropIrrelevantWarnings())


NO_LONGER_WORKS = "This button no longer works; run the command again."


class UnknownComponent(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"(?s:.*)"):
    """Every click reaches this item too: when no feature's item claims the custom_id (a
    forged one, or one from an older version), the user gets a short answer instead of
    Discord's "This interaction failed"."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(discord.ui.Button(custom_id=custom_id))
        self.custom_id_seen = custom_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: Any, /
    ) -> UnknownComponent:
        return cls(match.group(0))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        client = interaction.client
        if isinstance(client, BriefingBot) and client.claims_component(self.custom_id_seen):
            return
        log.warning(
            "Unrecognised component %r from user %s", self.custom_id_seen, interaction.user.id
        )
        await reply_ephemeral(interaction, NO_LONGER_WORKS)


class BriefingTree(app_commands.CommandTree["BriefingBot"]):
    """The command tree with the one error path every command shares, and its metrics."""

    async def interaction_check(self, interaction: discord.Interaction[BriefingBot]) -> bool:
        interaction.extras[STARTED] = time.monotonic()
        command = interaction.command
        lookup = command is not None and bool(command.extras.get(SHEDDABLE))
        invoked = interaction.type is discord.InteractionType.application_command
        if lookup and invoked and self.client.gate.admit(interaction) is Admission.DEFER:
            private = wants_private(interaction)
            try:
                await interaction.response.defer(ephemeral=private, thinking=True)
            except discord.NotFound as exc:  # its window closed while it waited
                raise Expired(str(exc)) from exc
        return True

    async def on_error(
        self, interaction: discord.Interaction[BriefingBot], error: app_commands.AppCommandError
    ) -> None:
        self.client.gate.release(interaction)
        name = interaction_name(interaction)
        if expired(error):  # nothing can answer it now: one line, no traceback, no reply
            age = age_of(interaction)
            log.warning(
                "Interaction %s (%s) expired unanswered, %.1f s old", interaction.id, name, age
            )
            self.client.metrics.interaction(name, "expired", elapsed(interaction))
            return
        original = getattr(error, "original", error)
        if isinstance(original, StoreError):
            self.client.store_monitor.failed(original)
        if isinstance(error, Busy):
            await reply_ephemeral(interaction, str(error))
            outcome = "shed"
        else:
            outcome = await report(interaction, error)
        self.client.metrics.interaction(name, outcome, elapsed(interaction))


class BriefingBot(commands.Bot):
    """The bot. `config` decides the content folder, data folder and Discord endpoints.

    `auto_sync=True` (what `briefing-bot run` uses) syncs the command tree in setup_hook when
    its hash changed; `extensions` overrides the cogs to load (names under cogs/); `clock`
    drives the briefings (the system clock unless a test or the playground injects one);
    `cluster` joins it to the other processes on its PostgreSQL database (docs/scaling.md;
    bot/app/sharded.py makes the sharded variant).
    """

    tree: BriefingTree

    def __init__(
        self,
        config: Config,
        *,
        extensions: Sequence[str] | None = None,
        auto_sync: bool = False,
        clock: Clock | None = None,
        cluster: ClusterRuntime | None = None,
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
        self.extension_names = tuple(DEFAULT_EXTENSIONS if extensions is None else extensions)
        self.auto_sync = auto_sync
        self.cluster = cluster
        self.clock: Clock = clock or SystemClock()
        self.metrics = BotMetrics()
        # The one owner of the served content: snapshot and index are replaced together.
        self.content_manager: ContentManager[SearchIndex] = ContentManager(
            config.content_path,
            build_index,
            observer=self.metrics,
            watch=config.content.watch,
            watch_debounce_ms=config.content.watch_debounce_ms,
        )
        self.reader = SectionReader()
        self.gate = Gate(Policy.from_config(config.interactions))
        self.briefings: BriefingsRuntime | None = None
        self.briefings_error: str | None = None  # why the runtime could not start
        self.store_monitor = StoreMonitor(
            StoreSource(
                store=lambda: self.briefings.store if self.briefings else None,
                backend=backend_of(config),
                open_error=lambda: self.briefings_error,
            ),
            self.metrics,
        )
        self.sync_results: list[SyncResult] = []
        self._component_templates: dict[type[Any], re.Pattern[str]] = {}
        # Created before connecting: it listens for READY/RESUMED/disconnect events.
        self.health = self._health_server()
        if config.discord.gateway_url.rstrip("/") != DEFAULT_GATEWAY_URL:
            route_gateway(self.http, config.discord.gateway_url)

    # -- what is served ----------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot | None:
        """The content being served (None until loaded); read it anew for every answer."""
        loaded = self.content_manager.loaded
        return loaded.snapshot if loaded is not None else None

    @property
    def search_index(self) -> SearchIndex | None:
        """The index of `snapshot`, swapped with it in one assignment on reload."""
        loaded = self.content_manager.loaded
        return loaded.index if loaded is not None else None

    # -- lifecycle ---------------------------------------------------------------------

    async def login(self, token: str) -> None:
        logs.add_secrets([token])
        use_api_base_url(self.config.discord.api_base_url)
        await super().login(token)

    async def setup_hook(self) -> None:
        if self.config.health.enabled:
            await self.health.start()
        # On errors the bot still starts: it answers /help, says the content is
        # unavailable, and /healthz says why.
        await self.content_manager.reload("start")
        await self.content_manager.start()  # SIGHUP and, with content.watch, the watcher
        self.add_dynamic_items(UnknownComponent)
        for name in self.extension_names:
            await self.load_extension(f"cogs.{name}")
        log.info("Loaded extensions: %s", ", ".join(self.extension_names) or "none")
        if self.auto_sync:
            guild_ids = list(self.config.discord.dev_guild_ids) or None
            self.sync_results = await sync_commands(
                self.tree, self.config.data_dir, guild_ids=guild_ids
            )

    async def start_briefings(self) -> BriefingsRuntime | None:
        """Open the store and start the one dispatcher (idempotent); None when the store
        cannot be opened (`briefings_error` says why, and /briefing commands say so)."""
        if self.briefings is None:
            try:
                self.briefings = await open_runtime(
                    self, self.config, self.clock, cluster=self.cluster
                )
            except StoreError as exc:
                self.briefings_error = str(exc)
                log.error("Briefings disabled: %s", exc)
        return self.briefings

    async def stop_briefings(self) -> None:
        runtime, self.briefings = self.briefings, None
        if runtime is not None:
            await runtime.stop()

    def add_dynamic_items(self, *items: type[discord.ui.DynamicItem[Any]]) -> None:
        super().add_dynamic_items(*items)
        for item in items:
            if item is not UnknownComponent:
                self._component_templates[item] = item.__discord_ui_compiled_template__

    def remove_dynamic_items(self, *items: type[discord.ui.DynamicItem[Any]]) -> None:
        super().remove_dynamic_items(*items)
        for item in items:
            self._component_templates.pop(item, None)

    def claims_component(self, custom_id: str) -> bool:
        """Whether a loaded feature's button or menu answers this custom_id."""
        return any(t.fullmatch(custom_id) for t in self._component_templates.values())

    async def on_app_command_completion(
        self, interaction: discord.Interaction[BriefingBot], command: Any
    ) -> None:
        self.gate.release(interaction)
        self.metrics.interaction(command.qualified_name, "ok", elapsed(interaction))

    async def close(self) -> None:
        await self.content_manager.stop()
        await self.stop_briefings()
        await super().close()
        await self.health.stop()

    def _health_server(self) -> HealthServer:
        gateway = GatewayState(self, self.metrics)
        return HealthServer(
            is_connected=gateway.connected,
            content_loaded=lambda: self.content_manager.loaded is not None,
            metrics=self.metrics.render,
            details=lambda: {
                "content_hash": self.snapshot.short_hash if self.snapshot else None,
                "guilds": len(self.guilds),
                "shards": shard_health(self, gateway.connected),
                **({"cluster": self.cluster.health()} if self.cluster is not None else {}),
            },
            store=self.store_monitor.health if "briefings" in self.extension_names else None,
            host=self.config.health.host,
            port=self.config.health.port,
        )


def bot_of(interaction: discord.Interaction[Any]) -> BriefingBot:
    """The BriefingBot an interaction reached (discord.py types a component's client as Any)."""
    client = interaction.client
    if not isinstance(client, BriefingBot):
        raise TypeError(f"expected a BriefingBot, got {type(client).__name__}")
    return client


Interaction = discord.Interaction[BriefingBot]  # what the cogs' callbacks receive
