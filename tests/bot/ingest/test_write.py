"""write_folder's own defences, for a symlink planted after its check (a race): the write
fails or removes the link instead of following it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.ingest import write


@pytest.fixture
def folder_fd(tmp_path: Path) -> Iterator[int]:
    (tmp_path / "out").mkdir()
    fd = os.open(tmp_path / "out", os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield fd
    finally:
        os.close(fd)


def test_temporary_file_link_is_replaced_not_followed(tmp_path: Path, folder_fd: int) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("keep me\n")
    (tmp_path / "out" / ".a.md.tmp").symlink_to(secret)
    write._write(folder_fd, "a.md", "new\n")
    assert secret.read_text() == "keep me\n"
    assert (tmp_path / "out" / "a.md").read_text() == "new\n"
    assert not (tmp_path / "out" / "a.md").is_symlink()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.md"]


def test_linked_parent_folder_fails_the_write(tmp_path: Path, folder_fd: int) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out" / "sections").symlink_to(elsewhere)
    with pytest.raises(OSError):
        write._write(folder_fd, "sections/001-a.md", "text\n")
    assert list(elsewhere.iterdir()) == []


def test_stale_file_behind_a_linked_folder_is_not_removed(tmp_path: Path, folder_fd: int) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "old.md").write_text("not ingest's\n")
    (tmp_path / "out" / "sections").symlink_to(elsewhere)
    with pytest.raises(OSError):
        write._is_file(folder_fd, "sections/old.md")
    with pytest.raises(OSError):
        write._remove(folder_fd, "sections/old.md")
    assert (elsewhere / "old.md").read_text() == "not ingest's\n"


@pytest.mark.parametrize("rel", ["../x.md", "/etc/x", "a//b.md", "./a.md"])
def test_paths_outside_the_folder_are_refused(folder_fd: int, rel: str) -> None:
    with pytest.raises(write.IngestError):
        write._write(folder_fd, rel, "x")
