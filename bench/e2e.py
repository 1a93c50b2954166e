"""End-to-end interaction benchmark: the real bot and discord.py against the emulator process.

    python bench/e2e.py                        # 1000 interactions per row, 50 in flight
    python bench/e2e.py -n 2000 --json
    python bench/e2e.py --loop uvloop          # the bot's event loop on uvloop
    python bench/e2e.py --profile search-nocache --profile-out /tmp/search.prof
    python bench/e2e.py --time-core            # the core's calls timed inside the running bot

The emulator runs as its own process (`python -m bench.served_emulator`), which builds,
dispatches and times the interactions; the bot runs in this process, so this process's CPU
time is the bot's (plus one idle control request). Latency is dispatch → visible answer (the
type 4/7 callback, or the `@original` edit after a defer), measured by the emulator.

Rows: /help (touches no index: the floor discord.py itself sets), then /search and /section
cycling through every query of that command in the public and held-out eval sets over the
four documents those sets use, once with the lookup cog's reply cache (hits only on true
repeats; the hit rate is shown) and once with it disabled. The rows take turns in
`--rounds` slices, so a shared machine that speeds up or slows down mid-run weighs on every
row alike. See docs/discord.md, "Benchmark".
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import importlib.util
import io
import json
import logging
import os
import pstats
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.inputs import build_content, load_queries  # noqa: E402
from bot.app.render.cache import ContentLRU  # noqa: E402
from bot.content.memory import GC_THRESHOLD  # noqa: E402
from bot.emulator.zlib_client import ZlibStreamContext  # noqa: E402
from bot.playground.harness import RunningBot, start_bot, write_config  # noqa: E402
from cogs.lookup.cog import REPLY_CACHE_SIZE  # noqa: E402

MAX_N = 20000
LOOKUP_COG = "Lookup"  # the lookup cog, whose reply cache a row may swap
MAX_REPEAT = 9
PER_INTERACTION_TIMEOUT_S = 10.0
START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 5.0
TARGET_P99_MS = 50.0
SETTLE = 300  # /help interactions after the warm-up, not counted
TARGET_COST = 1.25  # time per interaction, relative to /help
TARGET_IN_FLIGHT = 50
TARGET_ROWS = ("search", "section")


@dataclass(frozen=True)
class Remote:
    """What `start_bot` needs to know about the emulator process."""

    api_base_url: str
    gateway_url: str
    token: str
    control: str
    pid: int


class GCTimer:
    """Time spent in the cyclic garbage collector (all of it is the bot's, on its thread)."""

    def __init__(self) -> None:
        self.total = 0.0
        self.full = 0
        self._t0 = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._t0
            self.full += info["generation"] == 2


GC = GCTimer()


@dataclass(frozen=True)
class Scenario:
    label: str  # e.g. "search-nocache"
    command: str
    options: list[dict[str, Any]]
    cache: bool


# -- inputs ----------------------------------------------------------------------------------


def use_json_library(name: str) -> str:
    """Make discord.py encode/decode JSON with `name` (it picks orjson when importable)."""
    import discord.utils as du

    if name == "stdlib":
        du._from_json = json.loads  # type: ignore[assignment]
        du._to_json = lambda obj: json.dumps(obj, separators=(",", ":"), ensure_ascii=True)
    elif name == "orjson":
        import orjson

        du._from_json = orjson.loads  # type: ignore[assignment]
        du._to_json = lambda obj: orjson.dumps(obj).decode("utf-8")
    return "orjson" if du._from_json.__module__ == "orjson" else "stdlib"


def use_compression(name: str) -> str:
    """Ask the gateway for `name` (discord.py picks zstd-stream when zstandard is importable)."""
    import discord.utils as du

    if name == "zlib":
        du._ActiveDecompressionContext = ZlibStreamContext  # type: ignore[assignment,misc]
    return str(du._ActiveDecompressionContext.COMPRESSION_TYPE)


# -- the emulator process --------------------------------------------------------------------


async def start_emulator(
    log_path: Path, loop: str, profile: str | None = None
) -> tuple[asyncio.subprocess.Process, Remote]:
    extra = ["--profile", profile] if profile else []
    with log_path.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.served_emulator",
            "--port",
            "0",
            "--print-port",
            "--exit-on-eof",
            "--max-seconds",
            "900",
            "--loop",
            loop,
            "--bench",
            *extra,
            cwd=REPO,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
        )
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=START_TIMEOUT_S)
        info = json.loads(line)
    except (TimeoutError, ValueError):
        await stop_emulator(proc, None)
        raise RuntimeError(f"emulator did not start; see {log_path}") from None
    remote = Remote(
        info["api_base_url"], info["gateway_url"], info["token"], info["control"], proc.pid
    )
    return proc, remote


