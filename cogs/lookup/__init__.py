"""Reading the content: /section, /search, /summit, /trade, /fact and their buttons."""

from __future__ import annotations

from bot.app.client import BriefingBot
from cogs.lookup.cog import Lookup


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(Lookup(bot))
