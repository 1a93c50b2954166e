"""Cluster benchmark: one process with all 4 shards against two processes with 2 shards each,
on one PostgreSQL database, against one sharded emulator.

    python bench/cluster.py [--subs 1000] [--budget 40] [--max-concurrency 1]
                            [--database-url postgresql://me@127.0.0.1/postgres]

For each layout: `--subs` subscriptions fall due in the same minute; the bot processes
(`briefing-bot run --shard-count 4 --shards ...`, real subprocesses, their clocks shifted so
that the minute comes `--lead` seconds after they start) post them; then a standby for the
first process's shards is started, the first process is killed with SIGKILL, and a /help is
sent to a guild of its shards every 0.25 s until one is answered. Printed per layout, with
the ratio to the one-process layout measured in the same run:

- deliveries per second, from the due minute to the last post;
- lateness of the posts after the due minute, p50 and p99 (Discord's message timestamps);
- duplicates (a channel with two posts) and misses (none);
- failover: from the kill to the first answer by the standby;
- the peak REST rate (most requests in any one second, from the due minute on) against
  Discord's global 50 per second, and the 429s the emulator answered;
- the CPU time of each process from the due minute to the last post, and its resident
  memory after the fan-out (and the standby's).

The emulator runs in this process's event loop; the PostgreSQL server is a throw-away one
(tests/support/postgres.py) unless --database-url names a server whose role may CREATE
DATABASE. Exits 1 unless every layout posted each briefing exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.emulator import Emulator  # noqa: E402
from bot.storage.postgres import PostgresStore  # noqa: E402
from tests.support.cluster import (  # noqa: E402
    SHARDS,
    ClusterProcesses,
    cluster_emulator,
    guilds_on,
)
from tests.support.harness import BotProcess, wait_for  # noqa: E402
from tests.support.postgres import PostgresCluster, start_server  # noqa: E402

LAYOUTS = {"1 process": ["0-3"], "2 processes": ["0-1", "2-3"]}
WAIT_S = 600.0
FOOTER = "Briefing · bb:"


@dataclass
class Figures:
    posted: int = 0
    duplicates: int = 0
    misses: int = 0
    per_second: float = 0.0
    late_p50: float = 0.0
    late_p99: float = 0.0
    failover_s: float = float("nan")
    peak_rest: int = 0
    refused: int = 0
    rss_mb: list[float] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)
    standby_rss_mb: float = 0.0


def progress(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of `pid` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of `pid` (Linux /proc), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def briefing_posts(emulator: Emulator, channels: list[int]) -> dict[int, list[dict[str, Any]]]:
    return {
        cid: [
            m
            for m in emulator.state.messages.get(cid, [])
            if m["type"] == 0 and FOOTER in str(m.get("embeds"))
        ]
        for cid in channels
    }


async def subscribe(emulator: Emulator, url: str, count: int, due: datetime) -> list[int]:
    guilds = list(emulator.state.guilds.values())
    channels = [
        emulator.state.add_channel(guilds[i % len(guilds)], f"fan-{i:05d}").id for i in range(count)
    ]
    store = await PostgresStore.open(url)
    try:
        for cid in channels:
            channel = emulator.state.channel(cid)
            assert channel is not None
            await store.upsert_subscription(
                channel.guild_id, cid, due.strftime("%H:%M"), "UTC", "daily", None,
                at=due - timedelta(hours=1),
            )  # fmt: skip
    finally:
        await store.close()
    return channels


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def failover(
    emulator: Emulator, cluster: ClusterProcesses, victim: BotProcess, shards: str
) -> tuple[float, float]:
    """Seconds from SIGKILL of `victim` to the first answer in a guild of its shards (by the
    standby started beforehand), and the standby's resident memory."""
    standby = await cluster.spawn("standby", shards, standby=True)
    await wait_for(lambda: "waiting for their owner" in standby.output(), WAIT_S, 0.1)
    guild = guilds_on(emulator, [0])[0]
    killed = time.monotonic()
    await victim.stop(signal.SIGKILL)
    handles = []
    deadline = killed + WAIT_S
    while time.monotonic() < deadline:
        handles.append(await emulator.command("help", guild=guild))
        answered = [e.at for h in handles for e in h.events if e.kind == "callback"]
        if answered:
            return min(answered) - killed, rss_mb(standby.pid)
        await asyncio.sleep(0.25)
    raise TimeoutError("the standby never answered")


