"""`briefing-bot run` as a subprocess: errors as one line and exit 2, a real run, SIGTERM."""

from __future__ import annotations

import signal
from pathlib import Path

from bot.cli.run import REJECTED, REVOKED
from bot.emulator import Emulator
from tests.support.harness import spawn_bot, wait_for, write_config

GLOBAL = "/applications/{application_id}/commands"


async def test_missing_token_exits_2_with_one_line(emulator: Emulator, tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.yaml", emulator, data_dir=tmp_path / "data")
    proc = await spawn_bot(["run", "--config", str(config)], tmp_path / "out.log", token=None)
    assert await proc.wait(timeout=30) == 2
    lines = proc.output().strip().splitlines()
    assert len(lines) == 1 and "DISCORD_TOKEN" in lines[0], lines
    assert "briefing-bot playground" in lines[0], lines
    assert not emulator.requests


async def test_bad_config_exits_2_listing_problems(emulator: Emulator, tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("discord:\n  dev_guild_ids: nope\nlogging:\n  levle: INFO\n")
    proc = await spawn_bot(["run", "--config", str(config)], tmp_path / "out.log", token="x" * 30)
    assert await proc.wait(timeout=30) == 2
    out = proc.output()
    assert "discord.dev_guild_ids" in out and "logging.levle" in out and "Traceback" not in out


async def test_rejected_token_exits_2_with_one_line(emulator: Emulator, tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.yaml", emulator, data_dir=tmp_path / "data")
    wrong = "MTIzNDU2Nzg5MDEyMzQ1Njc4.wrong.token-that-discord-rejects"
    proc = await spawn_bot(["run", "--config", str(config)], tmp_path / "out.log", token=wrong)
    assert await proc.wait(timeout=30) == 2
    out = proc.output()
    assert "Traceback" not in out
    assert out.strip().splitlines()[-1] == REJECTED
    assert REJECTED in out and wrong not in out
    assert [r.status for r in emulator.state.requests_to("GET", "/users/@me")] == [401]


async def test_run_serves_and_stops_on_sigterm(
    bot_process, emulator: Emulator, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    proc = await bot_process(data_dir=data, extra={"logging": {"level": "DEBUG"}})
    await wait_for(lambda: emulator.gateway.current is not None, timeout=30)
    handle = await emulator.command("help")
    assert (await handle.response(timeout=10))["type"] == 4
    assert len(emulator.state.requests_to("PUT", GLOBAL)) == 1  # first start syncs
    assert await proc.stop(signal.SIGTERM, timeout=15) == 0
    out = proc.output()
    assert "Traceback" not in out and emulator.token not in out
    assert "Synced" in out

    again = await bot_process(data_dir=data)
    await wait_for(lambda: len(emulator.gateway.sessions) == 2, timeout=30)
    assert len(emulator.state.requests_to("PUT", GLOBAL)) == 1  # unchanged tree: no sync
    assert await again.stop(signal.SIGINT, timeout=15) == 0


async def test_a_token_revoked_while_running_exits_2_with_one_line(
    bot_process, emulator: Emulator, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    proc = await bot_process(data_dir=tmp_path / "data")
    await wait_for(lambda: emulator.gateway.current is not None, timeout=30)
    await emulator.gateway.close_all(code=4004)  # what Discord does to a revoked token
    assert await proc.wait(timeout=30) == 2
    out = proc.output()
    assert "Traceback" not in out and emulator.token not in out
    assert out.strip().splitlines()[-1] == REVOKED
