"""Operator tools: /admin reload, status and sync."""

from __future__ import annotations

from bot.app.client import BriefingBot
from cogs.admin.cog import Admin


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(Admin(bot))
