"""Running a button or menu callback through the one error reporter: discord.py would
otherwise log an error from a dynamic item and leave the user with "This interaction failed"."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import discord

from bot.app.errors import report


@contextlib.asynccontextmanager
async def reported(interaction: discord.Interaction[Any]) -> AsyncIterator[None]:
    """`async with reported(interaction): ...` answers any error ephemerally."""
    try:
        yield
    except Exception as exc:
        await report(interaction, exc)
