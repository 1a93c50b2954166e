"""The playground: the emulator (a built-in Discord with one demo server), the real bot
connected to it over discord.py's own HTTP and WebSocket, and the page that shows the
server — all in this event loop, on loopback, with state in the playground's data folder."""

from __future__ import annotations

import contextlib
import socket
from dataclasses import dataclass, field
from typing import Any

import yaml
from aiohttp import web

from bot.playground import harness
from bot.playground.actions import Actions
from bot.playground.clock import OffsetClock
from bot.playground.datafolder import DataFolder
from bot.playground.timeline import Timeline
from bot.playground.web import Page, build_app, close_streams
from bot.playground.world import demo_emulator

DEFAULT_PORT = 8765
# Config sections the playground decides (where Discord is, which content, which data
# folder, no health server); the rest (briefings, admin, logging) may come from --config.
OWN_SECTIONS = ("discord", "content", "storage", "health")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


def _bound_socket(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


@dataclass
class Settings:
    data: DataFolder
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT  # 0: any free port (tests)
    user_config: dict[str, Any] = field(default_factory=dict)  # from --config


class Playground:
    """`await Playground(settings).start()`, then `url`; `await stop()` ends everything."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clock = OffsetClock()
        self.emulator, self.viewers = demo_emulator()
        self.emulator.state.now = self.clock.now
        self.timeline = Timeline()
        self.emulator.state.observers.append(self.timeline.observe)
        self.running: harness.RunningBot | None = None
        self.actions: Actions | None = None
        self.page: Page | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        host = self.settings.host
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        return f"http://{f'[{shown}]' if ':' in shown else shown}:{self.port}/"

    def write_config(self) -> None:
        data = self.settings.data
        extra = {k: v for k, v in self.settings.user_config.items() if k not in OWN_SECTIONS}
        raw = harness.emulator_config(
            self.emulator, content_dir=data.content, data_dir=data.state, extra=extra
        )
        data.config.write_text(yaml.safe_dump(raw), encoding="utf-8")

    async def start(self) -> Playground:
        sock = _bound_socket(self.settings.host, self.settings.port)  # fail early: port in use
        try:
            await self.emulator.start()
            self.write_config()
            self.running = await harness.start_bot(
                self.emulator, self.settings.data.config, clock=self.clock
            )
            await self._serve_page(sock)
        except BaseException:
            sock.close()
            await self.stop()
            raise
        return self

    async def _serve_page(self, sock: socket.socket) -> None:
        assert self.running is not None
        self.actions = Actions(
            self.emulator, self.running.bot, self.viewers, self.timeline, self.clock
        )
        self.port = sock.getsockname()[1]
        self.page = Page(
            self.actions,
            self.timeline,
            self.running.bot,
            self.settings.data.content,
            loopback_port=self.port if is_loopback(self.settings.host) else None,
        )
        self._runner = web.AppRunner(
            build_app(self.page), handle_signals=False, shutdown_timeout=1.0, access_log=None
        )
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        if self.page is not None:
            close_streams(self.page)
        if self.actions is not None:
            await self.actions.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.running is not None:
            with contextlib.suppress(Exception):
                await self.running.stop()
            self.running = None
        await self.emulator.stop()

    async def __aenter__(self) -> Playground:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
