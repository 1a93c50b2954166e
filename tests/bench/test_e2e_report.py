"""bench/e2e.py's verdict: medians over fresh runs, and both targets judged per row."""

from __future__ import annotations

from typing import Any

from bench import e2e


def _row(label: str, cost: float, p99: float, failed: int = 0) -> dict[str, Any]:
    return {
        "label": label,
        "per_second": 1000 / cost,
        "p50_ms": p99 / 2,
        "p90_ms": p99 * 0.8,
        "p99_ms": p99,
        "max_ms": p99 + 1,
        "bot_cpu_ms": 0.3 * cost,
        "emulator_cpu_ms": 0.2,
        "cost_vs_help": cost,
        "cpu_vs_help": cost,
        "failed": failed,
        "ok": 1000 - failed,
    }


def _run(search: tuple[float, float], section: tuple[float, float]) -> dict[str, Any]:
    return {
        "results": [
            _row("help", 1.0, 30.0),
            _row("search", *search),
            _row("section", *section),
        ]
    }


def test_medians_are_judged_and_each_run_is_shown() -> None:
    runs = [
        _run((1.30, 45.0), (1.0, 20.0)),
        _run((1.20, 60.0), (1.1, 25.0)),
        _run((1.10, 40.0), (0.9, 30.0)),
    ]
    rows = e2e.median_rows(runs)
    search = next(r for r in rows if r["label"] == "search")
    assert search["cost_vs_help"] == 1.20 and search["p99_ms"] == 45.0
    assert [r["cost_vs_help"] for r in search["runs"]] == [1.30, 1.20, 1.10]
    lines = e2e.target_lines(rows, e2e.TARGET_IN_FLIGHT)
    assert any("/search" in ln and "MET" in ln and "NOT MET" not in ln for ln in lines)
    assert lines[-1].endswith("TARGET MET")
    # Alone, only the third run meets both targets for /search.
    assert [e2e.row_met(r) for r in search["runs"]] == [False, False, True]


def test_a_row_misses_on_cost_on_latency_or_on_failures() -> None:
    assert e2e.row_met(_row("search", 1.25, 50.0))
    assert not e2e.row_met(_row("search", 1.26, 40.0))
    assert not e2e.row_met(_row("search", 1.0, 50.1))
    assert not e2e.row_met(_row("search", 1.0, 40.0, failed=1))
    assert e2e.row_met(_row("help", 1.0, 50.0))  # the floor is judged on latency only
    lines = e2e.target_lines([_row("help", 1.0, 30.0), _row("search", 1.3, 40.0)], 50)
    assert lines[-1].endswith("TARGET NOT MET")
    assert "not judged" in e2e.target_lines([_row("search", 1.0, 40.0)], 10)[-1]
