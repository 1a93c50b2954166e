"""BriefingBot through the emulator: /help, the error path, retries, REST errors, log redaction."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands

from bot.app.client import BriefingBot
from bot.app.errors import UserFacingError
from bot.emulator import Emulator
from tests.support.harness import RunningBot

CALLBACK = "/interactions/{interaction_id}/{token}/callback"


def _callbacks(emulator: Emulator) -> list:  # type: ignore[type-arg]
    return emulator.state.requests_to("POST", CALLBACK)


async def test_help_answers_through_the_interaction_callback(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    handle = await running_bot.command("help")
    body = await handle.response()
    assert body["type"] == 4
    data = body["data"]
    assert data["flags"] & 64  # ephemeral
    assert data["allowed_mentions"] == {"parse": []}
    embed = data["embeds"][0]
    assert "Diplomatic Bluebook" in embed["description"]
    commands_field = next(f for f in embed["fields"] if f["name"] == "Commands")
    assert "`/help`" in commands_field["value"]
    sent = _callbacks(emulator)
    assert len(sent) == 1 and sent[0].query.get("with_response") == "1"
    assert "Authorization" not in sent[0].headers


async def test_help_names_the_content_source(running_bot: RunningBot) -> None:
    answer = await running_bot.ask("help")
    source = next(f for f in answer["embeds"][0]["fields"] if f["name"].startswith("Where"))
    if running_bot.bot.snapshot is not None:
        assert "Bluebook" in source["value"]
    else:
        assert "not loaded" in source["value"]


async def test_429_on_the_callback_is_retried(running_bot: RunningBot, emulator: Emulator) -> None:
    emulator.fail_next("POST", CALLBACK, count=1, retry_after=0.05)
    handle = await running_bot.command("help")
    body = await handle.response(timeout=5)
    assert body["type"] == 4
    statuses = [r.status for r in _callbacks(emulator)]
    assert statuses == [429, 200]


def _add_test_commands(bot: BriefingBot) -> None:
    @bot.tree.command(name="boom", description="raises an unexpected error")
    async def boom(interaction: discord.Interaction, topic: str) -> None:
        raise RuntimeError("kaboom")

    @bot.tree.command(name="oops", description="raises a user-facing error")
    async def oops(interaction: discord.Interaction) -> None:
        raise UserFacingError("No section is called that.")

    @bot.tree.command(name="admin-only", description="needs Manage Server")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def admin_only(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok")

    @bot.tree.command(name="late", description="fails after deferring")
    async def late(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        raise RuntimeError("after defer")


async def test_unexpected_error_gives_an_error_id_and_is_logged(
    bot_starter, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    running = await bot_starter(prepare=_add_test_commands)
    with caplog.at_level(logging.ERROR, logger="bot.app.client"):
        answer = await running.ask("boom", {"topic": "sakhalin"})
    match = re.search(r"Error id: `([0-9a-f]{8})`", answer["content"])
    assert match, answer
    assert answer["flags"] & 64
    assert "kaboom" not in answer["content"]
    record = next(r for r in caplog.records if match.group(1) in r.getMessage())
    message = record.getMessage()
    assert "/boom" in message and str(emulator.guild.id) in message and "sakhalin" in message
    assert record.exc_text and "kaboom" in record.exc_text


async def test_expected_errors_get_a_short_explanation(bot_starter, emulator: Emulator) -> None:  # type: ignore[no-untyped-def]
    running = await bot_starter(prepare=_add_test_commands)
    answer = await running.ask("oops")
    assert answer["content"] == "No section is called that." and answer["flags"] & 64
    member = emulator.state.add_member(emulator.guild, "visitor")
    denied = await running.ask("admin-only", member=member)
    assert "Manage Server" in denied["content"]
    late = await running.command("late")
    follow = (await late.followups(1))[0]
    assert "Error id" in follow["content"] and follow["flags"] & 64


async def test_autocomplete_and_buttons_reach_the_bot(bot_starter, emulator: Emulator) -> None:  # type: ignore[no-untyped-def]
    class More(discord.ui.DynamicItem[discord.ui.Button[Any]], template="more"):
        """Every component of the bot is a DynamicItem: its state is in its custom_id."""

        def __init__(self) -> None:
            super().__init__(discord.ui.Button(label="More", custom_id="more"))

        @classmethod
        async def from_custom_id(cls, interaction: Any, item: Any, match: Any, /) -> More:
            return cls()

        async def callback(self, interaction: discord.Interaction[Any]) -> None:
            await interaction.response.edit_message(content="more!")

    async def complete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f"{current} {i}", value=f"v{i}") for i in range(3)]

    def prepare(bot: BriefingBot) -> None:
        @bot.tree.command(name="pick", description="autocomplete and a button")
        @app_commands.autocomplete(topic=complete)
        async def pick(interaction: discord.Interaction, topic: str) -> None:
            view = discord.ui.View()
            view.add_item(More())
            await interaction.response.send_message(f"picked {topic}", view=view)

        bot.add_dynamic_items(More)

    running = await bot_starter(prepare=prepare)
    auto = await emulator.autocomplete("pick", {"topic": "ru"}, focused="topic")
    result = await auto.response()
    assert result["type"] == 8
    assert [c["value"] for c in result["data"]["choices"]] == ["v0", "v1", "v2"]
    handle = await running.command("pick", {"topic": "v1"})
    await handle.final_message()
    assert handle.original is not None and handle.original["components"]
    click = await emulator.click(handle.original, "more")
    updated = await click.response()
    assert updated["type"] == 7 and updated["data"]["content"] == "more!"


async def test_channel_errors_reach_discord_py_as_forbidden_and_not_found(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    guild = emulator.guild
    general, briefings = list(guild.channels.values())
    channel = running_bot.bot.get_channel(general.id)
    assert isinstance(channel, discord.TextChannel)
    message = await channel.send("hello @everyone")
    assert emulator.state.messages[general.id][-1]["id"] == str(message.id)
    assert emulator.requests[-1].json["allowed_mentions"] == {"parse": []}
    emulator.state.deny_bot(general.id)
    with pytest.raises(discord.Forbidden) as forbidden:
        await channel.send("x")
    assert forbidden.value.code == 50001
    emulator.state.delete_channel(briefings.id)
    other = running_bot.bot.get_channel(briefings.id)
    assert isinstance(other, discord.TextChannel)
    with pytest.raises(discord.NotFound) as missing:
        await other.send("x")
    assert missing.value.code == 10003


async def test_history_and_nonce_dedupe(running_bot: RunningBot, emulator: Emulator) -> None:
    general = emulator.channel
    channel = running_bot.bot.get_channel(general.id)
    assert isinstance(channel, discord.TextChannel)
    sent = [await channel.send(f"m{i}") for i in range(5)]
    newest = [m.content async for m in channel.history(limit=3)]
    assert newest == ["m4", "m3", "m2"]
    older = [m.content async for m in channel.history(limit=10, before=sent[2])]
    assert older == ["m1", "m0"]
    url = f"{emulator.api_base_url}/channels/{general.id}/messages"
    headers = {"Authorization": f"Bot {emulator.token}"}
    body = {"content": "once", "nonce": "n-1", "enforce_nonce": True}
    async with aiohttp.ClientSession() as http:
        first = await (await http.post(url, json=body, headers=headers)).json()
        again = await (await http.post(url, json=body, headers=headers)).json()
        bad = await http.get(url, headers={"Authorization": "Bot wrong"})
    assert first["id"] == again["id"]
    assert [m["content"] for m in emulator.state.messages[general.id]].count("once") == 1
    assert bad.status == 401


async def test_token_never_logged_at_debug(
    bot_starter, emulator: Emulator, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    running = await bot_starter()
    await running.ask("help")
    logging.getLogger("test").warning("leak attempt: %s", emulator.token)
    records = caplog.records
    assert len(records) > 20  # discord.py's DEBUG logging really ran
    assert emulator.token not in caplog.text
    assert all(emulator.token not in r.getMessage() for r in records)
    assert "leak attempt: [REDACTED]" in caplog.text


async def test_fetches_and_rest_429_retry(running_bot: RunningBot, emulator: Emulator) -> None:
    bot = running_bot.bot
    general = emulator.channel
    fetched = await bot.fetch_channel(general.id)
    assert fetched.id == general.id
    guild = await bot.fetch_guild(emulator.guild.id)
    assert guild.name == "Test Guild"
    member = await guild.fetch_member(emulator.state.owner.id)
    assert member.id == emulator.state.owner.id
    with pytest.raises(discord.NotFound):
        await guild.fetch_member(1)
    app = await bot.application_info()
    assert app.owner.id == emulator.state.owner.id
    emulator.fail_next("POST", f"/channels/{general.id}/messages", count=2, retry_after=0.02)
    channel = bot.get_channel(general.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("after two 429s")
    statuses = [
        r.status for r in emulator.state.requests_to("POST", f"/channels/{general.id}/messages")
    ]
    assert statuses == [429, 429, 200]
