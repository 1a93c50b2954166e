"""A small LRU cache that forgets everything when the content changes.

Answers and rendered pages are pure functions of (content, query), so they can be reused
until a reload brings another content hash; keying the whole cache by that hash means a
stale entry can never be served and old snapshots are not kept alive by the cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class ContentLRU(Generic[V]):
    """`get(content_hash, key, build)`: the cached value, or `build()` stored and returned."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._hash: str | None = None
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, content_hash: str, key: Hashable, build: Callable[[], V]) -> V:
        with self._lock:
            if content_hash != self._hash:
                self._hash = content_hash
                self._items.clear()
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
        value = build()
        with self._lock:
            self.misses += 1
            if content_hash == self._hash:
                self._items[key] = value
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)
