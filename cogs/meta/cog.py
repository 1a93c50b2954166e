"""/help: what the bot does, its commands (read from the tree) and where the content is from.

It touches no content index and no database, and its embed is built once per content
version and command set, so the benchmark uses it as the floor every other command is
compared against: what discord.py itself costs per interaction.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.client import BriefingBot, Interaction
from bot.app.overload import SHEDDABLE
from bot.app.render import limits

ABOUT = (
    "I answer questions from Japan's **Diplomatic Bluebook**, the Ministry of Foreign "
    "Affairs' annual report on Japan's foreign policy: search it, read a section, follow "
    "facts and events, and get a daily briefing in a channel."
)


def command_lines(tree: app_commands.CommandTree[Any]) -> list[str]:
    """One line per runnable command, sub-commands spelled out (`/briefing subscribe`)."""
    lines = []
    for command in sorted(tree.walk_commands(), key=lambda c: c.qualified_name):
        if isinstance(command, app_commands.Group):
            continue
        lines.append(f"`/{command.qualified_name}` — {command.description}")
    return lines


def sources(bot: BriefingBot) -> list[str]:
    snapshot = bot.snapshot
    out = []
    for doc in snapshot.documents if snapshot is not None else ():
        title = f"{doc.title}: {doc.section}" if doc.section else doc.title
        out.append(f"[{title}]({doc.source_url})" if doc.source_url else title)
    return out


def help_embed(bot: BriefingBot) -> discord.Embed:
    embed = discord.Embed(title="Briefing Bot", description=ABOUT, colour=0xBC002D)
    lines = command_lines(bot.tree)
    value = "\n".join(lines) or "No commands are loaded."
    embed.add_field(
        name="Commands", value=limits.clip(value, limits.EMBED_FIELD_VALUE), inline=False
    )
    docs = sources(bot)
    source = "\n".join(docs) if docs else "The content is not loaded right now."
    embed.add_field(
        name="Where the content comes from",
        value=limits.clip(
            source + "\nPublished by the Ministry of Foreign Affairs of Japan; quoted as is.",
            limits.EMBED_FIELD_VALUE,
        ),
        inline=False,
    )
    return embed


class Meta(commands.Cog):
    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot
        # The embed changes only with the content or the loaded commands: built once for each.
        self._embed: tuple[tuple[object, ...], discord.Embed] | None = None

    def embed(self) -> discord.Embed:
        snapshot = self.bot.snapshot
        key = (snapshot.content_hash if snapshot else None, *self.bot.tree.get_commands())
        if self._embed is None or self._embed[0] != key:
            self._embed = (key, help_embed(self.bot))
        return self._embed[1]

    @app_commands.command(
        name="help",
        description="What this bot does and how to use it",
        extras={SHEDDABLE: "ephemeral"},
    )
    async def help(self, interaction: Interaction) -> None:
        if interaction.response.is_done():  # deferred under load
            await interaction.edit_original_response(embed=self.embed())
            return
        await interaction.response.send_message(
            embed=self.embed(),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )
