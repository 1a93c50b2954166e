"""The emulator: one aiohttp app on 127.0.0.1 with a random free port, REST and gateway.

Tests talk to it through `Emulator`: set the world up (`state`), point a bot at
`api_base_url`/`gateway_url`, dispatch interactions and await what the bot answered.
"""

from __future__ import annotations

import socket
import time
from typing import Any

from aiohttp import web

from .gateway import Gateway
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    InteractionFactory,
    InteractionHandle,
)
from .ratelimit import GLOBAL_PER_SECOND, GlobalLimit
from .rest import add_routes, middleware
from .state import Channel, Fault, Guild, Member, User, World, snowflake

DEFAULT_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAw.emulator.c2VjcmV0LXRva2VuLWZvci10ZXN0cw"
GATEWAY_PATH = "/gateway-ws"


LISTEN_BACKLOG = 4096


class Emulator:
    """A fake Discord that the real discord.py client can log in to.

    `Emulator()` comes with one guild ("Test Guild", channels #general and #briefings),
    the bot as a member with View Channel, Send Messages, Embed Links and Read Message
    History, and the application owner as a member. Call `await start()` before use.

    Clusters: `shards` is the shard count /gateway/bot recommends and `max_concurrency` its
    identify concurrency; `identify_window=5.0` answers an identify burst with op 9 as Discord
    does (off by default, so tests that restart a bot quickly need not wait);
    `global_per_second` is the global REST limit per token (None: count, never refuse).
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        guilds: int = 1,
        heartbeat_interval_ms: int = 41250,
        heartbeat_ack_delay: float = 0.0,
        interaction_deadline: float = 3.0,
        shards: int = 1,
        max_concurrency: int = 1,
        identify_window: float | None = None,
        global_per_second: int | None = GLOBAL_PER_SECOND,
    ) -> None:
        bot = User(id=snowflake(), username="briefing-bot", bot=True)
        owner = User(id=snowflake(), username="owner")
        self.state = World(token=token, application_id=bot.id, bot=bot, owner=owner)
        for i in range(guilds):
            self.state.add_guild(f"Test Guild {i + 1}" if guilds > 1 else "Test Guild")
        self.gateway = Gateway(
            self.state,
            heartbeat_interval_ms=heartbeat_interval_ms,
            heartbeat_ack_delay=heartbeat_ack_delay,
            shards=shards,
            max_concurrency=max_concurrency,
            identify_window=identify_window,
        )
        self.global_limit = GlobalLimit(global_per_second)
        self.interactions = InteractionFactory(self.state)
        self.faults: dict[tuple[str, str], list[Fault]] = {}
        self.options = {"interaction_deadline": interaction_deadline}
        self._gateway_url: list[str] = [""]
        self.app = web.Application(middlewares=[middleware], client_max_size=64 * 1024 * 1024)
        self.app.router.add_get(GATEWAY_PATH, self.gateway.handler)
        add_routes(
            self.app,
            self.state,
            self.interactions,
            self.faults,
            self._gateway_url,
            self.options,
            self.gateway,
            self.global_limit,
        )
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> Emulator:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._gateway_url[0] = self.gateway_url
        self.gateway.url = self.gateway_url
        self._runner = web.AppRunner(
            self.app, handle_signals=False, shutdown_timeout=1.0, access_log=None
        )
        await self._runner.setup()
        # Discord's edge never turns a connection away: a long accept queue, so a burst
        # of new connections is not delayed by SYN retransmits (1 s, then 3 s).
        await web.SockSite(self._runner, sock, backlog=LISTEN_BACKLOG).start()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self.gateway.close_all(code=1001)
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}{GATEWAY_PATH}"

    @property
    def token(self) -> str:
        return self.state.token

    # -- shortcuts ----------------------------------------------------------------------------

    @property
    def guild(self) -> Guild:
        return self.state.first_guild()

    @property
    def channel(self) -> Channel:
        return self.state.first_channel()

    @property
    def requests(self) -> list[Any]:
        return self.state.requests

    def fail_next(
        self,
        method: str,
        route: str,
        count: int = 1,
        *,
        status: int = 429,
        retry_after: float = 0.05,
        code: int = 0,
        message: str = "",
        is_global: bool = False,
    ) -> None:
        """Answer the next `count` requests to `route` with `status` (429: with retry_after).

        `route` is a template as in rest.py (`/interactions/{interaction_id}/{token}/callback`)
        or a concrete path (`/channels/123/messages`), without the /api/v10 prefix.
        """
        self.faults.setdefault((method.upper(), route), []).append(
            Fault(
                status=status,
                remaining=count,
                retry_after=retry_after,
                code=code,
                message=message,
                is_global=is_global,
            )
        )

    # -- interactions -------------------------------------------------------------------------

    async def _dispatch(self, handle: InteractionHandle) -> InteractionHandle:
        await self.gateway.dispatch("INTERACTION_CREATE", handle.payload)
        return handle

    async def send(self, handle: InteractionHandle) -> InteractionHandle:
        """Dispatch an interaction built beforehand (`prepare_command`)."""
        return await self._dispatch(handle)

    def prepare_command(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        guild: Guild | None = None,
        channel: Channel | None = None,
        member: Member | None = None,
        permissions: int | None = None,
        locale: str = "en-US",
        created_ago: float = 0.0,
    ) -> InteractionHandle:
        """A slash command interaction, built but not yet sent: its id is known before the
        bot can answer it (`send` dispatches it). `created_ago` seconds backdates it, as if
        it had waited that long to arrive."""
        data = self.interactions.command_data(name, options, guild)
        return self.interactions.build(
            APPLICATION_COMMAND,
            data,
            guild=guild,
            channel=channel,
            member=member,
            permissions=permissions,
            locale=locale,
            created_at=time.time() - created_ago if created_ago else None,
        )

    async def command(
        self, name: str, options: dict[str, Any] | None = None, **kwargs: Any
    ) -> InteractionHandle:
        """Dispatch a slash command ("help", or "briefing subscribe" for a sub-command);
        keyword arguments as in `prepare_command`."""
        return await self._dispatch(self.prepare_command(name, options, **kwargs))

    async def autocomplete(
        self,
        name: str,
        options: dict[str, Any],
        focused: str,
        **kwargs: Any,
    ) -> InteractionHandle:
        """Dispatch an autocomplete request; `focused` names the option being typed."""
        data = self.interactions.command_data(name, options, kwargs.get("guild"), focused)
        handle = self.interactions.build(AUTOCOMPLETE, data, **kwargs)
        return await self._dispatch(handle)

    async def click(
        self,
        message: dict[str, Any],
        custom_id: str,
        *,
        values: list[str] | None = None,
        component_type: int | None = None,
        **kwargs: Any,
    ) -> InteractionHandle:
        """Click a button (or choose `values` in a select) on `message` (a message dict)."""
        kind = component_type or (3 if values is not None else 2)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind}
        if values is not None:
            data["values"] = values
            data["resolved"] = {}
        handle = self.interactions.build(MESSAGE_COMPONENT, data, message=message, **kwargs)
        return await self._dispatch(handle)

    async def submit_modal(
        self, custom_id: str, values: dict[str, str], **kwargs: Any
    ) -> InteractionHandle:
        """Submit a modal with text inputs `values` ({input custom_id: text})."""
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
            for k, v in values.items()
        ]
        handle = self.interactions.build(
            MODAL_SUBMIT, {"custom_id": custom_id, "components": rows}, **kwargs
        )
        return await self._dispatch(handle)
