"""Start the real bot against an emulator in this event loop, over discord.py's own HTTP and
WebSocket, and wait (bounded) until it is ready."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.app.client import BriefingBot
from bot.briefings.clock import Clock
from bot.config import Config, load_config
from bot.emulator import Emulator, InteractionHandle

READY_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0


def emulator_config(
    emulator: Emulator,
    *,
    content_dir: Path,
    data_dir: Path,
    dev_guild_ids: Sequence[int] = (),
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Settings pointing the bot at `emulator`; `extra` is merged section by section."""
    raw: dict[str, Any] = {
        "discord": {
            "api_base_url": emulator.api_base_url,
            "gateway_url": emulator.gateway_url,
            "dev_guild_ids": [int(g) for g in dev_guild_ids],
        },
        "content": {"path": str(content_dir)},
        "storage": {"data_dir": str(data_dir)},
        "health": {"enabled": False, "port": 0},
        "logging": {"level": "INFO"},
    }
    for section, values in (extra or {}).items():
        raw.setdefault(section, {}).update(values)
    return raw


def write_config(path: Path, emulator: Emulator, **settings: Any) -> Path:
    """`emulator_config(emulator, **settings)` written as YAML to `path`."""
    path.write_text(yaml.safe_dump(emulator_config(emulator, **settings)), encoding="utf-8")
    return path


@dataclass
class RunningBot:
    """A BriefingBot running in this event loop, connected to `emulator`."""

    bot: BriefingBot
    emulator: Emulator
    task: asyncio.Task[None]
    config_path: Path

    async def command(
        self, name: str, options: dict[str, Any] | None = None, **kw: Any
    ) -> InteractionHandle:
        """Dispatch a slash command; see Emulator.command for keyword arguments."""
        return await self.emulator.command(name, options, **kw)

    async def ask(
        self, name: str, options: dict[str, Any] | None = None, *, timeout: float = 5.0, **kw: Any
    ) -> dict[str, Any]:
        """Dispatch a slash command and return the visible answer (message data)."""
        handle = await self.command(name, options, **kw)
        return await handle.final_message(timeout=timeout)

    async def stop(self) -> None:
        if not self.bot.is_closed():
            await asyncio.wait_for(self.bot.close(), timeout=STOP_TIMEOUT)
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(self.task, timeout=STOP_TIMEOUT)


async def start_bot(
    emulator: Emulator,
    config_path: Path,
    *,
    extensions: Sequence[str] | None = None,
    auto_sync: bool = True,
    timeout: float = READY_TIMEOUT,
    prepare: Callable[[BriefingBot], Any] | None = None,
    clock: Clock | None = None,
) -> RunningBot:
    """Start a bot with the config at `config_path` and wait until READY and guilds are in.

    `prepare(bot)` runs before login, e.g. to add a test-only command to `bot.tree`;
    `clock` drives its briefings (the system clock by default).
    """
    config: Config = load_config(config_path)
    bot = BriefingBot(
        config,
        extensions=extensions,
        auto_sync=auto_sync,
        clock=clock,
        guild_ready_timeout=0.05,
    )
    if prepare is not None:
        prepare(bot)
    task = asyncio.create_task(bot.start(emulator.token), name="briefing-bot")
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait(
        {task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if ready not in done:
        ready.cancel()
        if task in done:
            task.result()  # raise the start error
        await bot.close()
        task.cancel()
        raise TimeoutError(f"bot not ready within {timeout}s")
    return RunningBot(bot, emulator, task, config_path)
