"""Two `briefing-bot run` processes, shards 0-1 and 2-3 of 4, on one PostgreSQL database and
one sharded emulator: answers, briefings, ownership, standby, reload, health (docs/scaling.md).

Every wait is bounded and generous (several bot processes start slowly on a loaded machine);
nothing here measures time.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.cli.run import NEEDS_POSTGRES, SHARD_OWNED
from bot.emulator import Emulator, Guild
from bot.storage.postgres import PostgresStore
from tests.support.cluster import (
    SHARDS,
    START_TIMEOUT,
    ClusterProcesses,
    cluster_emulator,
    guilds_on,
    healthz,
)
from tests.support.harness import spawn_bot, wait_for, write_config
from tests.support.paths import CONTENT_DIR

ANSWER_TIMEOUT = 30.0
FANOUT = 500
FANOUT_TIMEOUT = 300
DUE_LEAD = 15.0  # seconds between the processes' start and the due minute
THIS_PROCESS = re.compile(r"`[^`]+:(\d+)` [a-z]+, this process")


async def answering_pid(emulator: Emulator, guild: Guild) -> int:
    """/admin status in `guild`: the pid of the process that answered ("this process")."""
    handle = await emulator.command("admin status", guild=guild)
    message = await handle.final_message(timeout=ANSWER_TIMEOUT)
    fields = {f["name"]: f["value"] for f in message["embeds"][0]["fields"]}
    processes = next(v for k, v in fields.items() if k.startswith("Processes"))
    match = THIS_PROCESS.search(processes)
    assert match is not None, processes
    return int(match.group(1))


@pytest.mark.postgresql
async def test_each_command_is_answered_once_by_the_owner_of_its_guilds_shard(
    tmp_path: Path, postgres_url: str
) -> None:
    emulator = cluster_emulator()
    async with emulator, ClusterProcesses(emulator, tmp_path, postgres_url) as cluster:
        a = await cluster.spawn("a", "0-1")
        b = await cluster.spawn("b", "2-3")
        await cluster.ready(a, b)
        owner_of = {0: a, 1: a, 2: b, 3: b}
        handles = []
        for shard in range(SHARDS):
            for guild in guilds_on(emulator, [shard]):
                assert await answering_pid(emulator, guild) == owner_of[shard].pid
                handle = await emulator.command("help", guild=guild)
                await handle.final_message(timeout=ANSWER_TIMEOUT)
                handles.append(handle)
        # The emulator sends an event to every session connected for its shard, as Discord
        # does, so a shard run twice would answer twice: each got exactly one answer.
        await asyncio.sleep(1.0)  # a second answer, if any, would be on its way now
        for handle in handles:
            route = f"/interactions/{handle.id}/{handle.token}/callback"
            assert len(emulator.state.requests_to("POST", route)) == 1
        # Identifies were paced across both processes: no bucket identified twice in 5 s.
        assert emulator.gateway.refused_identifies == []
        for proc, owned in ((a, [0, 1]), (b, [2, 3])):
            answer = await healthz(proc)
            assert answer is not None
            status, body = answer
            assert status == 200, body
            assert body["store"]["backend"] == "postgresql" and body["store"]["up"] is True
            assert body["shards"] == {"count": SHARDS, "owned": owned, "connected": owned}
            assert body["cluster"]["processes"] == 2
        for proc in (a, b):
            assert await proc.stop() == 0
            assert "Traceback" not in proc.output()


def posts_per_channel(emulator: Emulator, channel_ids: list[int]) -> list[int]:
    """How many briefing posts (bot messages with the briefing footer) each channel holds."""
    return [
        sum(
            1
            for m in emulator.state.messages.get(cid, [])
            if m["type"] == 0 and "Briefing · bb:" in str(m.get("embeds"))
        )
        for cid in channel_ids
    ]


async def subscribe_channels(
    emulator: Emulator, postgres_url: str, count: int, due: datetime
) -> list[int]:
    """`count` new channels spread over the guilds, each subscribed for `due`'s minute."""
    guilds = list(emulator.state.guilds.values())
    channels = [
        emulator.state.add_channel(guilds[i % len(guilds)], f"fan-{i:04d}").id for i in range(count)
    ]
    store = await PostgresStore.open(postgres_url)
    try:
        for cid in channels:
            guild_id = emulator.state.channel(cid).guild_id  # type: ignore[union-attr]
            await store.upsert_subscription(
                guild_id, cid, due.strftime("%H:%M"), "UTC", "daily", None,
                at=due - timedelta(hours=1),
            )  # fmt: skip
    finally:
        await store.close()
    return channels


