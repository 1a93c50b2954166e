"""Every bundled document folder validates with no errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import load_content
from tests.support.paths import CONTENT_DIR


def _document_folders() -> list[Path]:
    if not CONTENT_DIR.is_dir():
        return []
    return sorted(
        p
        for p in CONTENT_DIR.iterdir()
        if p.is_dir() and not p.name.startswith((".", "_")) and (p / "document.yaml").exists()
    )


def test_content_ships_a_document() -> None:
    assert _document_folders(), f"no document folder under {CONTENT_DIR}"


@pytest.mark.parametrize("folder", _document_folders(), ids=lambda p: p.name)
def test_bundled_document_validates(folder: Path) -> None:
    result = load_content(folder)
    assert result.errors == (), "\n".join(str(e) for e in result.errors)
    assert result.snapshot is not None
    (doc,) = result.snapshot.documents
    assert doc.sections, "a bundled document has sections"


def test_bundled_content_folder_validates() -> None:
    result = load_content(CONTENT_DIR)
    assert result.errors == (), "\n".join(str(e) for e in result.errors)