async def stop_emulator(
    proc: asyncio.subprocess.Process, session: aiohttp.ClientSession | None, control: str = ""
) -> None:
    """Ask it to stop; then SIGTERM, then SIGKILL — only this pid, each step bounded."""
    if session is not None and control:
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            await session.post(f"{control}/shutdown", timeout=aiohttp.ClientTimeout(total=2))
    for sig in (None, signal.SIGTERM, signal.SIGKILL):
        if proc.returncode is not None:
            return
        if sig is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, sig)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.wait(), timeout=STOP_TIMEOUT_S)


def pin_cpus(emulator_pid: int) -> str:
    """The bot (this process) on one CPU, the emulator on another, when there are two.

    Unpinned, the scheduler moves both between the cores, each move costing the mover its
    warm caches; the load generator then weighs on the bot it measures. Pinned, as a bot on
    its own core would run, the figures are steadier (see docs/discord.md, "Benchmark").
    """
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return ""
    os.sched_setaffinity(0, {cpus[0]})
    os.sched_setaffinity(emulator_pid, {cpus[1]})
    return f"bot on CPU {cpus[0]}, emulator on CPU {cpus[1]}"


# -- running ---------------------------------------------------------------------------------


class CoreTimer:
    """Thread CPU time of the core's calls inside the running bot (`--time-core`).

    Wraps `bot.search.fulltext` and `find_section` (which the lookup cog binds when it is
    loaded, so this runs before the bot starts) and `bot.app.render.embeds.search_embed`;
    a search is "new" the first time its text is asked.
    """

    def __init__(self) -> None:
        self.calls: dict[str, list[float]] = {}
        self._asked: set[str] = set()

    def install(self) -> None:
        import bot.app.render.embeds
        import bot.search.ask

        self._wrap(bot.search.ask, "search", by_text=True)
        self._wrap(bot.search.ask, "find_section")
        self._wrap(bot.app.render.embeds, "search_embed")

    def _wrap(self, module: Any, name: str, by_text: bool = False) -> None:
        inner = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            result = inner(*args, **kwargs)
            spent = time.thread_time() - started
            label = name
            if by_text:
                text = str(args[1]) if len(args) > 1 else ""
                label += ", asked before" if text in self._asked else ", new text"
                self._asked.add(text)
            self.calls.setdefault(label, []).append(spent)
            return result

        setattr(module, name, timed)

    def lines(self) -> list[str]:
        out = ["in the running bot, thread CPU time per call (--time-core):"]
        for label, spent in sorted(self.calls.items()):
            mean = sum(spent) / len(spent) * 1e6
            out.append(f"  {label:<26}{mean:8.1f} us  ({len(spent)} calls)")
        return out


def use_reply_cache(running: RunningBot, cache: ContentLRU[Any]) -> None:
    """Put `cache` on the lookup cog (size 0: every answer built anew)."""
    cog: Any = running.bot.get_cog(LOOKUP_COG)
    if cog is not None:
        cog.replies = cache


