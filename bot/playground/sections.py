"""The page's content editor: a section's text, found by its key (`document#section`) in the
content being served, never by a path from the browser. Only the body after the front matter
is edited, and only files inside the playground's own copy of the content are written."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bot.content.model import Snapshot
from bot.content.sectionfile import FrontMatterError, split_front_matter

MAX_TEXT = 200_000  # characters; the bundled sections are a few thousand


class SectionEditError(Exception):
    """Why a section cannot be read or saved; shown to the page as is."""


def list_sections(snapshot: Snapshot | None) -> list[dict[str, Any]]:
    if snapshot is None:
        return []
    return [
        {"key": s.key, "heading": s.heading, "level": s.level, "document": doc.title}
        for doc in snapshot.documents
        for s in doc.sections
    ]


def section_file(snapshot: Snapshot | None, key: str, root: Path) -> Path:
    """The file of the served section `key`, which must lie inside `root`."""
    section = snapshot.section(key) if snapshot is not None else None
    if section is None:
        raise SectionEditError(f"no section {key!r} in the content being served")
    path = Path(section.source_path).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        raise SectionEditError(f"the file of {key!r} is not in the playground's content copy")
    return path


def _split(path: Path) -> tuple[str, list[str]]:
    try:
        front, body, _ = split_front_matter(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, FrontMatterError) as exc:
        raise SectionEditError(f"cannot read the section's file: {exc}") from None
    return front, body


def read_text(path: Path) -> str:
    """The section's body: everything after its front matter."""
    return "\n".join(_split(path)[1])


def write_text(path: Path, text: str) -> None:
    """Replace the body, keep the front matter; written whole or not at all."""
    if len(text) > MAX_TEXT:
        raise SectionEditError(f"the text is longer than {MAX_TEXT:,} characters")
    front, _ = _split(path)
    body = text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
    temporary = path.with_name(f".{path.name}.playground-edit")
    temporary.write_text(f"---\n{front}\n---\n{body}\n", encoding="utf-8")
    os.replace(temporary, path)
