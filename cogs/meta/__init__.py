"""/help: what the bot does and where its content comes from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.meta.cog import Meta

if TYPE_CHECKING:
    from bot.app.client import BriefingBot


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(Meta(bot))
