"""A Discord API emulator for end-to-end tests: the real discord.py client connects to it.

See tests/support/README.md for how tests use it, and docs/playground.md for the playground.
"""

from .interactions import InteractionHandle
from .server import DEFAULT_TOKEN, Emulator
from .state import (
    BOT_DEFAULT_PERMISSIONS,
    EMBED_LINKS,
    MANAGE_GUILD,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    Channel,
    Guild,
    RecordedRequest,
    World,
    shard_of,
    snowflake,
    snowflake_on_shard,
)

__all__ = [
    "BOT_DEFAULT_PERMISSIONS",
    "DEFAULT_TOKEN",
    "EMBED_LINKS",
    "MANAGE_GUILD",
    "READ_MESSAGE_HISTORY",
    "SEND_MESSAGES",
    "VIEW_CHANNEL",
    "Channel",
    "Emulator",
    "Guild",
    "InteractionHandle",
    "RecordedRequest",
    "World",
    "shard_of",
    "snowflake",
    "snowflake_on_shard",
]
