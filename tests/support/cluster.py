"""Test clusters: several `briefing-bot run` processes, each with a shard range, on one
PostgreSQL database (tests/support/postgres.py) against one sharded emulator in the test's
event loop.

    emulator = cluster_emulator()                     # 4 shards, 2 guilds on each
    async with emulator, ClusterProcesses(emulator, tmp_path, postgres_url) as cluster:
        a = await cluster.spawn("a", "0-1")
        b = await cluster.spawn("b", "2-3")
        await cluster.ready(a, b)

Every process started is stopped at the end (SIGTERM, then SIGKILL), by its pid only.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp
import asyncpg

from bot.emulator import Emulator, Guild, shard_of
from bot.storage.cluster import ClusterNode
from bot.storage.locks import NODE_LOCKS
from tests.support.harness import BotProcess, spawn_bot, wait_for, write_config
from tests.support.paths import CONTENT_DIR
from tests.support.shifted_run import SHIFT_ENV

SHARDS = 4
START_TIMEOUT = 120.0  # a loaded 2-core machine starts several bot processes slowly
HEALTH_LINE = re.compile(r"health server listening on (http://\S+)")


def cluster_emulator(guilds_per_shard: int = 2, **options: Any) -> Emulator:
    """An emulator recommending 4 shards, max_concurrency 2, refusing identify bursts (op 9)
    as Discord does, with `guilds_per_shard` guilds on every shard."""
    options = {
        "shards": SHARDS,
        "max_concurrency": 2,
        "identify_window": 5.0,
        "heartbeat_ack_delay": 0.05,  # as on Discord; see bot/emulator/gateway.py
        **options,
    }
    emulator = Emulator(guilds=0, **options)
    for shard in range(SHARDS):
        for i in range(guilds_per_shard):
            emulator.state.add_guild(f"Shard {shard} guild {i}", shard=(shard, SHARDS))
    return emulator


def guilds_on(emulator: Emulator, shards: Sequence[int]) -> list[Guild]:
    return [g for g in emulator.state.guilds.values() if shard_of(g.id, SHARDS) in shards]


def health_url(proc: BotProcess) -> str | None:
    match = HEALTH_LINE.search(proc.output())
    return match.group(1) if match else None


async def healthz(proc: BotProcess) -> tuple[int, dict[str, Any]] | None:
    """The process's /healthz (status, body), None while it does not answer."""
    url = health_url(proc)
    if url is None:
        return None
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http,
            http.get(f"{url}/healthz") as response,
        ):
            return response.status, await response.json()
    except (aiohttp.ClientError, TimeoutError):
        return None


class ClusterProcesses:
    """Spawns cluster members against `emulator` and the database at `database_url`."""

    def __init__(
        self,
        emulator: Emulator,
        tmp_path: Path,
        database_url: str,
        *,
        content_dir: Path = CONTENT_DIR,
        clock_shift: float | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.emulator = emulator
        self.tmp_path = tmp_path
        self.database_url = database_url
        self.content_dir = content_dir
        self.clock_shift = clock_shift
        self.extra = extra or {}
        self.started: list[BotProcess] = []

    async def __aenter__(self) -> ClusterProcesses:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for proc in self.started:
            await proc.stop()

    async def spawn(
        self, name: str, shards: str, *, standby: bool = False, shard_count: int = SHARDS
    ) -> BotProcess:
        extra: dict[str, dict[str, Any]] = {
            "storage": {"database": self.database_url},
            "health": {"enabled": True, "port": 0},
            "cluster": {"heartbeat_seconds": 1, "reload_wait_seconds": 30},
            "admin": {"owner_ids": [self.emulator.state.owner.id]},
        }
        for section, values in self.extra.items():
            extra[section] = {**extra.get(section, {}), **values}
        config = write_config(
            self.tmp_path / f"{name}.yaml",
            self.emulator,
            data_dir=self.tmp_path / f"data-{name}",
            content_dir=self.content_dir,
            extra=extra,
        )
        args = ["run", "--config", str(config), "--shard-count", str(shard_count)]
        args += ["--shards", shards]
        env = {SHIFT_ENV: str(self.clock_shift)} if self.clock_shift is not None else {}
        proc = await spawn_bot(
            [*args, *(["--standby"] if standby else [])],
            self.tmp_path / f"{name}.log",
            token=self.emulator.token,
            env=env,
            module="tests.support.shifted_run",
        )
        self.started.append(proc)
        return proc

    async def ready(self, *procs: BotProcess, timeout: float = START_TIMEOUT) -> None:
        """Until each process's /healthz says ok (every shard of it connected)."""
        for proc in procs:
            try:
                await wait_for(lambda p=proc: health_url(p) is not None, timeout, 0.1)
                await poll_health(proc, timeout)
            except TimeoutError:
                raise TimeoutError(f"{proc.args} not ready:\n{proc.output()[-3000:]}") from None


async def poll_health(proc: BotProcess, timeout: float) -> dict[str, Any]:
    """Until /healthz answers 200; its body."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.proc.returncode is not None:
            raise TimeoutError(f"exited with {proc.proc.returncode}")
        answer = await healthz(proc)
        if answer is not None and answer[0] == 200:
            return answer[1]
        await asyncio.sleep(0.2)
    raise TimeoutError(f"/healthz not ok within {timeout} s")


async def kill_session(url: str, node: ClusterNode, timeout: float = 30.0) -> None:
    """End `node`'s database session from the server, as when its process is killed."""
    con = await asyncpg.connect(url, timeout=10)
    try:
        await con.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'briefing-bot cluster' AND pid IN ("
            " SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2"
            " AND objid = $1::oid AND classid = $2::oid)",
            node.id,
            NODE_LOCKS,
        )
    finally:
        await con.close()
    await wait_for(lambda: not node.connected, timeout=timeout)