async def run_layout(
    name: str, ranges: list[str], args: argparse.Namespace, url: str, tmp: Path
) -> Figures:
    emulator = cluster_emulator(max_concurrency=args.max_concurrency)
    due = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
    channels = await subscribe(emulator, url, args.subs, due)
    shift = (due - timedelta(seconds=args.lead) - datetime.now(UTC)).total_seconds()
    emulator.state.now = lambda: datetime.now(UTC) + timedelta(seconds=shift)
    extra = {"briefings": {"max_sends_per_second": args.budget}}
    figures = Figures()
    async with (
        emulator,
        ClusterProcesses(emulator, tmp, url, clock_shift=shift, extra=extra) as cluster,
    ):
        procs = [await cluster.spawn(f"p{i}", shards) for i, shards in enumerate(ranges)]
        progress(f"{name}: started {len(procs)} processes; waiting until they are ready")
        await cluster.ready(*procs, timeout=WAIT_S)
        seconds_to_due = (due - emulator.state.now()).total_seconds()
        if seconds_to_due < 1:
            print(f"{name}: the processes took longer than --lead to start", file=sys.stderr)
        await asyncio.sleep(max(0.0, seconds_to_due - 0.5))
        emulator.global_limit.reset_peak()
        refused_before = emulator.global_limit.refused
        cpu_before = [cpu_s(p.pid) for p in procs]

        def done() -> bool:
            return all(briefing_posts(emulator, channels).values())

        progress(f"{name}: due; waiting for {len(channels)} posts")
        await wait_for(done, WAIT_S, 0.2)
        await asyncio.sleep(2.0)  # a duplicate would arrive now
        posts = briefing_posts(emulator, channels)
        figures.peak_rest = emulator.global_limit.peak
        figures.refused = emulator.global_limit.refused - refused_before
        figures.rss_mb = [rss_mb(p.pid) for p in procs]
        figures.cpu_s = [cpu_s(p.pid) - before for p, before in zip(procs, cpu_before, strict=True)]
        stamps = [datetime.fromisoformat(m["timestamp"]) for ms in posts.values() for m in ms]
        late = [(t - due).total_seconds() for t in stamps]
        figures.posted = len(stamps)
        figures.duplicates = sum(len(ms) - 1 for ms in posts.values() if len(ms) > 1)
        figures.misses = sum(1 for ms in posts.values() if not ms)
        figures.per_second = len(channels) / max(late) if late else 0.0
        figures.late_p50 = percentile(late, 0.5)
        figures.late_p99 = percentile(late, 0.99)
        progress(f"{name}: posted; failover")
        figures.failover_s, figures.standby_rss_mb = await failover(
            emulator, cluster, procs[0], ranges[0]
        )
    return figures


def report(results: dict[str, Figures], args: argparse.Namespace) -> None:
    base = results["1 process"]

    def ratio(value: float, baseline: float) -> str:
        return f" ({value / baseline:.2f}x)" if baseline and baseline == baseline else ""

    print(
        f"cluster bench: {args.subs} subscriptions due in one minute, send budget "
        f"{args.budget:g}/s for the whole cluster, {SHARDS} shards, max_concurrency "
        f"{args.max_concurrency}, one PostgreSQL"
    )
    for name, f in results.items():
        print(f"\n{name}:")
        print(
            f"  deliveries per second    {f.per_second:7.1f}{ratio(f.per_second, base.per_second)}"
        )
        print(
            f"  lateness p50 / p99       {f.late_p50:7.2f} s / {f.late_p99:.2f} s"
            f"{ratio(f.late_p99, base.late_p99)}"
        )
        print(f"  posted / duplicates / misses   {f.posted} / {f.duplicates} / {f.misses}")
        print(
            f"  failover (kill -9 → standby's first answer)  {f.failover_s:.2f} s"
            f"{ratio(f.failover_s, base.failover_s)}"
        )
        print(
            f"  peak REST rate           {f.peak_rest} requests in one second (limit 50); "
            f"429s: {f.refused}"
        )
        cpu = ", ".join(f"{c:.1f}" for c in f.cpu_s)
        print(f"  CPU during the fan-out   {cpu} s per process")
        rss = ", ".join(f"{m:.0f}" for m in f.rss_mb)
        print(f"  resident memory          {rss} MB per process; standby {f.standby_rss_mb:.0f} MB")


async def main_async(args: argparse.Namespace) -> int:
    server = None
    if args.database_url:
        databases = PostgresCluster(args.database_url)
    else:
        progress("starting a PostgreSQL server")
        server = start_server()
        databases = PostgresCluster(server.url(), server)
    results: dict[str, Figures] = {}
    try:
        for name, ranges in LAYOUTS.items():
            progress(f"{name}: a new database")
            url = databases.create_database()
            try:
                with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
                    results[name] = await run_layout(name, ranges, args, url, Path(tmp))
            finally:
                databases.drop_database(url)
    finally:
        if server is not None:
            server.remove()
    report(results, args)
    exact = all(f.duplicates == 0 and f.misses == 0 for f in results.values())
    return 0 if exact else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subs", type=int, default=1000)
    parser.add_argument("--budget", type=float, default=40.0, help="briefings.max_sends_per_second")
    parser.add_argument("--max-concurrency", type=int, default=1)
    parser.add_argument("--lead", type=float, default=45.0, help="seconds from start to due")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
