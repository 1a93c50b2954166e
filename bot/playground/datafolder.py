"""The playground's own data folder: a copy of the content (edits never touch the
repository's content/), the bot's state (SQLite store, command-sync hash) and the config it
runs with. A marker file tells a playground folder from any other, so `--reset` never
deletes a folder the playground did not make and the production `data/` is never used."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

MARKER = ".briefing-bot-playground"


class DataFolderError(Exception):
    """The folder cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class DataFolder:
    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def config(self) -> Path:
        return self.root / "config.yaml"

    @property
    def marker(self) -> Path:
        return self.root / MARKER


def _recorded_source(folder: DataFolder) -> str | None:
    try:
        data = json.loads(folder.marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    source = data.get("content_source") if isinstance(data, dict) else None
    return source if isinstance(source, str) else None


def prepare(root: Path, content_source: Path, *, reset: bool = False) -> DataFolder:
    """The data folder at `root`, made (or reset) and holding a copy of `content_source`."""
    folder = DataFolder(root.resolve())
    source = content_source.resolve()
    if not source.is_dir():
        raise DataFolderError(f"content folder not found: {content_source}")
    exists = folder.root.exists() and any(folder.root.iterdir())
    if exists and not folder.marker.is_file():
        raise DataFolderError(
            f"{root} is not a playground data folder (no {MARKER} in it); "
            "choose an empty or new folder with --data"
        )
    if reset and exists:
        shutil.rmtree(folder.root)
    folder.root.mkdir(parents=True, exist_ok=True)
    folder.state.mkdir(exist_ok=True)
    recorded = _recorded_source(folder)
    if folder.content.is_dir() and recorded not in (None, str(source)):
        raise DataFolderError(
            f"{root} holds a copy of {recorded}, not of {source}; "
            "add --reset to start afresh (your edits there are lost) or use another --data"
        )
    if not folder.content.is_dir():
        shutil.copytree(source, folder.content)
    folder.marker.write_text(json.dumps({"content_source": str(source)}), encoding="utf-8")
    return folder
