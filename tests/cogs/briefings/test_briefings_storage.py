"""/briefing on PostgreSQL, and what users see when the database goes away: the real bot
against the emulator and a PostgreSQL server of the test's own, which the test stops."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from bot.app.errors import STORE_UNAVAILABLE
from bot.briefings.clock import ManualClock
from bot.emulator import Emulator
from tests.cogs.briefings.test_briefings import ask, channel_named, runtime_of, with_clock
from tests.support.postgres import PostgresServer, free_port

pytestmark = pytest.mark.postgresql

T0 = datetime(2026, 11, 25, 8, 58, tzinfo=UTC)


async def test_commands_say_the_database_is_unavailable_while_it_is_gone(
    bot_starter: Any, emulator: Emulator, private_postgres: PostgresServer
) -> None:
    url = private_postgres.url()
    running = await bot_starter(
        prepare=with_clock(ManualClock(T0)),
        extensions=["briefings"],
        extra={"storage": {"database": url}},
    )
    briefings = channel_named(emulator, "briefings")
    subscribe = {"channel": str(briefings.id), "time": "09:00", "timezone": "UTC"}
    answer = await ask(emulator, "briefing subscribe", subscribe)
    assert f"Subscribed <#{briefings.id}>" in answer["content"]
    con = await asyncpg.connect(url, timeout=10)
    try:  # the subscription is in PostgreSQL, not in a SQLite file
        assert await con.fetchval("SELECT channel_id FROM subscriptions") == briefings.id
    finally:
        await con.close()

    private_postgres.stop("immediate")
    for name, options in (("briefing list", {}), ("briefing subscribe", subscribe)):
        answer = await ask(emulator, name, options)
        assert answer["content"] == STORE_UNAVAILABLE
        assert answer["flags"] & 64  # only the user sees it

    private_postgres.launch()  # back: the same bot answers from the database again
    answer = await ask(emulator, "briefing list")
    assert f"<#{briefings.id}>" in str(answer)
    assert runtime_of(running).dispatcher.status().alive


async def test_a_bot_started_without_its_database_says_so(
    bot_starter: Any, emulator: Emulator
) -> None:
    closed = f"postgresql://bot:s3cret@127.0.0.1:{free_port()}/briefings"
    await bot_starter(
        prepare=with_clock(ManualClock(T0)),
        extensions=["briefings"],
        extra={"storage": {"database": closed}},
    )
    answer = await ask(emulator, "briefing list")
    assert "unavailable right now" in answer["content"]
    assert answer["flags"] & 64
