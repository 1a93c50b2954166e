"""Where discord.py connects: Discord itself, or an emulator or REST proxy from the config."""

from __future__ import annotations

from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route


def bot_intents() -> discord.Intents:
    """Guilds only: enough for channels/roles in interactions; nothing privileged."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


def use_api_base_url(url: str) -> None:
    """Point discord.py's REST calls at `url` (e.g. the emulator or a REST proxy).

    discord.py builds every REST URL, the interaction webhooks' included, from the class
    attribute `Route.BASE`, so this is process-wide: all clients in one process share one
    API base. `discord.http._set_api_version` resets it, so call this after any such call.
    """
    Route.BASE = url.rstrip("/")


def route_gateway(http: discord.http.HTTPClient, gateway_url: str) -> None:
    """Send this client's gateway connections to `gateway_url` instead of Discord's.

    discord.py connects to `DiscordWebSocket.DEFAULT_GATEWAY` first (and after an
    invalidated session) and to READY's `resume_gateway_url` for RESUME. Wrapping this
    client's `http.ws_connect` swaps the default host and keeps the query (v, encoding,
    compress); the class attribute stays untouched, so two bots in one process can use
    different gateways.
    """
    target = yarl.URL(gateway_url)
    default_host = DiscordWebSocket.DEFAULT_GATEWAY.host
    original = http.ws_connect

    async def ws_connect(url: str, *, compress: int = 0) -> Any:
        parsed = yarl.URL(url)
        if parsed.host == default_host:
            parsed = target.with_query(parsed.query)
        return await original(str(parsed), compress=compress)

    http.ws_connect = ws_connect  # type: ignore[method-assign]
