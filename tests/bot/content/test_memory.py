"""Freed memory goes back to the OS after a build or a release (`return_free_memory`)."""

from __future__ import annotations

import psutil
import pytest

from bot.content import memory

MB = 2**20


@pytest.mark.skipif(memory._MALLOC_TRIM is None, reason="the C library has no malloc_trim")
def test_freed_pages_leave_the_process() -> None:
    """Blocks of a few KB come from the C heap; with one in twenty kept, glibc cannot shrink
    the heap from its top and keeps the freed pages until asked to return them."""
    rss = psutil.Process().memory_info
    blocks = [bytes(4000) for _ in range(30_000)]  # ~120 MB
    kept = blocks[::20]
    del blocks
    before = rss().rss
    memory.return_free_memory()
    after = rss().rss
    assert before - after > 40 * MB, (before / MB, after / MB)
    assert len(kept) == 1500
