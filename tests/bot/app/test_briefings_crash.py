"""The process dies between recording a delivery and finishing it; the restart must neither
post twice nor miss the post.

The first run is a real subprocess (this module run with `python -m`) whose Sender calls
`os._exit` right after the claim (before the HTTP request) or right after Discord accepted
the message (before `complete_delivery`): no `finally`, no cleanup, like a power cut. The
restart runs in-process against the same data folder and emulator.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.briefings.clock import ManualClock
from bot.emulator import Emulator
from bot.storage import SqliteStore, delivery_key
from tests.cogs.briefings.test_briefings import (
    DAY,
    DUE,
    T0,
    autojump,
    channel_named,
    footer,
    posts,
    runtime_of,
    with_clock,
)
from tests.support.harness import write_config
from tests.support.paths import REPO

CRASH_EXIT = 70
CRASH_ENV = "BRIEFING_TEST_CRASH"  # after_claim | after_send
NOW_ENV = "BRIEFING_TEST_NOW"  # ISO instant the subprocess clock starts at
PROCESS_TIMEOUT = 30.0


# -- the subprocess side ------------------------------------------------------------------------


class ShiftedClock:
    """The system clock moved to start at a chosen instant; sleeps are real."""

    def __init__(self, start: datetime) -> None:
        self._start = start
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._t0)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


def _crashing_sender(point: str) -> None:
    from bot.app.briefings import DiscordSender

    original = DiscordSender.send

    async def send(self: DiscordSender, *args: Any) -> Any:
        if point == "after_claim":
            os._exit(CRASH_EXIT)
        result = await original(self, *args)
        if point == "after_send":
            os._exit(CRASH_EXIT)
        return result

    DiscordSender.send = send  # type: ignore[method-assign]


async def _serve(config_path: str) -> None:
    from bot.app.client import BriefingBot
    from bot.config import load_config

    bot = BriefingBot(load_config(config_path), extensions=["briefings"])
    bot.clock = ShiftedClock(datetime.fromisoformat(os.environ[NOW_ENV]))
    async with asyncio.timeout(PROCESS_TIMEOUT):
        await bot.start(os.environ["DISCORD_TOKEN"])


def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    _crashing_sender(os.environ[CRASH_ENV])
    asyncio.run(_serve(sys.argv[1]))
    sys.exit(3)  # the crash point was never reached


# -- the test side ------------------------------------------------------------------------------


async def _run_until_crash(config: Path, log_path: Path, point: str, token: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env.update(
        {
            "DISCORD_TOKEN": token,
            CRASH_ENV: point,
            NOW_ENV: (DUE + timedelta(seconds=1)).isoformat(),
            "PYTHONUNBUFFERED": "1",
        }
    )
    with log_path.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.bot.app.test_briefings_crash",
            str(config),
            cwd=str(REPO),
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        return await asyncio.wait_for(proc.wait(), timeout=PROCESS_TIMEOUT)
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            await asyncio.wait_for(proc.wait(), timeout=10)


@pytest.mark.parametrize("point", ["after_claim", "after_send"])
async def test_crash_between_claim_and_complete_posts_exactly_once(
    point: str, bot_starter: Any, emulator: Emulator, tmp_path: Path
) -> None:
    briefings = channel_named(emulator, "briefings")
    data_dir = tmp_path / "data"
    async with await SqliteStore.open(data_dir / "briefing.sqlite3") as store:
        sub = await store.upsert_subscription(
            emulator.guild.id, briefings.id, "09:00", "UTC", "daily", None, at=T0
        )
    key = delivery_key(sub.id, DAY)
    config = write_config(tmp_path / "crash.yaml", emulator, data_dir=data_dir)

    code = await _run_until_crash(config, tmp_path / "crash.log", point, emulator.token)
    log = (tmp_path / "crash.log").read_text(errors="replace")
    assert code == CRASH_EXIT, log
    async with await SqliteStore.open(data_dir / "briefing.sqlite3") as store:
        [pending] = await store.pending_deliveries()
    assert pending.delivery_key == key
    sent_before = posts(emulator, briefings)
    assert len(sent_before) == (1 if point == "after_send" else 0)

    running = await _restart_until_resolved(bot_starter, data_dir)
    dispatcher = runtime_of(running).dispatcher
    delivery = await runtime_of(running).store.get_delivery(sub.id, DAY)
    assert delivery is not None

    [message] = posts(emulator, briefings)
    assert footer(message) == f"Briefing · {key}"
    assert delivery.status == "sent" and delivery.message_id == int(message["id"])
    requests = emulator.state.requests_to("POST", f"/channels/{briefings.id}/messages")
    assert len(requests) == 1  # one send in total: never re-sent, not even deduplicated by nonce
    assert requests[0].json["nonce"] == pending.nonce and requests[0].json["enforce_nonce"] is True
    status = dispatcher.status()
    if point == "after_send":
        assert delivery.detail == "found after restart" and status.recovered == 1
        assert status.sent == 0
    else:
        assert status.sent == 1 and status.recovered == 0


async def test_crash_after_send_in_a_busy_channel_posts_exactly_once(
    bot_starter: Any, emulator: Emulator, tmp_path: Path
) -> None:
    """200 messages arrive between the crash and the restart, which comes after Discord's
    nonce window: only a search from the claim onwards finds the post."""
    briefings = channel_named(emulator, "briefings")
    data_dir = tmp_path / "data"
    async with await SqliteStore.open(data_dir / "briefing.sqlite3") as store:
        sub = await store.upsert_subscription(
            emulator.guild.id, briefings.id, "09:00", "UTC", "daily", None, at=T0
        )
    key = delivery_key(sub.id, DAY)
    config = write_config(tmp_path / "crash.yaml", emulator, data_dir=data_dir)
    code = await _run_until_crash(config, tmp_path / "crash.log", "after_send", emulator.token)
    assert code == CRASH_EXIT, (tmp_path / "crash.log").read_text(errors="replace")
    [posted] = posts(emulator, briefings)
    someone = emulator.state.add_member(emulator.guild, "chatty").user
    for i in range(200):
        emulator.state.post_as(someone, briefings.id, f"busy channel message {i}")
    emulator.state.nonces.clear()  # the nonce window has passed: a re-send would post again

    running = await _restart_until_resolved(bot_starter, data_dir)
    dispatcher = runtime_of(running).dispatcher
    bot_id = str(emulator.state.bot.id)
    mine = [m for m in posts(emulator, briefings) if m["author"]["id"] == bot_id]
    assert [m["id"] for m in mine] == [posted["id"]] and footer(posted) == f"Briefing · {key}"
    assert len(emulator.state.requests_to("POST", f"/channels/{briefings.id}/messages")) == 1
    delivery = await runtime_of(running).store.get_delivery(sub.id, DAY)
    assert delivery is not None and delivery.status == "sent"
    assert delivery.message_id == int(posted["id"]) and delivery.detail == "found after restart"
    assert dispatcher.status().recovered == 1


async def _restart_until_resolved(bot_starter: Any, data_dir: Path) -> Any:
    """Start the bot again three minutes after DUE, and wait until its dispatcher has
    resolved the pending delivery one way or another."""
    clock = ManualClock(DUE + timedelta(minutes=3))
    running = await bot_starter(
        prepare=with_clock(clock), data_dir=data_dir, extensions=["briefings"]
    )
    dispatcher = runtime_of(running).dispatcher

    def resolved() -> bool:
        status = dispatcher.status()
        return status.sent + status.recovered + status.failed + status.skipped > 0

    # the dispatcher paces sends on its clock: let the ManualClock jump over those waits
    await autojump(clock, resolved, DUE + timedelta(minutes=10), timeout=10)
    await asyncio.sleep(0.2)
    return running


if __name__ == "__main__":
    main()