async def run_part(
    session: aiohttp.ClientSession,
    remote: Remote,
    running: RunningBot,
    scenario: Scenario,
    n: int,
    offset: int,
    in_flight: int,
    seconds_left: float,
    profiler: cProfile.Profile | None = None,
) -> dict[str, Any]:
    """One round of a row: `n` interactions starting at query `offset`, raw figures."""
    cog: Any = running.bot.get_cog(LOOKUP_COG)
    cache: ContentLRU[Any] | None = cog.replies if cog is not None else None
    hits0 = cache.hits if cache is not None else 0
    misses0 = cache.misses if cache is not None else 0
    k = offset % len(scenario.options)
    spec = {
        "command": scenario.command,
        "options": scenario.options[k:] + scenario.options[:k],
        "n": n,
        "in_flight": in_flight,
        "timeout": PER_INTERACTION_TIMEOUT_S,
        "max_seconds": max(0.0, seconds_left),
    }
    timeout = aiohttp.ClientTimeout(total=max(1.0, seconds_left) + PER_INTERACTION_TIMEOUT_S + 5)
    if profiler is not None:
        profiler.enable()
    cpu0 = time.process_time()
    gc0, full0 = GC.total, GC.full
    async with session.post(f"{remote.control}/run", json=spec, timeout=timeout) as resp:
        body = await resp.json()
    cpu = time.process_time() - cpu0
    gc_s, full_gcs = GC.total - gc0, GC.full - full0
    if profiler is not None:
        profiler.disable()
    if resp.status != 200:
        raise RuntimeError(f"emulator refused the run: {body}")
    return {
        "latencies_ms": body["latencies_ms"],
        "queued_ms": body.get("queued_ms") or [],
        "failed": body["failed"],
        "failures": body["failures"],
        "wall_s": body["wall_s"],
        "cpu_s": cpu,
        "gc_s": gc_s,
        "full_gcs": full_gcs,
        "emulator_cpu_s": body["emulator_cpu_s"],
        "answers": body["answers"],
        "emulator": body.get("emulator", {}),
        "hits": (cache.hits - hits0) if cache is not None else 0,
        "misses": (cache.misses - misses0) if cache is not None else 0,
    }


