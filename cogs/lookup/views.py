"""The lookup buttons and menus, dispatched by discord.py from their custom_id alone (see
bot/app/render/components.py for the formats), so a click works after restarts and reloads."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.app.client import bot_of
from bot.app.components import reported
from bot.app.render.components import (
    OPEN_TEMPLATE,
    PAGE_TEMPLATE,
    Action,
    page_button,
    parse_custom_id,
    section_select,
)


async def open_section(interaction: discord.Interaction[Any], action: Action | None) -> None:
    async with reported(interaction):
        bot = bot_of(interaction)
        if action is None:
            await interaction.response.send_message(
                "This menu no longer works; run the command again.", ephemeral=True
            )
            return
        await bot.reader.open(interaction, bot.search_index, action)


class PageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=PAGE_TEMPLATE):
    """Previous/Next: the target page is in the custom_id."""

    def __init__(self, sid: str, page: int) -> None:
        super().__init__(page_button(sid, page, "Page", False))
        self.action = Action(sid, page, "e")

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> PageButton:
        return cls(match["sid"], int(match["page"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await open_section(interaction, self.action)


class OpenSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=OPEN_TEMPLATE):
    """A menu of sections; the chosen option's value is the section's sid."""

    def __init__(self, mode: str, slot: int) -> None:
        placeholder = discord.SelectOption(label="-", value="-")
        super().__init__(section_select("e" if mode == "e" else "n", slot, [placeholder], ""))

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> OpenSelect:
        return cls(match["mode"], int(match["slot"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        data: Any = interaction.data or {}
        values = [str(v) for v in data.get("values") or []]
        await open_section(interaction, parse_custom_id(self.item.custom_id, values))


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (PageButton, OpenSelect)
