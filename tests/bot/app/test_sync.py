"""Command sync: the payload Discord receives, no collisions, and syncing only on change."""

from __future__ import annotations

import sys
from pathlib import Path

import discord

from bot.app.client import BriefingBot
from bot.app.sync import collisions, hash_file, tree_payload
from bot.emulator import Emulator
from tests.support.harness import spawn_bot, write_config

GLOBAL = "/applications/{application_id}/commands"
GUILD = "/applications/{application_id}/guilds/{guild_id}/commands"


def _puts(emulator: Emulator, route: str = GLOBAL) -> int:
    return len(emulator.state.requests_to("PUT", route))


async def test_registered_payload(bot_starter, emulator: Emulator) -> None:  # type: ignore[no-untyped-def]
    running = await bot_starter()
    registered = {c["name"]: c for c in emulator.state.global_commands}
    assert "help" in registered
    help_cmd = registered["help"]
    assert help_cmd["description"] == "What this bot does and how to use it"
    assert help_cmd["options"] == [] and help_cmd["type"] == 1
    assert help_cmd["default_member_permissions"] is None
    assert help_cmd["id"]
    # Every command of the full app (all cogs present) is registered exactly once.
    sent = emulator.state.requests_to("PUT", GLOBAL)[-1].json
    assert sorted(c["name"] for c in sent) == sorted(registered)
    assert collisions(sent) == []
    assert collisions(tree_payload(running.bot.tree)) == []
    for cmd in sent:
        assert 1 <= len(cmd["name"]) <= 32 and cmd["name"] == cmd["name"].lower()
        assert 1 <= len(cmd["description"]) <= 100


def test_collisions_are_found() -> None:
    payload = [
        {"name": "help", "type": 1},
        {"name": "help", "type": 1},
        {"name": "help", "type": 3},
    ]
    assert collisions(payload) == ["help"]


async def test_sync_only_when_the_tree_changes(
    bot_starter, emulator: Emulator, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    first = await bot_starter(data_dir=data)
    assert _puts(emulator) == 1 and hash_file(data, "global").is_file()
    await first.stop()
    second = await bot_starter(data_dir=data)
    assert _puts(emulator) == 1  # same tree, same data folder: no sync
    assert second.bot.sync_results[0].synced is False
    assert (await second.ask("help"))["embeds"]
    await second.stop()

    def add_command(bot: BriefingBot) -> None:
        @bot.tree.command(name="ping", description="a new command")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong")

    third = await bot_starter(data_dir=data, prepare=add_command)
    assert _puts(emulator) == 2
    assert "ping" in {c["name"] for c in emulator.state.global_commands}
    assert (await third.ask("ping"))["content"] == "pong"


async def test_dev_guilds_sync_per_guild(bot_starter, emulator: Emulator) -> None:  # type: ignore[no-untyped-def]
    gid = emulator.guild.id
    running = await bot_starter(dev_guild_ids=[gid])
    assert _puts(emulator) == 0 and _puts(emulator, GUILD) == 1
    assert "help" in {c["name"] for c in emulator.state.guild_commands[gid]}
    handle = await running.command("help")
    assert handle.payload["data"]["guild_id"] == str(gid)
    assert (await handle.response())["type"] == 4


async def test_sync_cli_registers_and_prints(emulator: Emulator, tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.yaml", emulator, data_dir=tmp_path / "data")
    proc = await spawn_bot(
        ["sync", "--config", str(config)], tmp_path / "sync.log", token=emulator.token
    )
    code = await proc.wait(timeout=30)
    out = proc.output()
    assert code == 0, out
    assert "Registered" in out and "/help" in out and "globally" in out
    assert _puts(emulator) == 1
    assert emulator.token not in out
    assert not emulator.gateway.connections and not emulator.gateway.sessions  # REST only
    assert sys.executable
