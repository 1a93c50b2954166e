"""Operator tools: /admin reload, status and sync."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.admin.cog import Admin

if TYPE_CHECKING:
    from bot.app.client import BriefingBot


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(Admin(bot))
