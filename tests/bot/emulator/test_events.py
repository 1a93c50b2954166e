"""The emulator tells its observers about every message the real bot creates, edits or
deletes (ephemeral ones too), and keeps the channel history as Discord would show it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.emulator import Emulator
from tests.support.harness import RunningBot

EPHEMERAL = 64
NORTHERN = "The Northern Territories and Negotiations on Peace Treaty"


def recorder(emulator: Emulator) -> list[tuple[str, dict[str, Any]]]:
    seen: list[tuple[str, dict[str, Any]]] = []
    emulator.state.observers.append(lambda event, message: seen.append((event, message)))
    return seen


async def test_an_answer_and_its_page_turn_are_published_and_kept(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    seen = recorder(emulator)
    handle = await running_bot.command("section", {"query": NORTHERN})
    await handle.final_message()
    [(event, message)] = seen
    assert event == "create" and message["embeds"][0]["title"].endswith(NORTHERN)
    assert emulator.state.messages[emulator.channel.id] == [message]

    next_button = next(
        c["custom_id"]
        for row in message["components"]
        for c in row["components"]
        if c.get("label", "").startswith("Next")
    )
    click = await emulator.click(message, next_button)
    await click.final_message()
    event, edited = seen[-1]
    assert event == "update" and edited["id"] == message["id"]
    assert "page 2/2" in edited["embeds"][0]["footer"]["text"]
    assert edited["edited_timestamp"] is not None
    # The history holds the edited message in place of the original, as Discord's does.
    assert emulator.state.messages[emulator.channel.id] == [edited]


async def test_ephemeral_answers_are_published_but_not_in_the_history(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    seen = recorder(emulator)
    handle = await running_bot.command("section", {"query": NORTHERN, "private": True})
    await handle.final_message()
    [(event, message)] = seen
    assert event == "create" and message["flags"] & EPHEMERAL
    assert message["interaction_metadata"]["user"]["id"] == str(emulator.state.owner.id)
    assert emulator.state.messages[emulator.channel.id] == []


async def test_a_deferred_answer_is_published_loading_then_edited(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    seen = recorder(emulator)
    handle = await running_bot.command("admin status")
    await handle.final_message()
    kinds = [(event, bool(m["flags"] & 128)) for event, m in seen]
    assert kinds == [("create", True), ("update", False)], kinds
    assert seen[0][1]["id"] == seen[1][1]["id"]


async def test_message_timestamps_follow_the_worlds_clock(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    emulator.state.now = lambda: datetime(2031, 5, 6, 7, 8, tzinfo=UTC)
    answer = await running_bot.command("help")
    await answer.final_message()
    assert answer.original is not None
    assert answer.original["timestamp"].startswith("2031-05-06T07:08")
