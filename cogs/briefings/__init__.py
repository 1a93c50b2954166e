"""Daily briefings: /briefing subscribe, unsubscribe, list, preview and now."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.briefings.cog import Briefings

if TYPE_CHECKING:
    from bot.app.client import BriefingBot


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(Briefings(bot))
