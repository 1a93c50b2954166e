"""Reading one content file's bytes: regular files only, and never more than the size limit.

Opening a FIFO blocks until something writes to it, and opening a device can have side
effects, so a path that is not a regular file (checked with stat, which follows symlinks,
before opening) is refused with a message rather than opened. The open itself is
non-blocking in case the path is swapped for a FIFO between the stat and the open; the
opened file is checked again with fstat.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 5 * 1024 * 1024

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class ReadRefused(Exception):
    """The file cannot or must not be read; `message` says why, for `path:1: message`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_bytes(path: Path | str, *, known_regular: bool = False) -> bytes:
    """The whole file; ReadRefused when it is not a regular file, too large or unreadable.

    `known_regular`: the caller has just seen a regular file there (a directory listing's
    `DirEntry.is_file(follow_symlinks=False)`, which costs no system call), so the stat
    before opening is skipped; the check after opening still runs.
    """
    try:
        if not known_regular:
            _check(os.stat(path))
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise ReadRefused(f"cannot read file: {exc.strerror or exc}") from None
    with open(fd, "rb", closefd=True) as handle:
        try:
            _check(os.fstat(fd))
            data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise ReadRefused(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:  # it grew since the stat
        raise ReadRefused(_too_large(f"over {MAX_FILE_BYTES:,}"))
    return data


def _check(status: os.stat_result) -> None:
    mode = status.st_mode
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "an unusual file type")
        raise ReadRefused(f"not a regular file ({kind}); content files must be plain files")
    if status.st_size > MAX_FILE_BYTES:
        raise ReadRefused(_too_large(f"{status.st_size:,}"))


def _too_large(size: str) -> str:
    return f"file is too large ({size} bytes; the limit is 5 MB)"
