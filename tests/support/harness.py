"""pytest fixtures: the Discord emulator and the real bot connected to it (end to end).

    async def test_help(running_bot):
        handle = await running_bot.command("help")
        answer = await handle.final_message()

See tests/support/README.md. Every wait here has a timeout; the subprocess helper stops only
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

from bot.emulator import Emulator
from bot.playground import harness
from bot.playground.harness import STOP_TIMEOUT, RunningBot
from tests.support.paths import CONTENT_DIR, REPO


def write_config(
    path: Path,
    emulator: Emulator,
    *,
    data_dir: Path,
    content_dir: Path = CONTENT_DIR,
    dev_guild_ids: Sequence[int] = (),
    extra: dict[str, Any] | None = None,
) -> Path:
    """A config.yaml pointing at `emulator`, the bundled content by default. Tests ask
    many questions as one user: the per-user limit is off unless `extra` sets it."""
    merged = {"interactions": {"per_user_rate": 0}}
    for section, values in (extra or {}).items():
        merged[section] = {**merged.get(section, {}), **values}
    return harness.write_config(
        path,
        emulator,
        content_dir=content_dir,
        data_dir=data_dir,
        dev_guild_ids=dev_guild_ids,
        extra=merged,
    )


async def start_bot(
    emulator: Emulator,
    tmp_path: Path,
    *,
    content_dir: Path = CONTENT_DIR,
    data_dir: Path | None = None,
    dev_guild_ids: Sequence[int] = (),
    extra: dict[str, Any] | None = None,
    **options: Any,
) -> RunningBot:
    """A bot with a fresh config under `tmp_path`; `options` as in `harness.start_bot`."""
    config_path = write_config(
        tmp_path / f"config-{time.monotonic_ns()}.yaml",
        emulator,
        data_dir=data_dir or tmp_path / "data",
        content_dir=content_dir,
        dev_guild_ids=dev_guild_ids,
        extra=extra,
    )
    return await harness.start_bot(emulator, config_path, **options)


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
    module: str = "bot",
) -> BotProcess:
    """Run `python -m bot ARGS` (or another `module`) from the repository root, output to
    `log_path`."""
    full_env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    full_env["PYTHONUNBUFFERED"] = "1"
    if token is not None:
        full_env["DISCORD_TOKEN"] = token
    full_env.update(env or {})
    with log_path.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            module,
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
