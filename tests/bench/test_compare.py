"""`python bench/compare.py`: two checkouts' runs of bench/search.py's protocol side by side
(run as a user runs it: tests do not import bench)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO

FIGURES = ("search p50", "search p99", "section p50", "section p99", "gc ms")


def test_a_checkout_against_itself_prints_every_figure_with_its_ratio() -> None:
    done = subprocess.run(
        [sys.executable, "bench/compare.py", "--code", str(REPO), "--runs", "1", "--queries", "30"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = {}
    for line in done.stdout.splitlines()[2:]:
        *name, old, _, new, _, ratio = line.split()
        rows[" ".join(name)] = (float(old), float(new), float(ratio))
    assert set(rows) == set(FIGURES)
    for figure in ("search p50", "search p99", "section p50", "section p99"):
        old, new, ratio = rows[figure]
        assert old > 0 and new > 0
        assert abs(ratio - new / old) < 0.01 + 0.01 * ratio  # the ratio of the two medians
    assert rows["search p50"][1] <= rows["search p99"][1]


def test_a_folder_without_the_benchmark_is_refused_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "bench/compare.py", "--code", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "--code must name a checkout that has bench/search.py" in done.stderr
    assert "Traceback" not in done.stderr
