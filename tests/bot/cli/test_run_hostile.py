"""A running bot (a real subprocess, memory-limited) refuses hostile content on SIGHUP with
one logged line each, keeps serving, and reloads good content afterwards."""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import signal
import sys
from pathlib import Path

import pytest

from bot.emulator import Emulator
from tests.bot.content.test_hostile import REFUSED, laughs
from tests.support.harness import BotProcess, wait_for, write_config
from tests.support.paths import CONTENT_DIR, REPO

DOC = "bluebook-2020-russia"
# The bot needs a few hundred MB of address space (libraries, thread stacks); expanding the
# alias bomb needs gigabytes, so a regression ends in MemoryError instead of a swapping host.
BOT_AS_BYTES = 1 << 30


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (BOT_AS_BYTES, BOT_AS_BYTES))


async def spawn_limited(config: Path, log_path: Path, token: str) -> BotProcess:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env.update(
        DISCORD_TOKEN=token,
        PYTHONUNBUFFERED="1",
        MALLOC_ARENA_MAX="2",  # glibc reserves 64 MB of address space per arena otherwise
        OPENBLAS_NUM_THREADS="1",
    )
    with log_path.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--config",
            str(config),
            cwd=str(REPO),
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
            preexec_fn=_limit_address_space,
        )
    return BotProcess(proc, log_path)


async def sighup_and_wait(proc: BotProcess, words: str, count: int) -> str:
    """SIGHUP, then wait for the `count`-th log line holding `words`; return that line."""
    os.kill(proc.pid, signal.SIGHUP)

    def found() -> list[str]:
        lines = [ln for ln in proc.output().splitlines() if words in ln]
        return lines if len(lines) >= count else []

    try:
        lines = await wait_for(found, timeout=60, interval=0.1)
    except TimeoutError:
        pytest.fail(f"no {words!r} line #{count}:\n{proc.output()[-3000:]}")
    return lines[count - 1]


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX only")
async def test_sighup_refuses_hostile_content_and_keeps_serving(
    emulator: Emulator, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    facts = content / DOC / "facts.yaml"
    good_facts = facts.read_text(encoding="utf-8")
    config = write_config(
        tmp_path / "config.yaml", emulator, data_dir=tmp_path / "data", content_dir=content
    )
    proc = await spawn_limited(config, tmp_path / "bot.log", emulator.token)
    try:
        await wait_for(lambda: "SIGHUP reloads the content" in proc.output(), timeout=60)
        await wait_for(lambda: emulator.gateway.current is not None, timeout=60)

        facts.write_text(laughs(9), encoding="utf-8")  # the full billion laughs
        line = await sighup_and_wait(proc, "reload refused (trigger: SIGHUP)", 1)
        assert line.endswith(f"{facts}:1: {REFUSED} in content"), line

        facts.unlink()
        os.mkfifo(facts)  # opening it would block the reload, and every later one, forever
        line = await sighup_and_wait(proc, "reload refused (trigger: SIGHUP)", 2)
        assert f"{facts}:1: not a regular file (a FIFO (named pipe))" in line, line

        facts.unlink()
        facts.write_text(good_facts, encoding="utf-8")
        await sighup_and_wait(proc, "reload ok (trigger: SIGHUP)", 1)

        assert proc.proc.returncode is None  # still running, still answering
        handle = await emulator.command("help")
        assert (await handle.response(timeout=15))["type"] == 4
    finally:
        code = await proc.stop(signal.SIGTERM, timeout=15)
    out = proc.output()
    assert code == 0, out[-3000:]
    assert "MemoryError" not in out and "Traceback" not in out, out[-3000:]


async def test_a_bot_starting_on_an_alias_bomb_still_connects(
    emulator: Emulator, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    facts = content / DOC / "facts.yaml"
    facts.write_text(laughs(9), encoding="utf-8")
    config = write_config(
        tmp_path / "config.yaml", emulator, data_dir=tmp_path / "data", content_dir=content
    )
    proc = await spawn_limited(config, tmp_path / "bot.log", emulator.token)
    try:
        await wait_for(lambda: emulator.gateway.current is not None, timeout=60)
        refused = [
            ln for ln in proc.output().splitlines() if "reload refused (trigger: start)" in ln
        ]
        assert len(refused) == 1 and refused[0].endswith(f"{facts}:1: {REFUSED} in content")
        handle = await emulator.command("help")
        assert (await handle.response(timeout=15))["type"] == 4
    finally:
        code = await proc.stop(signal.SIGTERM, timeout=15)
    assert code == 0, proc.output()[-3000:]
