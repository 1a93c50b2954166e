"""The one home for errors: what a command or a button may raise on purpose, and the single
reporter that turns any error into a short ephemeral answer (and a log line with an error id
for the unexpected ones).

Raising a `UserFacingError` is how a feature says "this is the user's input or situation,
not a bug": its message is shown as is, with no traceback in the log.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

import discord
from discord import app_commands

from bot.app.render.escape import escape_user_text
from bot.storage import StoreError
from bot.storage.base import DISK_FULL, READ_ONLY, REPLACED

log = logging.getLogger(__name__)

STARTED = "briefing_bot_started"  # key in interaction.extras: monotonic start time
STORE_UNAVAILABLE = (
    "Briefing settings are unavailable right now: the bot's database is not answering. "
    "Try again in a few minutes."
)
# Nothing was saved; the operator has to act, so the user is told what to pass on.
STORE_MESSAGES = {
    READ_ONLY: "Briefing settings can't be saved right now: the bot's database is read-only. "
    "Nothing was changed; please tell the bot's operator.",
    DISK_FULL: "Briefing settings can't be saved right now: the disk that holds the bot's "
    "database is full. Nothing was changed; please tell the bot's operator.",
    REPLACED: "Briefing settings can't be saved right now: the bot's database file was "
    "deleted or replaced while it ran. Nothing was changed; please tell the bot's operator.",
}


class UserFacingError(Exception):
    """An expected failure; `str(error)` must be a short, helpful, user-safe sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ContentUnavailableError(UserFacingError):
    """No content is being served (it was invalid at start)."""

    def __init__(self, message: str = "The content is not available right now; try later.") -> None:
        super().__init__(message)


def _permission_names(perms: list[str]) -> str:
    return ", ".join(p.replace("_", " ").replace("guild", "server").title() for p in perms)


def explain(error: BaseException) -> str | None:
    """The user-facing sentence for an expected error, None for an unexpected one."""
    original = getattr(error, "original", error)
    if isinstance(original, UserFacingError):
        return str(original)
    if isinstance(original, StoreError):  # the database is down or refuses us: not a bug
        return STORE_MESSAGES.get(original.reason, STORE_UNAVAILABLE)
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.MissingPermissions):
        return f"You need the {_permission_names(error.missing_permissions)} permission for this."
    if isinstance(error, app_commands.BotMissingPermissions):
        missing = _permission_names(error.missing_permissions)
        return f"I need the {missing} permission in this channel."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    if isinstance(error, app_commands.TransformerError):
        value = getattr(error.value, "name", None) or str(error.value)
        what = error.type.name.replace("_", " ")
        return f"“{escape_user_text(value, 100)}” is not a valid {what} here."
    if isinstance(error, app_commands.CommandNotFound):
        return "That command is no longer available; type / to see the current ones."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    return None


def interaction_name(interaction: discord.Interaction[Any]) -> str:
    """The command's qualified name, or the component's custom_id."""
    command = interaction.command
    if command is not None:
        return command.qualified_name
    data: Any = interaction.data or {}
    return str(data.get("name") or data.get("custom_id") or "unknown")


def elapsed(interaction: discord.Interaction[Any]) -> float | None:
    started = interaction.extras.get(STARTED)
    return time.monotonic() - started if started is not None else None


def log_unexpected(interaction: discord.Interaction[Any], error: BaseException) -> str:
    """Log an unexpected error with where it happened; returns the id shown to the user."""
    error_id = secrets.token_hex(4)
    original = getattr(error, "original", error)
    data: Any = interaction.data or {}
    kind = "component" if interaction.type == discord.InteractionType.component else "/"
    log.error(
        "Unexpected error %s in %s%s (guild %s, channel %s, user %s, options %s)",
        error_id,
        kind if kind == "/" else kind + " ",
        interaction_name(interaction),
        interaction.guild_id,
        interaction.channel_id,
        interaction.user.id if interaction.user else None,
        data.get("options"),
        exc_info=(type(original), original, original.__traceback__),
    )
    return error_id


async def report(interaction: discord.Interaction[Any], error: BaseException) -> str:
    """Answer `error` ephemerally; returns "refused" (expected) or "error" (a bug)."""
    message = explain(error)
    outcome = "refused" if message is not None else "error"
    original = getattr(error, "original", error)
    if isinstance(original, StoreError):  # the operator hears of it, without a traceback
        log.warning("%s: %s", interaction_name(interaction), original)
    if message is None:
        message = (
            f"Something went wrong on my side. Error id: `{log_unexpected(interaction, error)}`."
        )
    await reply_ephemeral(interaction, message)
    return outcome


async def reply_ephemeral(interaction: discord.Interaction[Any], message: str) -> None:
    """Answer or follow up, whichever is still possible; never raise (the user may be gone)."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(
                message, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
        else:
            await interaction.response.send_message(
                message, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
    except discord.HTTPException as exc:
        log.warning("Could not deliver a message for interaction %s: %s", interaction.id, exc)
