"""Write rendered files into a content folder without clobbering hand edits.

`.ingest.json` records the sha256 of every file ingest wrote; a later run compares the
folder against it and refuses (unless forced) when a person has changed, or added to,
what ingest owns. facts.yaml is hand-curated, so it is created empty once and never touched;
aliases.yaml (hand-kept names for sections) is never written, counted or removed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from bot.ingest.errors import IngestError

MANIFEST = ".ingest.json"
FACTS = "facts.yaml"
ALIASES = "aliases.yaml"  # hand-kept names for sections (bot/content/aliases.py)
HAND_KEPT = (FACTS, ALIASES)
EMPTY_FACTS = "facts: []\n"


class RefusedError(IngestError):
    """The folder holds files ingest did not write, or that changed since it wrote them."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_text(files: dict[str, str], source: bytes) -> str:
    hashes = {path: sha256(text.encode("utf-8")) for path, text in files.items()}
    payload = {"files": hashes, "source_sha256": sha256(source), "tool": "briefing-bot ingest"}
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _read_manifest(out: Path) -> dict[str, str] | None:
    path = out / MANIFEST
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data["files"]
        if not isinstance(files, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise RefusedError(f"{path} is not a valid ingest manifest; use --force") from exc
    return {str(k): str(v) for k, v in files.items()}


def _existing_files(out: Path) -> list[str]:
    """Files ingest would own: everything but the hand-kept files and the manifest."""
    found: list[str] = []
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if path.is_file() and rel not in (*HAND_KEPT, MANIFEST):
            found.append(rel)
    return found


def check_clean(out: Path, manifest: dict[str, str] | None) -> None:
    """Raise RefusedError when writing would lose work done by hand."""
    existing = _existing_files(out)
    if manifest is None:
        if existing:
            raise RefusedError(
                f"{out} is not empty and has no {MANIFEST} (not written by ingest: "
                f"{existing[0]}); use --force to overwrite"
            )
        return
    for rel in existing:
        recorded = manifest.get(rel)
        if recorded is None:
            raise RefusedError(f"{out / rel} was not written by ingest; use --force to overwrite")
        if sha256((out / rel).read_bytes()) != recorded:
            raise RefusedError(f"{out / rel} was edited by hand; use --force to overwrite")


def _write(path: Path, text: str) -> None:
    """Write via a temporary file so a crash never leaves a half-written section."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(text.encode("utf-8"))
    os.replace(tmp, path)


def write_folder(out: Path, files: dict[str, str], source: bytes, force: bool = False) -> list[str]:
    """Write `files` into `out`; return the stale files removed. Raises RefusedError."""
    if out.exists() and not out.is_dir():
        raise IngestError(f"{out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    manifest = None
    try:
        manifest = _read_manifest(out)
    except RefusedError:
        if not force:
            raise
    if not force:
        check_clean(out, manifest)
    for rel, text in sorted(files.items()):
        _write(out / rel, text)
    removed: list[str] = []
    for rel in sorted(manifest or {}):
        target = out / rel
        inside = target.resolve().is_relative_to(out.resolve())
        if rel not in files and rel not in (*HAND_KEPT, MANIFEST) and inside and target.is_file():
            target.unlink()
            removed.append(rel)
    if not (out / FACTS).exists():
        _write(out / FACTS, EMPTY_FACTS)
    _write(out / MANIFEST, manifest_text(files, source))
    return removed
