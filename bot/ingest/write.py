"""Write rendered files into a content folder without clobbering hand edits.

`.ingest.json` records the sha256 of every file ingest wrote; a later run compares the
folder against it and refuses (unless forced) when a person has changed, or added to,
what ingest owns. facts.yaml is hand-curated, so it is created empty once and never touched;
aliases.yaml (hand-kept names for sections) is never written, counted or removed.

Ingest writes only inside `--out`: a symlink anywhere in it is refused before anything is
written (even with --force), and every write goes through directory descriptors opened
with O_NOFOLLOW, into a temporary file created with O_EXCL | O_NOFOLLOW, so a link planted
while ingest runs fails the write instead of redirecting it. (`--out` itself may be a link.)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from bot.ingest.errors import IngestError

MANIFEST = ".ingest.json"
FACTS = "facts.yaml"
ALIASES = "aliases.yaml"  # hand-kept names for sections (bot/content/aliases.py)
HAND_KEPT = (FACTS, ALIASES)
EMPTY_FACTS = "facts: []\n"


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class RefusedError(IngestError):
    """The folder holds files ingest did not write, or that changed since it wrote them,
    or a symlink (ingest writes only inside its folder)."""


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


def find_symlink(out: Path) -> Path | None:
    """The first symlink inside `out` (not following any), or None."""
    for dirpath, dirnames, filenames in os.walk(out):  # does not descend into linked folders
        for name in sorted(dirnames + filenames):
            path = Path(dirpath, name)
            if path.is_symlink():
                return path
    return None


def _parts(rel: str) -> list[str]:
    parts = rel.split("/")
    if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise IngestError(f"refusing to write {rel!r}: not a plain path inside the folder")
    return parts


@contextlib.contextmanager
def _directory(root_fd: int, parts: list[str], create: bool) -> Iterator[int]:
    """A descriptor of the folder `parts` below `root_fd`, never following a symlink (one
    met is an OSError, ELOOP or ENOTDIR); FileNotFoundError when missing and not `create`."""
    fd = os.dup(root_fd)
    try:
        for part in parts:
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, dir_fd=fd)
            child = os.open(part, _DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = child
        yield fd
    finally:
        os.close(fd)


def _write(root_fd: int, rel: str, text: str) -> None:
    """Write via a temporary file so a crash never leaves a half-written section."""
    *parents, name = _parts(rel)
    with _directory(root_fd, parents, create=True) as dir_fd:
        tmp = f".{name}.tmp"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp, dir_fd=dir_fd)  # a crash's leftover (a link is removed, not followed)
        fd = os.open(tmp, _NEW_FILE, 0o666, dir_fd=dir_fd)
        with open(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)


def _is_file(root_fd: int, rel: str) -> bool:
    *parents, name = _parts(rel)
    try:
        with _directory(root_fd, parents, create=False) as dir_fd:
            mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
    except FileNotFoundError:
        return False
    return stat.S_ISREG(mode)


def _remove(root_fd: int, rel: str) -> None:
    *parents, name = _parts(rel)
    with _directory(root_fd, parents, create=False) as dir_fd:
        os.unlink(name, dir_fd=dir_fd)


def write_folder(out: Path, files: dict[str, str], source: bytes, force: bool = False) -> list[str]:
    """Write `files` into `out`; return the stale files removed. Raises RefusedError."""
    if out.exists() and not out.is_dir():
        raise IngestError(f"{out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    link = find_symlink(out)
    if link is not None:
        raise RefusedError(
            f"{link} is a symlink; ingest writes only inside {out} and follows no links there "
            "(remove it; --force does not override this)"
        )
    manifest = None
    try:
        manifest = _read_manifest(out)
    except RefusedError:
        if not force:
            raise
    if not force:
        check_clean(out, manifest)
    root_fd = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        return _write_all(root_fd, files, source, manifest or {})
    finally:
        os.close(root_fd)


def _write_all(
    root_fd: int, files: dict[str, str], source: bytes, manifest: dict[str, str]
) -> list[str]:
    for rel, text in sorted(files.items()):
        _write(root_fd, rel, text)
    removed: list[str] = []
    for rel in sorted(manifest):
        if rel in files or rel in (*HAND_KEPT, MANIFEST):
            continue
        try:
            stale = _is_file(root_fd, rel)
        except IngestError:  # a manifest entry like '../x' is not ours to remove
            continue
        if stale:
            _remove(root_fd, rel)
            removed.append(rel)
    if not _is_file(root_fd, FACTS):
        _write(root_fd, FACTS, EMPTY_FACTS)
    _write(root_fd, MANIFEST, manifest_text(files, source))
    return removed
