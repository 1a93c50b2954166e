"""`python -m bench.served_emulator`: the emulator as its own process, driven over HTTP.

bench/e2e.py depends on it: the URLs line, the control run with a real bot in this process,
and a clean stop of only the pid that was started.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.support.harness import start_bot
from tests.support.paths import REPO

TIMEOUT = 15.0


@dataclass(frozen=True)
class Served:
    proc: asyncio.subprocess.Process
    api_base_url: str
    gateway_url: str
    token: str
    control: str


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.served_emulator",
        "--port",
        "0",
        "--print-port",
        "--exit-on-eof",
        "--max-seconds",
        "120",
        cwd=REPO,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(await asyncio.wait_for(proc.stdout.readline(), TIMEOUT))
        assert info["pid"] == proc.pid
        yield Served(
            proc, info["api_base_url"], info["gateway_url"], info["token"], info["control"]
        )
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            await asyncio.wait_for(proc.wait(), TIMEOUT)


async def test_urls_are_loopback_and_shutdown_stops_the_process(served: Served) -> None:
    assert served.api_base_url.startswith("http://127.0.0.1:")
    assert served.gateway_url.startswith("ws://127.0.0.1:")
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{served.control}/status") as resp:
            status = await resp.json()
        assert status == {"identified": False, "commands": []}
        async with session.post(f"{served.control}/run", json={"command": "help"}) as resp:
            assert resp.status == 409  # no bot connected yet: refused, not hung
        async with session.post(f"{served.control}/shutdown") as resp:
            assert resp.status == 200
    assert await asyncio.wait_for(served.proc.wait(), TIMEOUT) == 0


async def test_closing_stdin_stops_the_process(served: Served) -> None:
    assert served.proc.stdin is not None
    served.proc.stdin.close()
    assert await asyncio.wait_for(served.proc.wait(), TIMEOUT) == 0


async def test_run_dispatches_to_a_real_bot_and_reports_each_answer(
    served: Served, tmp_path: Path
) -> None:
    running = await start_bot(served, tmp_path)  # type: ignore[arg-type]
    try:
        spec: dict[str, Any] = {
            "command": "section",
            "options": [{"query": "russia"}, {"query": "no such section zzqx"}],
            "n": 6,
            "in_flight": 3,
        }
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{served.control}/run", json=spec) as resp:
                assert resp.status == 200
                body = await resp.json()
            async with session.post(f"{served.control}/run", json={"n": 1}) as resp:
                assert resp.status == 400
    finally:
        await running.stop()
    assert body["failed"] == 0
    assert len(body["latencies_ms"]) == 6
    assert all(ms > 0 for ms in body["latencies_ms"])
    assert body["answers"]["embed"] >= 3  # "russia" names a section: an embed each time
    assert body["answers"]["embed"] + body["answers"]["text"] == 6
