"""/help: what the bot does and where its content comes from."""

from __future__ import annotations

from bot.app.client import BriefingBot
from cogs.meta.cog import Meta


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(Meta(bot))
