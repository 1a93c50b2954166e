"""The real discord.py client against the emulator's gateway: connect, resume, compression."""

from __future__ import annotations

import asyncio

import discord.utils

from bot.emulator import Emulator
from bot.emulator.zlib_client import ZlibStreamContext
from tests.support.harness import RunningBot, wait_for


async def test_connects_and_sees_the_guild(running_bot: RunningBot, emulator: Emulator) -> None:
    bot = running_bot.bot
    assert bot.is_ready()
    assert bot.user is not None and bot.user.id == emulator.state.bot.id
    guild = bot.get_guild(emulator.guild.id)
    assert guild is not None and not guild.unavailable
    assert {c.name for c in guild.text_channels} == {"general", "briefings"}
    me = guild.me
    assert me is not None and me.guild_permissions.send_messages
    identify = emulator.gateway.identify_payloads[0]
    intents = discord.Intents._from_value(identify["intents"])
    assert intents.guilds
    assert not (intents.members or intents.presences or intents.message_content)


async def test_resume_after_forced_close(running_bot: RunningBot, emulator: Emulator) -> None:
    session = emulator.gateway.current
    assert session is not None
    await emulator.gateway.close_all(code=4000)
    await asyncio.wait_for(emulator.gateway.resumed.wait(), timeout=15)
    assert session.resumes == 1
    assert len(emulator.gateway.sessions) == 1  # resumed, not re-identified
    answer = await running_bot.ask("help", timeout=5)
    assert answer["embeds"]


async def test_events_sent_while_offline_are_replayed(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    await emulator.gateway.close_all(code=4000)
    await wait_for(lambda: not emulator.gateway.connections, timeout=5)
    handle = await running_bot.command("help")  # buffered in the session, sent on RESUME
    body = await handle.response(timeout=15)
    assert body["type"] == 4


async def test_op7_reconnect_resumes(running_bot: RunningBot, emulator: Emulator) -> None:
    await emulator.gateway.request_reconnect()
    await asyncio.wait_for(emulator.gateway.resumed.wait(), timeout=15)
    assert (await running_bot.ask("help"))["embeds"]


def test_discord_py_requests_the_available_compression() -> None:
    expected = "zstd-stream" if discord.utils._ZSTD_SOURCE else "zlib-stream"
    active = discord.utils._ActiveDecompressionContext
    assert expected == active.COMPRESSION_TYPE


async def test_compression_streams(emulator: Emulator, bot_starter, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Both zlib-stream and zstd-stream carry READY, GUILD_CREATE and an interaction."""
    contexts = [ZlibStreamContext]
    if discord.utils._ZSTD_SOURCE:
        contexts.append(discord.utils._ZstdDecompressionContext)  # type: ignore[attr-defined]
    for context in contexts:
        monkeypatch.setattr(discord.utils, "_ActiveDecompressionContext", context)
        running = await bot_starter()
        assert emulator.gateway.compressions[-1] == context.COMPRESSION_TYPE
        assert (await running.ask("help"))["embeds"]
        await running.stop()
    assert discord.utils._ZSTD_SOURCE, "install zstandard to test zstd-stream"
