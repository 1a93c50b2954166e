"""The PostgreSQL test fixture's contract: without a server the PostgreSQL tests FAIL (CI
must not pass by skipping them), unless BRIEFING_TEST_POSTGRES=skip says to skip them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.paths import REPO
from tests.support.postgres import BIN_ENV, SKIP_ENV, URL_ENV

ONE_TEST = "tests/bot/storage/test_store.py::test_key_value_state"


def run_pytest(**env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in (BIN_ENV, SKIP_ENV, URL_ENV)}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", ONE_TEST],
        cwd=REPO,
        env=full,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("skip", [False, True])
def test_missing_postgresql_fails_unless_skipped_on_purpose(skip: bool) -> None:
    env = {BIN_ENV: "/nonexistent/postgresql/bin"}
    if skip:
        env[SKIP_ENV] = "skip"
    done = run_pytest(**env)
    out = done.stdout + done.stderr
    if skip:
        assert done.returncode == 0, out
        assert "1 passed, 1 skipped" in out and f"{SKIP_ENV}=skip" in out
    else:
        assert done.returncode == 1, out
        assert "1 passed, 1 error" in out and "apt-get install -y postgresql" in out
