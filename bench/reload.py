"""Reload time and the worst event-loop stall while reloading, for two content folders.

A reload runs in a worker thread, but a thread still takes the GIL: any single long C call
there (a big YAML parse, freeing a huge object graph, a full garbage collection) freezes the
event loop and every command waiting on it. A ticker coroutine that wakes every millisecond
measures the longest gap between its wake-ups while the reload runs.

    python bench/reload.py                  # bundled content and the 50,000-section corpus
    python bench/reload.py --sections 5000  # a smaller generated corpus
    python bench/reload.py --skip-corpus    # bundled content only

Target: the worst stall stays under 50 ms for both folders.
"""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.content.manager import ContentManager  # noqa: E402
from bot.content.synthetic import ensure_corpus  # noqa: E402
from bot.search import build_index, lexicon  # noqa: E402

T = TypeVar("T")
STALL_TARGET_MS = 50.0


@dataclass
class StallMeter:
    """Records how late a 1 ms ticker wakes up; the largest lateness is the worst stall."""

    interval: float = 0.001
    gaps: list[float] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None
    _running: bool = False

    trace_ms: float = 0.0  # > 0: dump every thread's stack when a stall passes this
    trace_file: Any = None

    async def _tick(self) -> None:
        last = time.perf_counter()
        while self._running:
            if self.trace_ms > 0:
                faulthandler.dump_traceback_later(self.trace_ms / 1000, file=self.trace_file)
            await asyncio.sleep(self.interval)
            if self.trace_ms > 0:
                faulthandler.cancel_dump_traceback_later()
            now = time.perf_counter()
            self.gaps.append(max(0.0, now - last - self.interval))
            last = now

    async def __aenter__(self) -> StallMeter:
        self._running = True
        self._task = asyncio.get_running_loop().create_task(self._tick())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._running = False
        if self._task is not None:
            await self._task

    @property
    def worst_ms(self) -> float:
        return max(self.gaps, default=0.0) * 1000

    @property
    def p99_ms(self) -> float:
        if len(self.gaps) < 2:
            return self.worst_ms
        return statistics.quantiles(self.gaps, n=100)[98] * 1000


async def measure(
    call: Callable[[], Awaitable[T]], trace_ms: float = 0.0, trace_file: Any = None
) -> tuple[T, float, StallMeter]:
    """Run `call()` under a StallMeter; return (result, seconds, meter)."""
    async with StallMeter(trace_ms=trace_ms, trace_file=trace_file) as meter:
        started = time.perf_counter()
        result = await call()
        elapsed = time.perf_counter() - started
    return result, elapsed, meter


async def bench_folder(
    name: str, root: Path, rounds: int, trace_ms: float = 0.0, trace_file: Any = None
) -> dict[str, Any]:
    """First load, then `rounds` reloads; each reload and each release measured apart."""
    manager = ContentManager(root, build_index)
    report, initial, first = await measure(
        lambda: manager.reload("bench load"), trace_ms, trace_file
    )
    if not report.ok:
        raise SystemExit(f"{name}: load failed: {report.errors[:3]}")
    rows: list[dict[str, float]] = []
    for i in range(rounds):
        report, elapsed, meter = await measure(
            lambda i=i: manager.reload(f"bench {i}"), trace_ms, trace_file
        )
        if not report.ok:
            raise SystemExit(f"{name}: reload failed: {report.errors[:3]}")
        # Freeing the previous version runs after the swap; it counts too, measured apart.
        _, freed, release = await measure(manager.settle, trace_ms, trace_file)
        rows.append(
            {
                "reload_s": elapsed,
                "stall_ms": meter.worst_ms,
                "p99_ms": meter.p99_ms,
                "release_s": freed,
                "release_stall_ms": release.worst_ms,
            }
        )
    loaded = manager.loaded
    assert loaded is not None

    def median(key: str) -> float:
        return statistics.median(r[key] for r in rows)

    return {
        "name": name,
        "sections": loaded.sections,
        "facts": loaded.facts,
        "load_s": initial,
        "load_stall_ms": first.worst_ms,
        "reload_s": median("reload_s"),
        "stall_ms": median("stall_ms"),
        "p99_ms": median("p99_ms"),
        "release_stall_ms": median("release_stall_ms"),
        "release_s": median("release_s"),
        "worst_ms": max(first.worst_ms, *(max(r["stall_ms"], r["release_stall_ms"]) for r in rows)),
        "rounds": rows,
    }


HEADER = (
    f"{'folder':<14} {'sections':>8} {'load s':>7} {'stall':>6} {'reload s':>8} {'stall':>6} "
    f"{'p99':>5} {'free s':>6} {'stall':>6} {'worst':>6}"
)


def format_row(row: dict[str, Any]) -> str:
    line = (
        f"{row['name']:<14} {row['sections']:>8} {row['load_s']:>7.2f} "
        f"{row['load_stall_ms']:>6.1f} {row['reload_s']:>8.2f} {row['stall_ms']:>6.1f} "
        f"{row['p99_ms']:>5.1f} {row['release_s']:>6.2f} {row['release_stall_ms']:>6.1f} "
        f"{row['worst_ms']:>6.1f}"
    )
    per_round = "; ".join(
        f"{r['reload_s']:.2f} s {r['stall_ms']:.1f}/{r['release_stall_ms']:.1f} ms"
        for r in row["rounds"]
    )
    return f"{line}\n{'':<14} rounds (reload, stall/release stall): {per_round}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Reload time and event-loop stall.")
    parser.add_argument("--sections", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="reloads per folder (median)")
    parser.add_argument("--skip-corpus", action="store_true")
    parser.add_argument(
        "--trace-stalls",
        type=float,
        default=0.0,
        metavar="MS",
        help="write every thread's stack to stall-traces.txt when the loop stalls this long",
    )
    args = parser.parse_args(argv)
    trace_file = open("stall-traces.txt", "w") if args.trace_stalls else None  # noqa: SIM115
    folders: list[tuple[str, Path, int]] = [("bundled", REPO / "content", max(args.rounds, 5))]
    if not args.skip_corpus:
        started = time.perf_counter()
        corpus = ensure_corpus(args.sections, args.seed)
        print(f"corpus: {corpus} (ready in {time.perf_counter() - started:.1f} s)")
        folders.append((f"corpus-{args.sections}", corpus, args.rounds))
    print(
        "load = first load, reload = load again and swap, free = releasing the old version;\n"
        "stall = longest event-loop stall (ms) during each, p99 = 99th percentile loop lag\n"
        "while reloading (a 1 ms ticker), worst = worst stall of the whole run; medians over\n"
        "the rounds."
    )
    print(HEADER)
    lexicon.warm()  # as `briefing-bot run` does before its event loop starts
    failed = False
    for name, root, rounds in folders:
        row = asyncio.run(bench_folder(name, root, rounds, args.trace_stalls, trace_file))
        print(format_row(row), flush=True)
        failed |= row["worst_ms"] > STALL_TARGET_MS
    print(f"target: worst stall < {STALL_TARGET_MS:.0f} ms: {'MISSED' if failed else 'met'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
