"""Paths every test reads: the repository, the bundled content, the seed text and the
public evaluation set (copies inside the repository, so a clone alone runs the tests)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONTENT_DIR = REPO / "content"
DATA = REPO / "tests" / "data"
SEED = DATA / "raw" / "bluebook-2020-russia.txt"
EVAL_DIR = DATA / "eval"
EVAL_PUBLIC = EVAL_DIR / "queries-public.yaml"
