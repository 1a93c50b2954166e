"""Fan-out: how long 1,000 briefings due in the same minute take to reach Discord, and the
bot's CPU time per delivery.

    python bench/fanout.py [--subs 1000] [--rate 40] [--channel-limit 5] [--channel-window 5]

The emulator runs in a child process (so the CPU figures are the bot's alone) and answers
with Discord's rate-limit headers: a per-channel bucket on POST /channels/{id}/messages
(default 5 per 5 s, like Discord's) and a global 50 requests/s, each answered with a 429
(`retry_after`, `X-RateLimit-Global`, `Via`) when exceeded. The bot is the real BriefingBot
with the briefings cog, its dispatcher on a clock set 2 s before the due minute; sends
start at `briefings.max_sends_per_second` (--rate). Prints the figures; exits 1 unless
every channel got exactly one message.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import multiprocessing
import resource
import sys
import tempfile
import time
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

WAIT_LIMIT_S = 600.0


# -- the emulator process ----------------------------------------------------------------------


def _rate_limiter(
    per_channel: int, window: float, global_per_second: int, stats: dict[str, int]
) -> Any:
    from aiohttp import web

    channel_hits: dict[str, deque[float]] = {}
    global_hits: deque[float] = deque()

    def headers(bucket: str, limit: int, remaining: int, reset_after: float) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, remaining)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket,
            "Via": "1.1 google",
        }

    def too_many(retry_after: float, extra: dict[str, str], is_global: bool) -> web.Response:
        import json

        stats["global_429" if is_global else "channel_429"] += 1
        extra = {**extra, "Retry-After": f"{retry_after:.3f}", "Content-Type": "application/json"}
        if is_global:
            extra["X-RateLimit-Global"] = "true"
        extra["X-RateLimit-Scope"] = "global" if is_global else "user"
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": is_global,
            "code": 0,
        }
        return web.Response(body=json.dumps(body).encode(), status=429, headers=extra)

    @web.middleware
    async def limiter(request: web.Request, handler: Callable[..., Awaitable[Any]]) -> Any:
        now = time.monotonic()
        while global_hits and now - global_hits[0] >= 1.0:
            global_hits.popleft()
        if len(global_hits) >= global_per_second:
            return too_many(1.0 - (now - global_hits[0]), {}, True)
        global_hits.append(now)
        path = request.path
        if request.method != "POST" or not path.endswith("/messages") or "/channels/" not in path:
            return await handler(request)
        channel = path.split("/channels/")[1].split("/")[0]
        bucket = hashlib.sha1(b"POST /channels/{id}/messages").hexdigest()[:16]
        hits = channel_hits.setdefault(channel, deque())
        while hits and now - hits[0] >= window:
            hits.popleft()
        if len(hits) >= per_channel:
            reset = window - (now - hits[0])
            return too_many(reset, headers(bucket, per_channel, 0, reset), False)
        hits.append(now)
        response = await handler(request)
        reset = window - (now - hits[0])
        for name, value in headers(bucket, per_channel, per_channel - len(hits), reset).items():
            response.headers[name] = value
        stats["posts"] += 1
        return response

    return limiter


def _emulator_main(conn: Connection, subs: int, per_channel: int, window: float) -> None:
    from bot.emulator import Emulator

    async def serve() -> None:
        emu = Emulator()
        stats = {"posts": 0, "channel_429": 0, "global_429": 0}
        emu.app.middlewares.append(_rate_limiter(per_channel, window, 50, stats))
        channels = [emu.state.add_channel(emu.guild, f"fan-{i:04d}") for i in range(subs)]
        await emu.start()
        conn.send(
            {
                "api": emu.api_base_url,
                "gateway": emu.gateway_url,
                "token": emu.token,
                "guild": emu.guild.id,
                "channels": [c.id for c in channels],
            }
        )
        loop = asyncio.get_running_loop()
        try:
            while True:
                command = await loop.run_in_executor(None, conn.recv)
                if command == "counts":
                    counts = {
                        c.id: sum(1 for m in emu.state.messages.get(c.id, []) if m["type"] == 0)
                        for c in channels
                    }
                    conn.send({"counts": counts, **stats})
                else:
                    break
        finally:
            await emu.stop()

    asyncio.run(serve())


# -- the bot side --------------------------------------------------------------------------------


class ShiftedClock:
    """The system clock moved so that now() starts at `start`; sleeps are real."""

    def __init__(self, start: datetime) -> None:
        self._start = start
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._t0)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run(args: argparse.Namespace, world: dict[str, Any], conn: Connection) -> int:
    import yaml

    from bot.app.client import BriefingBot
    from bot.config import load_config
    from bot.storage import SqliteStore

    due = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        async with await SqliteStore.open(data / "briefing.sqlite3") as store:
            for channel_id in world["channels"]:
                await store.upsert_subscription(
                    world["guild"], channel_id, "09:00", "UTC", "daily", None,
                    at=due - timedelta(hours=1),
                )  # fmt: skip
        config_path = Path(tmp) / "config.yaml"
        config_path.write_text(
            yaml.safe_dump(
                {
                    "discord": {"api_base_url": world["api"], "gateway_url": world["gateway"]},
                    "content": {"path": str(REPO / "content")},
                    "storage": {"data_dir": str(data)},
                    "briefings": {"max_sends_per_second": args.rate},
                    "health": {"enabled": False},
                    "logging": {"level": "WARNING"},
                }
            ),
            encoding="utf-8",
        )
        bot = BriefingBot(load_config(config_path), extensions=["briefings"])
        lead = 2.0
        bot.clock = ShiftedClock(due - timedelta(seconds=lead))
        start_wall = time.monotonic()
        task = asyncio.create_task(bot.start(world["token"]))
        try:
            await asyncio.wait_for(bot.wait_until_ready(), timeout=30)
            runtime = bot.briefings
            assert runtime is not None
            n = len(world["channels"])
            await asyncio.sleep(max(0.0, lead - (time.monotonic() - start_wall)))
            t0, cpu0 = time.monotonic(), _cpu()
            deadline = t0 + WAIT_LIMIT_S
            while runtime.dispatcher.status().sent + runtime.dispatcher.status().failed < n:
                if time.monotonic() > deadline:
                    print("timed out waiting for deliveries", file=sys.stderr)
                    return 1
                await asyncio.sleep(0.01)
            elapsed, cpu = time.monotonic() - t0, _cpu() - cpu0
            status = runtime.dispatcher.status()
        finally:
            await bot.close()
            await asyncio.wait_for(task, timeout=15)
    conn.send("counts")
    report = conn.recv()
    per_channel = list(report["counts"].values())
    exact = sum(1 for c in per_channel if c == 1)
    print(f"subscriptions due in one minute: {n}")
    print(f"dispatcher pacing: {args.rate:g} sends/s, at most 8 in flight")
    print(f"emulator limits: {args.channel_limit} per {args.channel_window:g} s per channel, 50/s")
    print(f"delivered: {status.sent} sent, {status.failed} failed, retries {status.retries}")
    print(f"channels with exactly one message: {exact}/{n}")
    print(f"429s answered: channel {report['channel_429']}, global {report['global_429']}")
    print(f"time from due to last delivery: {elapsed:.2f} s ({n / elapsed:.1f} deliveries/s)")
    print(f"bot CPU: {cpu:.2f} s total, {cpu / n * 1000:.2f} ms per delivery")
    return 0 if exact == n and status.sent == n else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subs", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=40.0, help="briefings.max_sends_per_second")
    parser.add_argument("--channel-limit", type=int, default=5)
    parser.add_argument("--channel-window", type=float, default=5.0)
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(
        target=_emulator_main,
        args=(child, args.subs, args.channel_limit, args.channel_window),
        daemon=True,
    )
    proc.start()
    try:
        if not parent.poll(60):
            print("the emulator did not start", file=sys.stderr)
            return 1
        world = parent.recv()
        return asyncio.run(run(args, world, parent))
    finally:
        parent.send("stop")
        proc.join(10)
        if proc.is_alive():
            proc.kill()
            proc.join(5)


if __name__ == "__main__":
    sys.exit(main())
