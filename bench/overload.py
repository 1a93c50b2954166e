"""Overload: bursts of distinct /search queries arriving at once, and a surge, against the
real bot; every interaction must be answered (or shed) within Discord's 3 s.

    python bench/overload.py [--bursts 5] [--burst 1000] [--surge 2000] [--rounds 15]

The emulator runs as its own process (bench/served_emulator.py) on its own CPU and
dispatches each burst open loop: every INTERACTION_CREATE is written before any answer is
awaited, each from a user of its own, with a 250-300 character query no other interaction
of the run uses. It accepts a callback only within 3 s of the interaction's creation, as
Discord does. For each burst it prints: answered within 3 s (target 100 %), answered with
the real result (an embed, or the search's own "nothing relevant"), shed ("busy, try
again"), p50 and p99 of the time to the first answer, and the bot's resident memory before
and after. `--rounds` then repeats 1,000-interaction bursts and prints the memory after
each, to tell a bound from a leak; the baseline is the first round's figure.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.e2e import pin_cpus, start_emulator, stop_emulator  # noqa: E402
from bot.app.overload import BUSY  # noqa: E402
from bot.playground.harness import start_bot, write_config  # noqa: E402

WORDS = [
    "russia",
    "japan",
    "economic",
    "cooperation",
    "sanctions",
    "energy",
    "summit",
    "territories",
    "peace",
    "treaty",
    "fisheries",
    "security",
    "dialogue",
    "investment",
    "trade",
    "crimea",
    "ukraine",
    "arctic",
    "lng",
    "sakhalin",
    "vladivostok",
    "forum",
    "leaders",
    "ministers",
    "defense",
    "exchange",
    "visa",
    "culture",
    "youth",
    "medical",
    "urban",
]
WINDOW_MS = 3000.0


def query(rng: random.Random, n: int) -> str:
    """A distinct 250-300 character query: random words, then the run-wide serial `n`."""
    target = rng.randint(250, 300)
    words: list[str] = []
    while len(" ".join(words)) < target - 12:
        words.append(rng.choice(WORDS))
    return f"{' '.join(words)} q{n:07d}"[:target]


def summarise(
    label: str, fates: list[dict[str, Any]], rss: tuple[float, float], emulator_cpu: float
) -> str:
    n = len(fates)
    in_time = [f for f in fates if f["answered_ms"] is not None and f["answered_ms"] <= WINDOW_MS]
    shed = [f for f in fates if f["content"] == BUSY]
    real = [
        f
        for f in in_time
        if f["visible_kind"] == "embed"
        or (f["visible_kind"] == "text" and f["content"] not in (BUSY,))
    ]
    times = sorted(f["answered_ms"] for f in in_time) or [float("nan")]
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return (
        f"{label:<14}{n:>6}{100 * len(in_time) / n:>9.1f}%{100 * len(real) / n:>9.1f}%"
        f"{100 * len(shed) / n:>7.1f}%{statistics.median(times):>9.0f}{p99:>9.0f}"
        f"{rss[0]:>9.1f}{rss[1]:>9.1f}{emulator_cpu:>8.1f}"
    )


async def burst(
    session: aiohttp.ClientSession, control: str, queries: list[str]
) -> tuple[list[dict[str, Any]], float]:
    """Each interaction's fate, and the emulator's CPU seconds for the burst."""
    spec = {"command": "search", "options": [{"query": q} for q in queries], "settle": 30}
    async with session.post(f"{control}/burst", json=spec) as resp:
        body = await resp.json()
    if resp.status != 200:
        raise RuntimeError(body)
    return list(body["fates"]), float(body["emulator_cpu_s"])


def settings(args: argparse.Namespace) -> dict[str, int]:
    """The bot's `interactions` settings the run overrides (none: the defaults)."""
    chosen = {"defer_after_ms": args.defer_after_ms, "max_in_flight": args.max_in_flight}
    return {k: v for k, v in chosen.items() if v is not None}


def rss_mb() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / 2**20


async def main_async(args: argparse.Namespace) -> int:
    rng = random.Random(7)
    serial = iter(range(10**7))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        proc, remote = await start_emulator(tmp / "emulator.log", args.emulator_loop)
        pinned = pin_cpus(proc.pid)
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        running = None
        try:
            config = write_config(
                tmp / "config.yaml",
                remote,  # type: ignore[arg-type]
                content_dir=REPO / "content",
                data_dir=tmp / "data",
                extra={"interactions": settings(args)},
            )
            running = await start_bot(remote, config)  # type: ignore[arg-type]
            print(f"bot: interactions {settings(args) or 'defaults'}; {pinned or 'not pinned'}")
            print(f"{'scenario':<14}{'n':>6}{'in 3 s':>10}{'result':>10}{'shed':>8}"
                  f"{'p50 ms':>9}{'p99 ms':>9}{'RSS MB':>9}{'after':>9}{'emu s':>8}")  # fmt: skip
            scenarios = [(f"burst {i + 1}", args.burst) for i in range(args.bursts)]
            scenarios.append(("surge", args.surge))
            for label, n in scenarios:
                before = rss_mb()
                queries = [query(rng, next(serial)) for _ in range(n)]
                fates, emulator_cpu = await burst(session, remote.control, queries)
                await asyncio.sleep(1.0)  # let followups and releases finish
                print(summarise(label, fates, (before, rss_mb()), emulator_cpu), flush=True)
            print(f"\nmemory over {args.rounds} more bursts of 1,000 distinct queries (MB):")
            marks = []
            for _ in range(args.rounds):
                await burst(
                    session, remote.control, [query(rng, next(serial)) for _ in range(1000)]
                )
                await asyncio.sleep(0.5)
                marks.append(rss_mb())
            growth = [b - a for a, b in itertools.pairwise(marks)]
            print("  " + " ".join(f"{m:.0f}" for m in marks))
            if growth:
                half = growth[len(growth) // 2 :]
                print(f"  per 1,000 after the first round: mean {statistics.mean(growth):+.2f} MB,"
                      f" second half {statistics.mean(half):+.2f} MB")  # fmt: skip
        finally:
            if running is not None:
                await running.stop()
            await stop_emulator(proc, session, remote.control)
            await session.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bursts", type=int, default=5, help="bursts of --burst (default 5)")
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--surge", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=15, help="memory rounds of 1,000")
    parser.add_argument(
        "--emulator-loop",
        choices=("asyncio", "uvloop"),
        default="uvloop",
        help="the emulator's event loop (uvloop: the emulator's share of the CPU is smaller)",
    )
    parser.add_argument("--defer-after-ms", type=int, default=None, help="override the bot's")
    parser.add_argument("--max-in-flight", type=int, default=None, help="override the bot's")
    args = parser.parse_args()
    if not (1 <= args.burst <= 5000 and 1 <= args.surge <= 10000 and 0 <= args.rounds <= 100):
        parser.error("sizes out of range")
    started = time.monotonic()
    code = asyncio.run(main_async(args))
    print(f"\n({time.monotonic() - started:.0f} s)")
    return code


if __name__ == "__main__":
    sys.exit(main())
