"""`python bench/core.py`: the search core's CPU time per query, run as a user runs it (tests
do not import bench)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "bench/core.py", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_it_prints_the_time_per_query_of_each_call() -> None:
    done = _run("--passes", "1", "--code", str(REPO))
    assert done.returncode == 0, done.stderr
    rows = {}
    for line in done.stdout.splitlines()[1:]:
        *name, value, unit = line.split()
        assert unit == "us"
        rows[" ".join(name)] = float(value)
    assert set(rows) == {"search", "find_section", "search embed"}
    assert all(v > 0 for v in rows.values())


def test_a_folder_without_a_bot_is_refused_in_one_line(tmp_path: Path) -> None:
    done = _run("--code", str(tmp_path))
    assert done.returncode == 2
    assert "has no bot/ folder" in done.stderr
    assert "Traceback" not in done.stderr
