"""End-to-end interaction benchmark: the real bot, the real discord.py, the emulator.

    python bench/e2e.py                       # /help, /search, /section when present
    python bench/e2e.py -n 1000 --in-flight 50
    python bench/e2e.py --scenario 'search={"query": "Northern Territories"}'

Each scenario dispatches N INTERACTION_CREATE events over the gateway, at most
`--in-flight` unanswered at once, and times dispatch → visible answer (the type 4/7
callback, or the `@original` edit after a defer). /help touches no index, so it is the
floor; the report gives each command's cost relative to it. See docs/discord.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.conftest import start_bot
from tests.emulator import Emulator

DEFAULT_TEXT = {"query": "Northern Territories", "section": "russia", "q": "Northern Territories"}
MAX_N = 20000
PER_INTERACTION_TIMEOUT_S = 10.0


def default_options(command: dict[str, Any]) -> dict[str, Any] | None:
    """Fill the required options of a registered command with plausible values."""
    options: dict[str, Any] = {}
    for opt in command.get("options") or []:
        if opt.get("type") in (1, 2):
            return None  # has sub-commands: needs an explicit --scenario
        if not opt.get("required"):
            continue
        if opt["type"] == 3:
            options[opt["name"]] = DEFAULT_TEXT.get(opt["name"], "Northern Territories")
        elif opt["type"] in (4, 10):
            options[opt["name"]] = 1
        else:
            return None
    return options


async def run_scenario(
    emulator: Emulator, name: str, options: dict[str, Any], n: int, in_flight: int, deadline: float
) -> dict[str, Any]:
    sem = asyncio.Semaphore(in_flight)
    latencies: list[float] = []
    failures = 0

    async def one() -> None:
        nonlocal failures
        async with sem:
            if time.monotonic() > deadline:
                failures += 1
                return
            started = time.perf_counter()
            try:
                handle = await emulator.command(name, options)
                await handle.final_message(timeout=PER_INTERACTION_TIMEOUT_S)
            except TimeoutError:
                failures += 1
                return
            latencies.append(time.perf_counter() - started)

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(n)))
    wall = time.perf_counter() - t0
    latencies.sort()

    def pct(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0
        )

    return {
        "command": name,
        "options": options,
        "n": n,
        "ok": len(latencies),
        "failed": failures,
        "per_second": len(latencies) / wall if wall else 0.0,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "mean_ms": statistics.fmean(latencies) * 1000 if latencies else 0.0,
    }


def parse_scenarios(values: list[str]) -> list[tuple[str, dict[str, Any] | None]]:
    out: list[tuple[str, dict[str, Any] | None]] = []
    for value in values:
        name, _, raw = value.partition("=")
        out.append((name, json.loads(raw) if raw else None))
    return out


async def main_async(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING)
    n = max(1, min(args.n, MAX_N))
    with tempfile.TemporaryDirectory() as tmp:
        emulator = await Emulator().start()
        running = await start_bot(emulator, Path(tmp))
        try:
            registered = {c["name"]: c for c in emulator.state.global_commands}
            wanted = parse_scenarios(args.scenario) or [
                ("help", {}),
                ("search", None),
                ("section", None),
            ]
            scenarios: list[tuple[str, dict[str, Any]]] = []
            for name, options in wanted:
                top = name.split()[0]
                if top not in registered:
                    print(f"skip /{name}: not registered (cog not present)")
                    continue
                opts = options if options is not None else default_options(registered[top])
                if opts is None:
                    print(f"skip /{name}: give its options with --scenario '{name}={{...}}'")
                    continue
                scenarios.append((name, opts))
            if "help" not in [s[0] for s in scenarios]:
                scenarios.insert(0, ("help", {}))
            deadline = time.monotonic() + args.max_seconds
            for name, opts in scenarios:  # warm-up: imports, caches, first-call costs
                await run_scenario(emulator, name, opts, min(20, n), args.in_flight, deadline)
            results = [
                await run_scenario(emulator, name, opts, n, args.in_flight, deadline)
                for name, opts in scenarios
            ]
        finally:
            await running.stop()
            await emulator.stop()
    floor = next(r for r in results if r["command"] == "help")
    for r in results:
        r["p50_vs_help"] = r["p50_ms"] / floor["p50_ms"] if floor["p50_ms"] else 0.0
        r["cost_vs_help"] = floor["per_second"] / r["per_second"] if r["per_second"] else 0.0
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{n} interactions per command, {args.in_flight} in flight")
        print(
            f"{'command':<12}{'ok':>6}{'fail':>6}{'int/s':>9}"
            f"{'p50 ms':>9}{'p99 ms':>9}{'x help':>8}"
        )
        for r in results:
            print(
                f"/{r['command']:<11}{r['ok']:>6}{r['failed']:>6}{r['per_second']:>9.0f}"
                f"{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{r['cost_vs_help']:>8.2f}"
            )
    return 1 if any(r["failed"] for r in results) else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=500, help="interactions per command (max 20000)")
    parser.add_argument("--in-flight", type=int, default=50, help="unanswered interactions at once")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="overall time bound")
    parser.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME[=JSON]",
        help='a command and its options, e.g. \'search={"query": "Kuril"}\'; repeatable',
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
