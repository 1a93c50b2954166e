"""Credentials never reach the log: the bot token, and interaction tokens (webhook
credentials for 15 minutes) that discord.py prints at DEBUG in URLs and event dumps."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.app.logs import REDACTED, redact
from bot.emulator import Emulator


def test_redact_hides_interaction_tokens_in_urls_and_dumps() -> None:
    token = "aW50ZXJhY3Rpb246ftwJ7KFFVAeO1VvU53A_3X_0D9ww"
    lines = [
        f"POST http://127.0.0.1:1/api/v10/interactions/123/{token}/callback returned 204",
        f"PATCH /webhooks/456/{token}/messages/@original",
        f"Event: {{'id': '1', 'token': '{token}', 'type': 2}}",
        f'{{"token": "{token}"}}',
    ]
    for line in lines:
        out = redact(line)
        assert token not in out and REDACTED in out, out
    assert redact("no tokens here: /interactions/ is a word") == (
        "no tokens here: /interactions/ is a word"
    )


async def test_debug_logs_of_a_command_show_no_interaction_token(
    bot_starter: Any, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    running = await bot_starter(extensions=["meta", "lookup"])
    handle = await running.command("section", {"query": "Russian Economy"})
    await handle.final_message()
    assert any("INTERACTION_CREATE" in r.getMessage() for r in caplog.records)
    assert any("/interactions/" in r.getMessage() for r in caplog.records)
    assert handle.token not in caplog.text
    assert emulator.token not in caplog.text
