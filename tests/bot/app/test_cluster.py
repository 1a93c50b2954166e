"""The bot's side of a cluster node, without Discord: the REST share per live process, a
lost session (back with its shards, or stopped when a standby took one), reloads reaching
the other processes, and the IDENTIFY pacing of one process."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.app.cluster import ClusterRuntime, shard_text
from bot.app.identify import LocalIdentifyPacer
from bot.config import Config, load_config
from bot.content.manager import ReloadReport
from bot.storage.cluster import ClusterNode
from tests.support.cluster import kill_session


@dataclass
class RecordingBot:
    """Implements the ClusterBot protocol; remembers the rates it was given."""

    content: str = "c0ffee" * 4
    rates: list[float] = field(default_factory=list)
    reloads: list[str] = field(default_factory=list)
    refuse: bool = False

    def content_hash(self) -> str | None:
        return self.content

    def deliveries_sent(self) -> int:
        return 3

    def set_send_rate(self, per_second: float) -> None:
        self.rates.append(per_second)

    async def reload_content(self, trigger: str) -> ReloadReport:
        self.reloads.append(trigger)
        if self.refuse:
            return ReloadReport(
                ok=False, trigger=trigger, errors=("x:1: bad",), old_hash=self.content
            )
        old, self.content = self.content, "beef" * 16
        return ReloadReport(ok=True, trigger=trigger, old_hash=old, new_hash=self.content)


def config(tmp_path: Any, **cluster: Any) -> Config:
    path = tmp_path / "config.yaml"
    lines = "".join(f"  {k}: {v}\n" for k, v in cluster.items())
    path.write_text(f"briefings:\n  max_sends_per_second: 40\ncluster:\n{lines}" if lines else "")
    return load_config(path, environ={})


@contextlib.asynccontextmanager
async def runtimes(url: str) -> AsyncIterator[Any]:
    started: list[ClusterRuntime] = []

    async def start(cfg: Config, bot: Any, **kw: Any) -> ClusterRuntime:
        node = await ClusterNode.join(url, role=kw.pop("role", "single"), **kw)
        runtime = ClusterRuntime(node, cfg)
        runtime.attach(bot)
        started.append(runtime)
        return runtime

    try:
        yield start
    finally:
        for runtime in started:
            await runtime.stop()


@pytest.mark.postgresql
async def test_each_live_process_takes_its_share_of_the_send_budget(
    postgres_url: str, tmp_path: Any
) -> None:
    async with runtimes(postgres_url) as start:
        cfg = config(tmp_path)
        a_bot, b_bot = RecordingBot(), RecordingBot()
        a = await start(cfg, a_bot)
        b = await start(cfg, b_bot)
        await a.beat()
        assert a_bot.rates[-1] == 20.0 and a.alive == 2
        [row] = [n for n in await a.node.nodes() if n.owner == a.node.owner]
        assert (row.content_hash, row.sent) == (a_bot.content, 3)
        await b.stop()
        await a.beat()
        assert a_bot.rates[-1] == 40.0 and a.share() == 40.0


@pytest.mark.postgresql
async def test_a_lost_session_comes_back_unless_a_standby_took_a_shard(
    postgres_url: str, tmp_path: Any
) -> None:
    async with runtimes(postgres_url) as start:
        cfg = config(tmp_path)
        runtime = await start(cfg, RecordingBot(), role="active", shard_count=2, shards=[0])
        assert await runtime.node.hold_shards() is None
        await kill_session(postgres_url, runtime.node)
        await runtime.beat()  # reconnects and holds shard 0 again
        assert not runtime.lost.is_set() and runtime.node.held == (0,) and runtime.reachable

        await kill_session(postgres_url, runtime.node)
        standby = await start(cfg, RecordingBot(), role="standby", shard_count=2, shards=[0])
        assert await standby.node.wait_for_shards(poll=0.05)
        await runtime.beat()
        assert runtime.lost.is_set()
        assert runtime.lost_reason.startswith("shard 0 is already owned by process")


@pytest.mark.postgresql
async def test_a_reload_reaches_every_other_process_and_says_who_did_not_answer(
    postgres_url: str, tmp_path: Any
) -> None:
    async with runtimes(postgres_url) as start:
        cfg = config(tmp_path, reload_wait_seconds=1)
        a = await start(cfg, RecordingBot())
        b_bot, c_bot = RecordingBot(), RecordingBot(refuse=True)
        b = await start(cfg, b_bot, role="active", shard_count=4, shards=[2, 3])
        c = await start(cfg, c_bot)
        silent = await ClusterNode.join(postgres_url, role="single")  # joined, never answers
        try:
            result = await a.broadcast_reload("/admin reload by user 1")
        finally:
            await silent.close()
        assert b_bot.reloads == ["cluster reload (/admin reload by user 1)"]
        acks = {ack.owner: ack for ack in result.acks}
        assert set(acks) == {b.node.owner, c.node.owner}
        assert acks[b.node.owner].ok and acks[b.node.owner].content_hash == b_bot.content
        assert acks[b.node.owner].shards == "shards 2-3 of 4"
        assert not acks[c.node.owner].ok and acks[c.node.owner].errors == 1
        assert [n.owner for n in result.missing()] == [silent.owner]


def test_shard_text() -> None:
    assert shard_text([0, 1], 4) == "shards 0-1 of 4"
    assert shard_text([3], 4) == "shard 3 of 4"
    assert shard_text([0, 2], 4) == "shards 0,2 of 4"
    assert shard_text([], None) == "all guilds"


def test_one_process_identifies_once_per_bucket_per_window() -> None:
    pacer = LocalIdentifyPacer(max_concurrency=2, spacing=100.0)
    waits = [pacer.reserve(shard) for shard in (0, 1, 2, 3, 4)]
    assert waits[0] == 0 and waits[1] == 0  # buckets 0 and 1 start at once
    assert 99 < waits[2] <= 100 and 99 < waits[3] <= 100  # shards 2, 3: their bucket's next
    assert 199 < waits[4] <= 200  # shard 4: the third in bucket 0
