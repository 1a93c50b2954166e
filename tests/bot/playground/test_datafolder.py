"""The playground's data folder: a copy of the content, never someone else's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.playground.datafolder import MARKER, DataFolderError, prepare
from tests.support.paths import CONTENT_DIR

DOC = "bluebook-2020-russia"


def test_a_new_folder_gets_a_copy_of_the_content(tmp_path: Path) -> None:
    folder = prepare(tmp_path / "pg", CONTENT_DIR)
    copied = sorted(p.relative_to(folder.content) for p in folder.content.rglob("*.md"))
    original = sorted(p.relative_to(CONTENT_DIR) for p in CONTENT_DIR.rglob("*.md"))
    assert copied == original and copied
    assert folder.state.is_dir() and (folder.root / MARKER).is_file()


def test_edits_in_the_copy_survive_a_restart_and_reset_drops_them(tmp_path: Path) -> None:
    folder = prepare(tmp_path / "pg", CONTENT_DIR)
    edited = folder.content / DOC / "document.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert "# edited" in prepare(tmp_path / "pg", CONTENT_DIR).content.joinpath(
        DOC, "document.yaml"
    ).read_text(encoding="utf-8")
    again = prepare(tmp_path / "pg", CONTENT_DIR, reset=True)
    assert "# edited" not in (again.content / DOC / "document.yaml").read_text(encoding="utf-8")


def test_a_folder_that_is_not_a_playgrounds_is_never_used_or_reset(tmp_path: Path) -> None:
    other = tmp_path / "data"
    other.mkdir()
    (other / "briefing.sqlite3").write_bytes(b"production")
    for reset in (False, True):
        with pytest.raises(DataFolderError, match="not a playground data folder"):
            prepare(other, CONTENT_DIR, reset=reset)
    assert (other / "briefing.sqlite3").read_bytes() == b"production"


def test_a_copy_of_other_content_is_not_silently_replaced(tmp_path: Path) -> None:
    prepare(tmp_path / "pg", CONTENT_DIR)
    elsewhere = tmp_path / "other-content"
    elsewhere.mkdir()
    with pytest.raises(DataFolderError, match="--reset"):
        prepare(tmp_path / "pg", elsewhere)


def test_a_missing_content_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DataFolderError, match="content folder not found"):
        prepare(tmp_path / "pg", tmp_path / "nowhere")
