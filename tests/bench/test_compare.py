"""`python bench/compare.py`: two checkouts' runs of bench/search.py's protocol side by side
(run as a user runs it: tests do not import bench)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO

FIGURES = ("search p50", "search p99", "section p50", "section p99", "gc ms")


@pytest.mark.parametrize("flags", [[], ["--distinct"]])
def test_a_checkout_against_itself_prints_every_figure_with_its_ratio(flags: list[str]) -> None:
    args = ["bench/compare.py", "--code", str(REPO), "--runs", "1", "--queries", "30", *flags]
    done = subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert ("each distinct one once" in done.stdout.splitlines()[0]) == bool(flags)
    rows = {}
    *table, asked = done.stdout.splitlines()
    n_search, n_section = (int(w) for w in asked.split() if w.isdigit())
    assert n_search <= 30 and n_section <= 30
    # 30 random title prefixes of 12 sections repeat: --distinct asks each once
    assert (n_section < 30) == bool(flags)
    for line in table[2:]:
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