def summarise(scenario: Scenario, parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One row from its rounds: latencies pooled, times and counts summed."""
    lat = sorted(x for p in parts for x in p["latencies_ms"])
    queued = sorted(x for p in parts for x in p["queued_ms"]) or [0.0]
    ok = len(lat)
    wall = sum(p["wall_s"] for p in parts)
    hits, misses = sum(p["hits"] for p in parts), sum(p["misses"] for p in parts)
    answers: dict[str, int] = {}
    for p in parts:
        for kind, count in p["answers"].items():
            answers[kind] = answers.get(kind, 0) + count
    return {
        "label": scenario.label,
        "command": scenario.command,
        "cache": scenario.cache,
        "distinct_queries": len({json.dumps(o, sort_keys=True) for o in scenario.options}),
        "n": ok + sum(p["failed"] for p in parts),
        "rounds": len(parts),
        "ok": ok,
        "failed": sum(p["failed"] for p in parts),
        "failures": [f for p in parts for f in p["failures"]][:10],
        "wall_s": wall,
        "per_second": ok / wall if wall else 0.0,
        "p50_ms": percentile(lat, 0.50),
        "p90_ms": percentile(lat, 0.90),
        "p99_ms": percentile(lat, 0.99),
        "max_ms": lat[-1] if lat else 0.0,
        "queued_p99_ms": percentile(queued, 0.99),
        "bot_cpu_ms": sum(p["cpu_s"] for p in parts) * 1000 / ok if ok else 0.0,
        "gc_ms": sum(p["gc_s"] for p in parts) * 1000 / ok if ok else 0.0,
        "full_gcs": sum(p["full_gcs"] for p in parts),
        "emulator_cpu_ms": sum(p["emulator_cpu_s"] for p in parts) * 1000 / ok if ok else 0.0,
        "cache_hit_rate": hits / (hits + misses) if hits + misses else None,
        "answers": answers,
        "emulator": next((p["emulator"] for p in parts if p["emulator"]), {}),
        "per_round": [
            {
                "ok": len(p["latencies_ms"]),
                "bot_cpu_ms": p["cpu_s"] * 1000 / max(1, len(p["latencies_ms"])),
                "p99_ms": percentile(sorted(p["latencies_ms"]), 0.99),
                "hits": p["hits"],
                "misses": p["misses"],
            }
            for p in parts
        ],
    }


def percentile(ordered: list[float], p: float) -> float:
    """The sample at index p·n of an ascending list (one rank above nearest-rank: the
    convention of the earlier figures); 0.0 when empty."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def scenarios_for(commands: dict[str, Any], queries: dict[str, list[str]]) -> list[Scenario]:
    out = [Scenario("help", "help", [{}], cache=True)]
    for command in ("search", "section"):
        if command not in commands:
            print(f"skip /{command}: not registered (cog not present)", file=sys.stderr)
            continue
        options = [{"query": q} for q in queries[command]]
        out.append(Scenario(command, command, options, cache=True))
    for command in ("search", "section"):
        if command in commands:
            options = [{"query": q} for q in queries[command]]
            out.append(Scenario(f"{command}-nocache", command, options, cache=False))
    return out


async def main_async(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("discord.client").setLevel(logging.ERROR)  # "davey is not installed"
    n = max(1, min(args.n, MAX_N))
    queries = load_queries()
    json_lib = use_json_library(args.json_lib)
    compression = use_compression(args.compress)
    started = time.monotonic()
    pinned = ""
    timer = CoreTimer() if args.time_core else None
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        content = Path(args.content) if args.content else build_content(tmp / "content")
        proc, remote = await start_emulator(
            tmp / "emulator.log", args.emulator_loop, args.emulator_profile
        )
        pinned = pin_cpus(proc.pid) if args.pin else ""
        session = aiohttp.ClientSession()
        running: RunningBot | None = None
        results: list[dict[str, Any]] = []
        profiler = cProfile.Profile() if args.profile else None
        try:
            if timer is not None:
                timer.install()
            config = write_config(
                tmp / "config.yaml",
                remote,  # type: ignore[arg-type]
                content_dir=content,
                data_dir=tmp / "data",
                # the load generator is one user: the per-user limit would answer for the bot
                extra={"interactions": {"per_user_rate": 0}},
            )
            running = await start_bot(remote, config)  # type: ignore[arg-type]
            if args.gc_threshold:
                gc.set_threshold(*args.gc_threshold)
            if args.gc_freeze:
                gc.collect()
                gc.freeze()
            async with session.get(f"{remote.control}/status") as resp:
                status = await resp.json()
            commands = {c["name"]: c for c in status["commands"]}
            scenarios = scenarios_for(commands, queries)
            deadline = started + args.max_seconds
            for s in scenarios:  # warm-up: imports, first-call costs; no reply cache left over
                use_reply_cache(running, ContentLRU(0))
                warm = Scenario(s.label, s.command, s.options[-20:], cache=False)
                await run_part(
                    session, remote, running, warm, 20, 0, args.in_flight,
                    deadline - time.monotonic(),
                )  # fmt: skip
            # Then 300 /help before anything is counted: the first interactions after the
            # warm-up ran slower here (0.35-0.61 ms against 0.27-0.31 later), and that slow
            # start fell on /help, the floor, flattering every ratio.
            settle = Scenario("help", "help", [{}], cache=False)
            await run_part(
                session, remote, running, settle, SETTLE, 0, args.in_flight,
                deadline - time.monotonic(),
            )  # fmt: skip
            # Rows take turns, a slice of each per round: a machine that speeds up or slows
            # down during the run (shared CPUs do) shifts every row alike, not just the last.
            rounds = max(1, min(args.rounds, n))
            parts: dict[str, list[dict[str, Any]]] = {s.label: [] for s in scenarios}
            caches = {s.label: ContentLRU[Any](REPLY_CACHE_SIZE * s.cache) for s in scenarios}
            for r in range(rounds):
                share = n // rounds + (1 if r < n % rounds else 0)
                for s in scenarios:
                    use_reply_cache(running, caches[s.label])  # kept across the row's rounds
                    done = sum(len(p["latencies_ms"]) + p["failed"] for p in parts[s.label])
                    parts[s.label].append(
                        await run_part(
                            session,
                            remote,
                            running,
                            s,
                            share,
                            done,
                            args.in_flight,
                            deadline - time.monotonic(),
                            profiler if args.profile in (s.label, "all") else None,
                        )
                    )
            results = [summarise(s, parts[s.label]) for s in scenarios]
        finally:
            if running is not None:
                await running.stop()
            await stop_emulator(proc, session, remote.control)
            await session.close()
    total = time.monotonic() - started
    floor = next(r for r in results if r["command"] == "help")
    for r in results:
        r["cost_vs_help"] = floor["per_second"] / r["per_second"] if r["per_second"] else 0.0
        r["cpu_vs_help"] = r["bot_cpu_ms"] / floor["bot_cpu_ms"] if floor["bot_cpu_ms"] else 0.0
    if profiler is not None:
        report_profile(profiler, args.profile_out)
    loop_name = type(asyncio.get_running_loop()).__module__.split(".")[0]
    if args.json:
        setup = {
            "loop": loop_name,
            "json": json_lib,
            "compress": compression,
            "emulator": emulator_setup(results, args.emulator_loop),
            "gc_threshold": gc.get_threshold(),
            "gc_freeze": args.gc_freeze,
            "pinned": pinned,
        }
        core = {k: sum(v) / len(v) * 1e6 for k, v in timer.calls.items()} if timer else None
        print(
            json.dumps({**setup, "total_s": total, "results": results, "core_us": core}, indent=2)
        )
    else:
        print_table(
            results,
            n,
            args.in_flight,
            total,
            f"bot: {loop_name}, {json_lib}, {compression}, gc {gc.get_threshold()}"
            + (" frozen" if args.gc_freeze else "")
            + f"; emulator: {emulator_setup(results, args.emulator_loop)}"
            + (f"; {pinned}" if pinned else "; not pinned"),
        )
        for line in timer.lines() if timer is not None else ():
            print(line)
    return 1 if any(r["failed"] for r in results) else 0


def emulator_setup(results: list[dict[str, Any]], asked: str) -> str:
    seen = next((r["emulator"] for r in results if r.get("emulator")), None)
    if not seen:
        return asked
    recording = "recording" if seen.get("recording") else "counters only"
    return f"{seen.get('loop', asked)}, {seen.get('json', '?')}, {recording}"


def print_table(
    results: list[dict[str, Any]], n: int, in_flight: int, total: float, setup: str
) -> None:
    print(
        f"{n} interactions per row, {in_flight} in flight (closed loop), emulator in its own "
        f"process, {setup}, {total:.1f} s in all"
    )
    print(
        f"{'row':<17}{'ok':>6}{'fail':>5}{'int/s':>7}{'p50':>7}{'p90':>7}{'p99':>7}{'max':>7}"
        f"{'cpu ms':>8}{'gc ms':>7}{'emu ms':>7}{'x help':>7}{'cpu x':>7}{'hits':>6}{'embeds':>7}"
    )
    for r in results:
        hit = "-" if r["cache_hit_rate"] is None else f"{r['cache_hit_rate']:.0%}"
        if not r["cache"]:
            hit = "off"
        embeds = f"{r['answers']['embed'] / r['ok']:.0%}" if r["ok"] else "-"
        print(
            f"/{r['label']:<16}{r['ok']:>6}{r['failed']:>5}{r['per_second']:>7.0f}"
            f"{r['p50_ms']:>7.1f}{r['p90_ms']:>7.1f}{r['p99_ms']:>7.1f}{r['max_ms']:>7.1f}"
            f"{r['bot_cpu_ms']:>8.2f}{r['gc_ms']:>7.2f}{r['emulator_cpu_ms']:>7.2f}"
            f"{r['cost_vs_help']:>7.2f}{r['cpu_vs_help']:>7.2f}{hit:>6}{embeds:>7}"
        )
    print(
        "latency ms (p50/p90/p99/max) = INTERACTION_CREATE frame on the bot's socket → the "
        "visible answer's request arriving; x help = /help throughput ÷ this row's; cpu ms = "
        "bot process CPU per interaction (gc ms of it in the garbage collector); emu ms = "
        "emulator process CPU per interaction; hits = reply cache hit rate; embeds = answers "
        "with an embed (the rest: 'nothing found')"
    )
    if len(results[0].get("per_round") or ()) > 1:
        # Round 1 is where a row's texts are asked for the first time (reply cache empty).
        print("bot cpu ms per interaction, round by round (round 1: the texts asked first):")
        for r in results:
            cpu = " ".join(f"{x['bot_cpu_ms']:.2f}" for x in r["per_round"])
            print(f"  /{r['label']:<16}{cpu}")
    for line in target_lines(results, in_flight):
        print(line)


def target_lines(results: list[dict[str, Any]], in_flight: int) -> list[str]:
    """The issue's targets for /search and /section as the bot runs them (reply cache on):
    at most 1.25 times /help's time per interaction, and p99 <= 50 ms with 50 in flight.
    /help is the floor; the -nocache rows say how far the uncached path is from it."""
    out = [
        f"target: time per interaction <= {TARGET_COST:.2f} x /help, and p99 <= "
        f"{TARGET_P99_MS:.0f} ms with {TARGET_IN_FLIGHT} in flight"
    ]
    if in_flight != TARGET_IN_FLIGHT:
        out.append(f"  (not judged: this run had {in_flight} in flight)")
        return out
    for r in results:
        role = {"help": "floor"}.get(r["label"], "target" if r["label"] in TARGET_ROWS else "info")
        out.append(
            f"  /{r['label']:<16}{role:<8}x help {r['cost_vs_help']:5.2f}  "
            f"p99 {r['p99_ms']:6.1f} ms  {'MET' if row_met(r) else 'NOT MET'}"
        )
    judged = [r for r in results if r["label"] in TARGET_ROWS]
    if judged:
        names = " and ".join(f"/{r['label']}" for r in judged)
        out.append(f"  {names}: {'TARGET MET' if all(map(row_met, judged)) else 'TARGET NOT MET'}")
    return out


def row_met(r: dict[str, Any]) -> bool:
    return bool(
        r["failed"] == 0
        and r["ok"]
        and r["p99_ms"] <= TARGET_P99_MS
        and (r["label"] == "help" or r["cost_vs_help"] <= TARGET_COST)
    )


def report_profile(profiler: cProfile.Profile, out: str | None) -> None:
    if out:
        profiler.dump_stats(out)
        print(f"profile written to {out}", file=sys.stderr)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
    print(text.getvalue(), file=sys.stderr)


# -- repeated runs -----------------------------------------------------------------------------

REPEAT_TIMEOUT_S = 300.0


def run_repeats(argv: list[str], repeat: int) -> list[dict[str, Any]]:
    """`repeat` complete runs, each in a fresh process of this script (fresh bot, caches and
    emulator), one after another; their --json outputs."""
    runs = []
    for _ in range(repeat):
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), *argv, "--repeat", "1", "--json"],
            capture_output=True,
            text=True,
            timeout=REPEAT_TIMEOUT_S,
            check=False,
        )
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr[-4000:])
            raise RuntimeError(f"a run exited with {proc.returncode}")
        runs.append(json.loads(proc.stdout))
    return runs


