"""Search before and after: this checkout against another, on bench/search.py's protocol.

    git worktree add /tmp/old 4910523
    python bench/compare.py --code /tmp/old              # bundled content, 10 runs each
    python bench/compare.py --code /tmp/old --sections 50000 --runs 3
    python bench/compare.py --code /tmp/old --distinct   # each query asked once

`--distinct` drops repeated queries (bench/search.py's 300 random title prefixes hold about
106 distinct ones): in the bot a repeat is answered by the reply cache before the engine
runs, so this measures the engine on the queries that reach it, in both checkouts alike.

Each run is a fresh process that builds the index as the bot does (collector paused, then
frozen, the bot's thresholds) and asks the queries in order: p50 and p99 of /search
and /section, and the milliseconds the garbage collector took while they ran. The two
checkouts take turns, so a shared machine that slows down weighs on both alike; the medians
over the runs are compared. Both checkouts answer this repository's content with their own
code through their own `bench/search.py` (`build_index`, `search`, `find_section`,
`make_queries`, `synthetic`, `timed`), so any commit that has that file can be compared.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FIGURES = ("search p50", "search p99", "section p50", "section p99", "gc ms")
GC_THRESHOLD = (10_000, 20, 20)  # bot.content.memory's, repeated: the worker imports no bot
RUN_TIMEOUT_S = 900


def _checkout_bench(code: Path) -> ModuleType:
    """The checkout's bench/search.py, which imports that checkout's `bot`."""
    spec = importlib.util.spec_from_file_location("checkout_search", code / "bench/search.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"{code}/bench/search.py cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def worker(code: Path, sections: int, queries: int, distinct: bool = False) -> dict[str, float]:
    """One run of one checkout (in its own process)."""
    bench = _checkout_bench(code)
    base = bench.load_content(REPO / "content").snapshot
    snapshot = bench.synthetic(base, sections, 1) if sections else base
    texts, titles = bench.make_queries(snapshot, queries, 1)
    if distinct:  # each query once, in first-seen order
        texts, titles = list(dict.fromkeys(texts)), list(dict.fromkeys(titles))
    gc.collect()
    gc.set_threshold(*GC_THRESHOLD)
    gc.disable()
    index = bench.build_index(snapshot)
    gc.freeze()
    gc.enable()
    collecting = [0.0, 0.0]  # total, start of the current collection

    def on_gc(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            collecting[1] = time.perf_counter()
        else:
            collecting[0] += time.perf_counter() - collecting[1]

    gc.callbacks.append(on_gc)
    search = bench.timed(lambda q: bench.search(index, q), texts)  # (p50, p99)
    section = bench.timed(lambda q: bench.find_section(index, q), titles)
    gc.callbacks.remove(on_gc)
    figures = dict(zip(FIGURES, (*search, *section, collecting[0] * 1000), strict=True))
    return {**figures, "search n": len(texts), "section n": len(titles)}


def _run(code: Path, sections: int, queries: int, distinct: bool) -> dict[str, float]:
    args = [sys.executable, __file__, "--worker", str(code), f"--sections={sections}"]
    done = subprocess.run(
        [*args, f"--queries={queries}", *(["--distinct"] if distinct else [])],
        cwd=code,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the run of {code} failed:\n{done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def compare(
    old: Path, sections: int, queries: int, runs: int, distinct: bool = False
) -> dict[str, list[dict[str, float]]]:
    out: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    for i in range(runs):
        for name, code in (("old", old), ("new", REPO)):
            out[name].append(_run(code, sections, queries, distinct))
        print(f"run {i + 1} of {runs} done", file=sys.stderr, flush=True)
    return out


def report(results: dict[str, list[dict[str, float]]]) -> str:
    lines = [f"{'':13} {'old: median [range]':>24} {'new: median [range]':>24} {'new/old':>8}"]
    for figure in FIGURES:
        cells = []
        medians = []
        for name in ("old", "new"):
            values = [r[figure] for r in results[name]]
            medians.append(statistics.median(values))
            cells.append(f"{medians[-1]:.3f} [{min(values):.3f}-{max(values):.3f}]")
        ratio = medians[1] / medians[0] if medians[0] else float("nan")
        lines.append(f"{figure:13} {cells[0]:>24} {cells[1]:>24} {ratio:8.2f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--code", help="the other checkout (e.g. a git worktree of an old commit)")
    ap.add_argument("--sections", type=int, default=0, help="a synthetic corpus; 0: bundled")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--runs", type=int, default=10, help="runs per checkout (1-50)")
    ap.add_argument(
        "--distinct",
        action="store_true",
        help="ask each query once (the bot's reply cache answers a repeat before the engine)",
    )
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(Path(args.worker), args.sections, args.queries, args.distinct)))
        return 0
    if not args.code or not (Path(args.code) / "bench/search.py").is_file():
        ap.error("--code must name a checkout that has bench/search.py")
    runs = max(1, min(args.runs, 50))
    corpus = f"{args.sections} synthetic sections" if args.sections else "the bundled content"
    asked = f"{args.queries} queries" + (", each distinct one once" if args.distinct else "")
    print(f"{corpus}, {asked}, {runs} runs each; latencies in ms")
    old = Path(args.code).resolve()
    results = compare(old, args.sections, args.queries, runs, args.distinct)
    print(report(results))
    first = results["new"][0]
    print(f"asked per run: {first['search n']:.0f} /search, {first['section n']:.0f} /section")
    return 0


if __name__ == "__main__":
    sys.exit(main())