async def delivery_statuses(postgres_url: str) -> dict[str, int]:
    con = await asyncpg.connect(postgres_url, timeout=10)
    try:
        rows = await con.fetch("SELECT status, COUNT(*) FROM deliveries GROUP BY status")
    finally:
        await con.close()
    return {r[0]: int(r[1]) for r in rows}


@pytest.mark.postgresql
async def test_500_briefings_due_in_one_minute_are_posted_once_despite_a_kill_9(
    tmp_path: Path, postgres_url: str
) -> None:
    emulator = cluster_emulator()
    due = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
    channels = await subscribe_channels(emulator, postgres_url, FANOUT, due)
    # Both processes' clocks read DUE_LEAD seconds before the due minute when they start
    # (the same shift for both, so they agree), and then run in real time.
    shift = (due - timedelta(seconds=DUE_LEAD) - datetime.now(UTC)).total_seconds()
    # Discord's clock (message ids, searched by the recovery) agrees with the processes'.
    emulator.state.now = lambda: datetime.now(UTC) + timedelta(seconds=shift)
    async with (
        emulator,
        ClusterProcesses(emulator, tmp_path, postgres_url, clock_shift=shift) as cluster,
    ):
        a = await cluster.spawn("a", "0-1")
        b = await cluster.spawn("b", "2-3")
        await cluster.ready(a, b)

        def posted() -> int:
            return sum(1 for n in posts_per_channel(emulator, channels) if n)

        await wait_for(lambda: posted() >= FANOUT // 3, timeout=FANOUT_TIMEOUT, interval=0.05)
        assert await a.stop(signal.SIGKILL) == -signal.SIGKILL  # mid fan-out, no cleanup
        await wait_for(lambda: posted() == FANOUT, timeout=FANOUT_TIMEOUT, interval=0.2)

        async def settled() -> dict[str, int]:
            return await delivery_statuses(postgres_url)

        statuses: dict[str, int] = {}
        for _ in range(FANOUT_TIMEOUT):  # the survivor records what it finished
            statuses = await settled()
            if statuses == {"sent": FANOUT}:
                break
            await asyncio.sleep(1)
        assert statuses == {"sent": FANOUT}
        counts = posts_per_channel(emulator, channels)
        assert counts.count(1) == FANOUT, {n: counts.count(n) for n in set(counts)}
        assert "Traceback" not in b.output()


@pytest.mark.postgresql
async def test_an_owned_range_is_refused_and_a_standby_takes_over_after_kill_9(
    tmp_path: Path, postgres_url: str
) -> None:
    emulator = cluster_emulator()
    async with emulator, ClusterProcesses(emulator, tmp_path, postgres_url) as cluster:
        a = await cluster.spawn("a", "0-1")
        b = await cluster.spawn("b", "2-3")
        await cluster.ready(a, b)

        refused = await cluster.spawn("c", "1-2")
        assert await refused.wait(timeout=START_TIMEOUT) == SHARD_OWNED
        lines = refused.output().strip().splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith("briefing-bot: shards 1-2 of 4: shard 1 is already owned by")
        assert f":{a.pid}" in lines[0] and "--standby" in lines[0]
        # Shard locks are per shard id: a process counting shards otherwise is refused.
        other_count = await cluster.spawn("f", "4-7", shard_count=8)
        assert await other_count.wait(timeout=START_TIMEOUT) == 2
        [line] = other_count.output().strip().splitlines()
        assert "runs with shard_count 4 on this database" in line, line

        standby = await cluster.spawn("d", "0-1", standby=True)
        await wait_for(lambda: "standby for shards 0-1 of 4" in standby.output(), START_TIMEOUT)
        answer = await healthz(standby)
        assert answer is not None and answer[0] == 503
        assert answer[1]["cluster"]["role"] == "standby" and answer[1]["shards"]["connected"] == []
        shard_0 = guilds_on(emulator, [0])[0]
        assert await answering_pid(emulator, shard_0) == a.pid

        assert await a.stop(signal.SIGKILL) == -signal.SIGKILL
        await cluster.ready(standby)
        assert await answering_pid(emulator, shard_0) == standby.pid
        assert await answering_pid(emulator, guilds_on(emulator, [2])[0]) == b.pid
        assert "took over shards 0-1 of 4" in standby.output()
        status = await emulator.command("admin status", guild=shard_0)
        fields = (await status.final_message(timeout=ANSWER_TIMEOUT))["embeds"][0]["fields"]
        processes = next(f["value"] for f in fields if f["name"].startswith("Processes"))
        # The heartbeat table: the killed owner is listed as gone until it is pruned.
        assert f":{standby.pid}` " in processes and f":{b.pid}` active" in processes
        assert f":{a.pid}` gone" in processes

        # A standby still waiting stops at once on SIGTERM (its owner is alive).
        waiting = await cluster.spawn("e", "2-3", standby=True)
        await wait_for(lambda: "standby for shards 2-3 of 4" in waiting.output(), START_TIMEOUT)
        assert await waiting.stop() == 0
        assert await answering_pid(emulator, guilds_on(emulator, [3])[0]) == b.pid


@pytest.mark.postgresql
async def test_a_reload_started_in_one_process_reaches_both(
    tmp_path: Path, postgres_url: str
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    emulator = cluster_emulator(guilds_per_shard=1)
    async with (
        emulator,
        ClusterProcesses(emulator, tmp_path, postgres_url, content_dir=content) as cluster,
    ):
        a = await cluster.spawn("a", "0-1")
        b = await cluster.spawn("b", "2-3")
        await cluster.ready(a, b)
        section = next((content / "bluebook-2020-russia" / "sections").glob("012-*.md"))
        section.write_text(
            section.read_text(encoding="utf-8") + "\nA paragraph added for the reload test.\n",
            encoding="utf-8",
        )
        handle = await emulator.command("admin reload", guild=guilds_on(emulator, [0])[0])
        message = await handle.final_message(timeout=ANSWER_TIMEOUT * 2)
        embed = message["embeds"][0]
        assert embed["title"] == "Content reloaded"
        [field] = [f for f in embed["fields"] if f["name"] == "Processes (2)"]
        lines = field["value"].splitlines()
        assert len(lines) == 2, lines
        hashes = {re.findall(r"reloaded → `([0-9a-f]{12})`", line)[0] for line in lines}
        assert len(hashes) == 1, lines  # both serve the same, new content
        [new_hash] = hashes
        assert f":{a.pid}` (shards 0-1 of 4, this process)" in lines[0]
        assert f":{b.pid}` (shards 2-3 of 4)" in lines[1]
        assert new_hash in embed["description"]
        status = await emulator.command("admin status", guild=guilds_on(emulator, [2])[0])
        fields = (await status.final_message(timeout=ANSWER_TIMEOUT))["embeds"][0]["fields"]
        assert new_hash in next(f["value"] for f in fields if f["name"] == "Content")


async def test_a_shard_range_on_sqlite_is_refused_with_one_line(
    emulator: Emulator, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "c.yaml", emulator, data_dir=tmp_path / "data")
    args = ["run", "--config", str(config), "--shard-count", "4", "--shards", "0-1"]
    proc = await spawn_bot(args, tmp_path / "out.log", token=emulator.token)
    assert await proc.wait(timeout=60) == 2
    assert proc.output().strip().splitlines() == [NEEDS_POSTGRES]
    assert not emulator.requests
