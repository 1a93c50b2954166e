"""Content folder -> search index, for the command-line tools (the bot reloads on its own)."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_config
from bot.content import load_content
from bot.search.build import build_index
from bot.search.index import SearchIndex


def default_content_dir(config_path: str | None) -> Path:
    """`content.path` from the config (its default without a config file)."""
    cfg = load_config(config_path, check_paths=False)
    return Path(cfg.content.path)


def load_index(content: Path) -> tuple[SearchIndex | None, list[str]]:
    """The index of a content folder, or the loader's problems as `path:line: message` lines."""
    if not Path(content).is_dir():
        return None, [f"{content}: not a folder"]
    result = load_content(Path(content))
    if not result.ok or result.snapshot is None:
        return None, [str(p) for p in result.errors]
    return build_index(result.snapshot), []
