"""`GET /healthz` and `GET /metrics` over plain HTTP, for Docker, Kubernetes and Prometheus.

It starts before the gateway connects, so an orchestrator sees 503 ("gateway not
connected") rather than a refused connection while the bot logs in. The state comes in as
callables, not as the bot object, so it can be tested without Discord and never keeps a
stale copy of anything.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.storage.base import StoreHealth

log = logging.getLogger(__name__)

GATEWAY_DOWN = "gateway not connected"
CONTENT_MISSING = "content not loaded"


class HealthServer:
    """An aiohttp AppRunner + TCPSite; `port` is the bound port once `start()` returned.

    `details` adds fields to the 200/503 body (content hash, guild count, ...); it must be
    cheap, as orchestrators poll every few seconds.
    """

    def __init__(
        self,
        *,
        is_connected: Callable[[], bool],
        content_loaded: Callable[[], bool],
        metrics: Callable[[], str] | None = None,
        details: Callable[[], dict[str, Any]] | None = None,
        store: Callable[[], Awaitable[StoreHealth]] | None = None,
        host: str = "127.0.0.1",
        port: int = 8080,
    ) -> None:
        self._is_connected = is_connected
        self._content_loaded = content_loaded
        self._metrics = metrics
        self._details = details
        self._store = store
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._runner is not None

    def status(self) -> tuple[int, dict[str, Any]]:
        """The /healthz answer as (HTTP status, body); usable without the server."""
        reasons: list[str] = []
        try:
            if not self._content_loaded():
                reasons.append(CONTENT_MISSING)
            if not self._is_connected():
                reasons.append(GATEWAY_DOWN)
        except Exception:  # a broken probe must still answer, and say so
            log.exception("health probe failed")
            reasons.append("health probe failed")
        body: dict[str, Any] = {}
        if self._details is not None:
            try:
                body.update(self._details())
            except Exception:
                log.exception("health details failed")
        if reasons:
            body.update(status="unavailable", reason="; ".join(reasons), reasons=reasons)
            return 503, body
        body["status"] = "ok"
        return 200, body

    async def _healthz(self, request: web.Request) -> web.Response:
        code, body = self.status()
        if self._store is not None:
            code, body = await self._with_store(code, body)
        return web.json_response(body, status=code, headers={"Cache-Control": "no-store"})

    async def _with_store(self, code: int, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """A store that cannot take a write makes the bot unhealthy: briefings would be
        acknowledged to admins and then lost."""
        assert self._store is not None
        health = await self._store()
        body["store"] = {
            "backend": health.backend,
            "up": health.up,
            "reason": health.reason,
            "detail": health.detail,
        }
        if health.up:
            return code, body
        reasons = [*body.get("reasons", []), f"store {health.reason}: {health.detail}"]
        body.update(status="unavailable", reason="; ".join(reasons), reasons=reasons)
        return 503, body

    async def _metrics_page(self, request: web.Request) -> web.Response:
        if self._metrics is None:
            return web.Response(status=404, text="metrics not enabled\n")
        return web.Response(
            body=self._metrics().encode("utf-8"),
            headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"},
        )

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics_page)
        return app

    async def start(self) -> None:
        """Bind and serve; raises OSError with the address when the port is taken."""
        if self._runner is not None:
            return
        runner = web.AppRunner(self._app(), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise OSError(
                exc.errno, f"health server cannot listen on {self.host}:{self.port}: {exc.strerror}"
            ) from None
        server = getattr(site, "_server", None)
        sockets: list[socket.socket] = list(getattr(server, "sockets", None) or [])
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        self._runner = runner
        log.info("health server listening on %s", self.url)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
            log.info("health server stopped")


class GatewayState:
    """Whether the bot has a live gateway session, from discord.py's own events.

    `is_ready()` stays true through a reconnect and a new socket is open before RESUME is
    answered, so neither tells whether events flow; READY/RESUMED (up) and the disconnect
    event (down) do. Every READY or RESUMED after the first counts as a reconnect.
    """

    def __init__(self, client: Any, metrics: Any = None) -> None:
        self.client = client
        self.metrics = metrics
        self.up = False
        self.sessions = 0
        client.add_listener(self._on_up, "on_ready")
        client.add_listener(self._on_up, "on_resumed")
        client.add_listener(self._on_down, "on_disconnect")

    async def _on_up(self) -> None:
        self.sessions += 1
        if self.sessions > 1 and self.metrics is not None:
            self.metrics.gateway_reconnect()
        if not self.up:
            log.info("gateway connected (session %d)", self.sessions)
        self.up = True

    async def _on_down(self) -> None:
        if self.up:
            log.info("gateway disconnected")
        self.up = False

    def connected(self) -> bool:
        client = self.client
        shard_ids = getattr(client, "shard_ids", None)
        if shard_ids is not None:  # AutoShardedClient: every shard of this process is open
            shards = getattr(client, "shards", {})
            return (
                not client.is_closed()
                and client.is_ready()
                and set(shards) >= set(shard_ids)
                and all(not shards[i].is_closed() for i in shard_ids)
            )
        if not self.up or client.is_closed():
            return False
        ws = getattr(client, "ws", None)
        return bool(ws is not None and getattr(ws, "open", False))
