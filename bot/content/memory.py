"""Keeping a reload from stalling the event loop: build with the cyclic GC paused, and free
the previous version a piece at a time in a worker thread; then hand the freed memory back to
the OS (see each function for why)."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import threading
from collections import deque
from collections.abc import Callable, Iterator
from types import MappingProxyType, ModuleType
from typing import Any

# Young-generation GC threshold for a serving process. Every interaction allocates thousands
# of short-lived objects; at Python's default (700) the collector ran every few interactions
# (bench/e2e.py: 10-13 % less bot CPU per interaction at this setting). The content itself is
# frozen out of the collector by `no_collection_pauses`.
GC_THRESHOLD = (10_000, 20, 20)

_BUILD_LOCK = threading.Lock()
_WALK_LIMIT = 20_000_000
_SHARDS = 1024  # power of two
_CHUNK = 65_536
# Containers and our own objects are walked; types, modules and functions never are (their
# referents are the whole interpreter).
_WALK_BUILTINS = (tuple, list, dict, set, frozenset, MappingProxyType)


def _walkable(obj: Any) -> bool:
    if isinstance(obj, _WALK_BUILTINS):
        return True
    module = getattr(type(obj), "__module__", "") or ""
    return module.startswith("bot.") and not isinstance(obj, type | ModuleType)


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the process runs on
    except (OSError, AttributeError):  # musl, macOS: no such call, nothing to do
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_MALLOC_TRIM = _malloc_trim()


def return_free_memory() -> None:
    """Hand the C allocator's free pages back to the OS (glibc's `malloc_trim`).

    A build's transient peak (token tables, the posting sort) and a released version are
    freed, but glibc keeps the pages, so the process's RSS would stay at its peak (at 50,000
    sections `bench/search.py`'s index memory is 166 MB without this, 123 MB with it). The
    call takes milliseconds, and ctypes releases the GIL while it runs.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


@contextlib.contextmanager
def no_collection_pauses() -> Iterator[None]:
    """Build with the cyclic GC paused, then freeze what was built.

    A generation-2 collection over a 50,000-section heap is one C call of 200 ms or more,
    and whichever thread triggers it holds the GIL, so the event loop stalls. Pausing the
    collector while building and then `gc.freeze()`-ing (O(1): it moves the tracked objects
    to the permanent generation) means neither this build nor later automatic collections
    traverse the snapshot again. Frozen objects are still freed by reference counting when
    the next reload drops them; only reference cycles created during the build would stay,
    and content objects form none.
    """
    with _BUILD_LOCK:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            gc.freeze()
            if was_enabled:
                gc.enable()


def release_gradually(box: list[Any]) -> int:
    """Free the object graph held by `box` a piece at a time; returns the objects visited.

    Dropping the last reference to a 50,000-section snapshot frees every object in one C
    cascade that holds the GIL from start to end (over 100 ms). Here every reachable object
    is first listed parents-first, then the list is cleared front to back: each release
    frees one object whose children are still listed, so the interpreter can switch to the
    event loop between any two. Meant for a worker thread.

    The bookkeeping itself must not hold the GIL long either: one set or list of millions
    of entries is rehashed, copied or freed in a single C call. So visited ids go into
    _SHARDS small sets and the order into lists of at most _CHUNK objects.
    """
    seen: list[set[int]] = [set() for _ in range(_SHARDS)]
    mask = _SHARDS - 1
    chunks: list[list[Any]] = [[]]
    order = chunks[0]  # the chunk being filled
    count = 0
    queue: deque[Any] = deque(box)
    box.clear()
    item: Any = None
    while queue and count < _WALK_LIMIT:
        item = queue.popleft()
        key = id(item)
        shard = seen[(key >> 4) & mask]  # ids are 16-byte aligned: skip the zero bits
        if key in shard:
            continue
        shard.add(key)
        if len(order) >= _CHUNK:
            order = []
            chunks.append(order)
        order.append(item)
        count += 1
        if _walkable(item):
            queue.extend(r for r in gc.get_referents(item) if not isinstance(r, type))
    queue.clear()
    for shard in seen:
        shard.clear()
    item = None  # the last object visited must not outlive the walk here
    for chunk in chunks:
        for i in range(len(chunk)):
            chunk[i] = None
    return count
