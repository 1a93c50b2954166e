"""Paths shared by every test: the repository, the bundled content and ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONTENT_DIR = REPO / "content"
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "bluebook-2020-russia.txt"
EVAL_PUBLIC = SHARED / "eval" / "queries-public.yaml"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")
