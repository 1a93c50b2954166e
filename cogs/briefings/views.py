"""The briefing's "Read full section" button, dispatched from its custom_id alone, so it
works on any briefing ever posted, after restarts and reloads."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.app.client import bot_of
from bot.app.components import reported
from bot.app.render.briefing import READ_LABEL, READ_TEMPLATE, read_custom_id
from bot.app.render.components import Action


class ReadSectionButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=READ_TEMPLATE):
    """Opens the section for the clicker only, paged like /section."""

    def __init__(self, sid: str, delivery_key: str | None = None) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=READ_LABEL, custom_id=read_custom_id(sid, delivery_key)
        )
        super().__init__(button)
        self.sid = sid

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ReadSectionButton:
        return cls(match.group("sid"))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async with reported(interaction):
            bot = bot_of(interaction)
            await bot.reader.open(interaction, bot.search_index, Action(self.sid, 0, "n"))
