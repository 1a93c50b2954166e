"""Reading the content: /section, /search, /summit, /trade, /fact and their buttons."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.lookup.cog import Lookup

if TYPE_CHECKING:
    from bot.app.client import BriefingBot


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(Lookup(bot))
