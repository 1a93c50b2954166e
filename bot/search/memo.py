"""A small bounded, thread-safe LRU map for per-index caches.

An index is read-only, so anything derived from it and a query (a query plan, a section's
term set) can be kept; the bound keeps a long-running bot with many distinct queries, or a
large corpus, from growing without limit. The index may be used from worker threads (a
reload builds and swaps in a new one), hence the lock.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar, cast

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_MISSING = object()


class LRU(Generic[K, V]):
    """`get_or_make(key, make)`: the cached value, else `make()` remembered (LRU, bounded)."""

    __slots__ = ("_data", "_lock", "hits", "misses", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._data)

    def _find(self, key: K) -> object:
        # A hit takes no lock: OrderedDict's get and move_to_end are single C calls under the
        # GIL; another thread may evict the key in between, which only costs the reordering.
        value = self._data.get(key, _MISSING)
        if value is _MISSING:
            self.misses += 1
            return _MISSING
        with contextlib.suppress(KeyError):
            self._data.move_to_end(key)
        self.hits += 1
        return value

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        value = self._find(key)
        if value is not _MISSING:
            return cast(V, value)
        made = make()  # outside the lock: two threads may both make it; both are equal
        self.put(key, made)
        return made

    def get(self, key: K) -> V | None:
        """The cached value (moved to most recent), or None."""
        value = self._find(key)
        return None if value is _MISSING else cast(V, value)

    def put(self, key: K, value: V) -> None:
        """Keep `value` as the most recent entry, dropping the oldest beyond the bound."""
        if self.size > 0:
            with self._lock:
                self._data[key] = value
                self._data.move_to_end(key)
                while len(self._data) > self.size:
                    self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
