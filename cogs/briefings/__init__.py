"""Daily briefings: /briefing subscribe, unsubscribe, list, preview and now."""

from __future__ import annotations

from bot.app.client import BriefingBot
from cogs.briefings.cog import Briefings


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(Briefings(bot))
