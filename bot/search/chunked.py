"""Long calls cut into slices, so that building an index never holds the GIL for long.

The index is built in a worker thread while the event loop keeps serving. Sorting strings and
numpy's casts and `repeat` hold the GIL for the whole call: on a 50,000-section corpus one
such call is tens of milliseconds of a stalled bot, a slice of it is not.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

SORT_CHUNK = 20_000
GIL_CHUNK = 262_144


def chunked_sorted(items: Iterable[str]) -> list[str]:
    """sorted(items), sorted in chunks and merged in Python."""
    pool = list(items)
    runs = [sorted(pool[i : i + SORT_CHUNK]) for i in range(0, len(pool), SORT_CHUNK)]
    return list(heapq.merge(*runs))


def as_float64(values: npt.NDArray[np.int32]) -> npt.NDArray[np.float64]:
    """values.astype(np.float64), a slice at a time."""
    out = np.empty(len(values), dtype=np.float64)
    for i in range(0, len(values), GIL_CHUNK):
        out[i : i + GIL_CHUNK] = values[i : i + GIL_CHUNK]
    return out


def owner_of(offs: npt.NDArray[np.int64], per_unit: npt.NDArray[np.int64]) -> npt.NDArray[np.int32]:
    """np.repeat(arange(n_units), per_unit): the unit of every flat entry, a slice at a time."""
    n_units = len(per_unit)
    out = np.empty(int(offs[-1]) if len(offs) else 0, dtype=np.int32)
    step = max(1, GIL_CHUNK // 64)
    for a in range(0, n_units, step):
        b = min(a + step, n_units)
        out[offs[a] : offs[b]] = np.repeat(np.arange(a, b, dtype=np.int32), per_unit[a:b])
    return out