def median_rows(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per row, the median of each figure over the runs (and the runs' own values)."""
    labels = [r["label"] for r in runs[0]["results"]]
    out = []
    for label in labels:
        rows = [next(r for r in run["results"] if r["label"] == label) for run in runs]
        med: dict[str, Any] = {"label": label, "runs": rows}
        for key in ("per_second", "p50_ms", "p90_ms", "p99_ms", "max_ms", "bot_cpu_ms",
                    "emulator_cpu_ms", "cost_vs_help", "cpu_vs_help"):  # fmt: skip
            med[key] = statistics.median(r[key] for r in rows)
        med["failed"] = sum(r["failed"] for r in rows)
        med["ok"] = sum(r["ok"] for r in rows)
        out.append(med)
    return out


def print_repeats(rows: list[dict[str, Any]], in_flight: int, pinned: str = "") -> None:
    n = len(rows[0]["runs"])
    print(
        f"median of {n} runs, each in a fresh process (per-run values after the medians)"
        + (f"; {pinned}" if pinned else "")
    )
    print(
        f"{'row':<17}{'int/s':>7}{'p50':>7}{'p99':>7}{'cpu ms':>8}{'x help':>8}"
        f"   {'x help per run':<{6 * n}} p99 per run"
    )
    for r in rows:
        costs = " ".join(f"{x['cost_vs_help']:5.2f}" for x in r["runs"])
        p99s = " ".join(f"{x['p99_ms']:4.0f}" for x in r["runs"])
        print(
            f"/{r['label']:<16}{r['per_second']:>7.0f}{r['p50_ms']:>7.1f}{r['p99_ms']:>7.1f}"
            f"{r['bot_cpu_ms']:>8.2f}{r['cost_vs_help']:>8.2f}   {costs:<{6 * n}} {p99s}"
        )
    for line in target_lines(rows, in_flight):
        print(line)
    for r in rows:
        if r["label"] in TARGET_ROWS:
            met = sum(row_met(x) for x in r["runs"])
            print(f"  /{r['label']}: met in {met} of {n} runs on their own")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=1000, help="interactions per row (max 20000)")
    parser.add_argument(
        "--rounds", type=int, default=5, help="rows take turns in this many slices (default 5)"
    )
    parser.add_argument(
        "--pin",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the bot and the emulator each on a CPU of their own, when there are two "
        "(default: on)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="complete runs, each in a fresh process; medians are judged (default 3; 1 = one "
        "run in this process, as --profile always is)",
    )
    parser.add_argument("--in-flight", type=int, default=50, help="unanswered interactions at once")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="overall time bound")
    parser.add_argument("--content", default=None, help="content folder (default: all 4 docs)")
    parser.add_argument(
        "--loop",
        choices=("auto", "asyncio", "uvloop"),
        default="auto",
        help="the bot's event loop (auto: uvloop when installed, as `briefing-bot run` does)",
    )
    parser.add_argument(
        "--json-lib",
        choices=("auto", "stdlib", "orjson"),
        default="auto",
        help="discord.py's JSON library (auto: orjson when installed)",
    )
    parser.add_argument(
        "--compress",
        choices=("auto", "zlib"),
        default="auto",
        help="gateway compression (auto: zstd-stream when zstandard is installed)",
    )
    parser.add_argument(
        "--emulator-loop",
        choices=("auto", "asyncio", "uvloop"),
        default="auto",
        help="the emulator process's event loop (auto: uvloop when installed)",
    )
    parser.add_argument(
        "--gc-threshold",
        type=int,
        nargs=3,
        default=list(GC_THRESHOLD),
        metavar=("G0", "G1", "G2"),
        help="gc.set_threshold for the bot process (default: what `briefing-bot run` sets; "
        "Python's own default is 700 10 10)",
    )
    parser.add_argument(
        "--gc-freeze", action="store_true", help="gc.freeze() once the bot is ready"
    )
    parser.add_argument(
        "--profile",
        default=None,
        metavar="ROW",
        help="cProfile the bot during one row (help, search, search-nocache, ...) or 'all'",
    )
    parser.add_argument(
        "--emulator-profile",
        default=None,
        metavar="PATH",
        help="cProfile the emulator process's control runs (all rows) into PATH",
    )
    parser.add_argument("--profile-out", default=None, help="write the pstats file here")
    parser.add_argument(
        "--time-core",
        action="store_true",
        help="time the core's calls inside the running bot (one run, in this process)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    if args.repeat > 1 and not (args.profile or args.emulator_profile or args.time_core):
        argv = [a for a in sys.argv[1:] if a != "--json"]
        if "--repeat" in argv:
            i = argv.index("--repeat")
            del argv[i : i + 2]
        argv = [a for a in argv if not a.startswith("--repeat=")]
        runs = run_repeats(argv, min(args.repeat, MAX_REPEAT))
        rows = median_rows(runs)
        if args.json:
            print(json.dumps({"results": rows}, indent=2))
        else:
            print_repeats(rows, args.in_flight, runs[0].get("pinned") or "not pinned")
        return 1 if any(r["failed"] for r in rows) else 0
    has_uvloop = importlib.util.find_spec("uvloop") is not None
    if "uvloop" in (args.loop, args.emulator_loop) and not has_uvloop:
        parser.error("uvloop is not installed")
    if args.emulator_loop == "auto":
        args.emulator_loop = "uvloop" if has_uvloop else "asyncio"
    if args.loop == "uvloop" or (args.loop == "auto" and has_uvloop):
        import uvloop

        return uvloop.run(main_async(args))
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
