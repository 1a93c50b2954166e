"""End-to-end fixtures: the Discord emulator and the real bot connected to it.

    async def test_help(running_bot):
        handle = await running_bot.command("help")
        answer = await handle.final_message()

See tests/e2e/README.md. Every wait here has a timeout; the subprocess helper stops only
the pid it started.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.app.client import BriefingBot
from bot.config import Config, load_config
from tests.conftest import CONTENT_DIR, REPO
from bot.emulator import Emulator, InteractionHandle

READY_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0


def write_config(
    path: Path,
    emulator: Emulator,
    *,
    data_dir: Path,
    content_dir: Path = CONTENT_DIR,
    dev_guild_ids: Sequence[int] = (),
    extra: dict[str, Any] | None = None,
) -> Path:
    """A config.yaml pointing at `emulator`; `extra` is merged section by section."""
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
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
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
    tmp_path: Path,
    *,
    content_dir: Path = CONTENT_DIR,
    data_dir: Path | None = None,
    extensions: Sequence[str] | None = None,
    auto_sync: bool = True,
    dev_guild_ids: Sequence[int] = (),
    extra: dict[str, Any] | None = None,
    timeout: float = READY_TIMEOUT,
    prepare: Callable[[BriefingBot], Any] | None = None,
) -> RunningBot:
    """Start a bot against `emulator` and wait (bounded) until READY and guilds are in.

    `prepare(bot)` runs before login, e.g. to add a test-only command to `bot.tree`.
    """
    data_dir = data_dir or tmp_path / "data"
    config_path = write_config(
        tmp_path / f"config-{time.monotonic_ns()}.yaml",
        emulator,
        data_dir=data_dir,
        content_dir=content_dir,
        dev_guild_ids=dev_guild_ids,
        extra=extra,
    )
    config: Config = load_config(config_path)
    bot = BriefingBot(config, extensions=extensions, auto_sync=auto_sync, guild_ready_timeout=0.05)
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


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """A started emulator with one guild (#general, #briefings), the bot and its owner."""
    emu = Emulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
async def running_bot(emulator: Emulator, tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The bot with the bundled content, every existing cog, commands synced globally."""
    running = await start_bot(emulator, tmp_path)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def bot_starter(emulator: Emulator, tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """`await bot_starter(**kw)` starts a bot like `running_bot` with start_bot's options
    (content_dir, data_dir, extensions, dev_guild_ids, extra, prepare); all are stopped at
    the end of the test."""
    started: list[RunningBot] = []

    async def start(**kw: Any) -> RunningBot:
        running = await start_bot(emulator, tmp_path, **kw)
        started.append(running)
        return running

    try:
        yield start
    finally:
        for running in started:
            await running.stop()


# -- the bot as a subprocess ------------------------------------------------------------------


@dataclass
class BotProcess:
    """`python -m bot run --config PATH` with DISCORD_TOKEN set; stop() ends only its pid."""

    proc: asyncio.subprocess.Process
    log_path: Path
    args: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def wait(self, timeout: float = STOP_TIMEOUT) -> int:
        return await asyncio.wait_for(self.proc.wait(), timeout=timeout)

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> int:
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)
            try:
                return await self.wait(timeout)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
                return await self.wait(timeout)
        return self.proc.returncode


async def spawn_bot(
    args: Sequence[str],
    log_path: Path,
    *,
    token: str | None,
    env: dict[str, str] | None = None,
) -> BotProcess:
    """Run `python -m bot ARGS` from the repository root, output to `log_path`."""
    full_env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    full_env["PYTHONUNBUFFERED"] = "1"
    if token is not None:
        full_env["DISCORD_TOKEN"] = token
    full_env.update(env or {})
    with log_path.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=str(REPO),
            env=full_env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    return BotProcess(proc, log_path, list(args))


@pytest.fixture
async def bot_process(emulator: Emulator, tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """`proc = await bot_process(token=..., extra=...)` runs `briefing-bot run` against the
    emulator in a subprocess; every process started is stopped (SIGTERM, then SIGKILL)."""
    started: list[BotProcess] = []

    async def start(
        *,
        token: str | None = emulator.token,
        extra: dict[str, Any] | None = None,
        data_dir: Path | None = None,
    ) -> BotProcess:
        config = write_config(
            tmp_path / f"config-{len(started)}.yaml",
            emulator,
            data_dir=data_dir or tmp_path / "data",
            extra=extra,
        )
        proc = await spawn_bot(
            ["run", "--config", str(config)], tmp_path / f"bot-{len(started)}.log", token=token
        )
        started.append(proc)
        return proc

    try:
        yield start
    finally:
        for proc in started:
            await proc.stop()


async def wait_for(
    predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02
) -> Any:
    """Poll `predicate` until truthy (returned) or raise TimeoutError."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)
