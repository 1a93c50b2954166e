"""What bench/e2e.py and bench/core.py serve and ask: the same content and queries for both.

Nothing from `bot` is imported at module level, so bench/core.py can time another
checkout's core with the content built by that core's own ingest.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
QUERY_FILES = (
    REPO / "tests/data/eval/queries-public.yaml",
    REPO / "tests/data/eval/queries-heldout.yaml",
)
BUNDLED = REPO / "content"
RAW = REPO / "tests/data/raw"
FALLBACK_QUERIES = {"search": ["Northern Territories"], "section": ["russia"]}


def load_queries(files: tuple[Path, ...] = QUERY_FILES) -> dict[str, list[str]]:
    """Every query text per command, in file order (public first, then held-out)."""
    out: dict[str, list[str]] = {"search": [], "section": []}
    for path in files:
        if not path.is_file():
            print(f"note: {path} not found; its queries are left out", file=sys.stderr)
            continue
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for q in raw.get("queries") or []:
            command = str(q.get("command", "search"))
            if command in out and q.get("query") is not None:
                out[command].append(str(q["query"]))
    for command, fallback in FALLBACK_QUERIES.items():
        out[command] = out[command] or fallback
    return out


def build_content(root: Path) -> Path:
    """The bundled content plus the raw sample documents the held-out queries are about."""
    from bot.ingest.parse import parse_with_warnings
    from bot.ingest.render import render
    from bot.ingest.write import write_folder

    shutil.copytree(BUNDLED, root, dirs_exist_ok=True)
    present = {p.name for p in root.iterdir()}
    for raw in sorted(RAW.glob("*.txt")):
        doc_id = raw.stem
        if doc_id in present:
            continue
        source = raw.read_bytes()
        result = parse_with_warnings(source.decode("utf-8"), doc_id)
        write_folder(root / doc_id, render(result.document), source)
    return root
