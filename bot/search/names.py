"""Short names (titles, aliases, topics) normalised once, and an inverted index over them,
for matching what users type."""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from bot.search import tokens as tx
from bot.search.chunked import chunked_sorted

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Name:
    text: str
    norm: str  # folded, punctuation to single spaces
    terms: frozenset[str]  # content terms


def norm_string(text: str) -> str:
    return _NON_ALNUM.sub(" ", tx.fold(text)).strip()


def make_name(text: str, terms: Iterable[str] | None = None) -> Name:
    """`terms`: the content terms of `text` when the caller has them (the index builder)."""
    if terms is None:
        terms = (t for t in tx.terms(text) if t not in tx.STOP_TERMS)
    ts = frozenset(terms)
    return Name(text, norm_string(text), ts)


@dataclass(frozen=True, slots=True)
class TypedQuery:
    norm: str
    terms: tuple[str, ...]  # content terms, typos repaired
    last_prefix: str  # the last word as typed, for prefix matching while typing


class NameIndex:
    """Inverted index over names, so a lookup scores a few candidates, not every name.

    Postings are one flat int32 array (a slice per term); a query counts, per name, the query
    words it contains with one `bincount`, and keeps the `CANDIDATES` names with the most
    words, shorter names first among equals (the section named exactly so is the short one).
    """

    CANDIDATES = 300
    # Autocomplete shows 25 names and runs on every keystroke: fewer candidates suffice there.
    PREFIX_CANDIDATES = 100
    COMPLETIONS = 64
    # Without any shared word, fall back to a character ratio over at most this many names
    # (those sharing the query's first three letters when there are more): bounded work.
    FALLBACK_SCAN = 5000

    def __init__(self, names: Sequence[Sequence[Name]]) -> None:
        self.names = names
        post: dict[str, list[int]] = {}
        for i, entry in enumerate(names):
            for t in {t for n in entry for t in n.terms}:
                post.setdefault(t, []).append(i)
        flat = array("i")
        spans: dict[str, tuple[int, int]] = {}
        for t, lst in post.items():
            spans[t] = (len(flat), len(flat) + len(lst))
            flat.extend(lst)
        self._flat = np.frombuffer(flat, dtype=np.int32) if flat else np.zeros(0, np.int32)
        self._spans = spans
        self.sorted_terms = chunked_sorted(post)
        self._shortness = np.array(
            [255 - min(len(entry[0].terms), 255) if entry else 0 for entry in names],
            dtype=np.int64,
        )
        self.norms = [entry[0].norm if entry else "" for entry in names]
        self._by_head: dict[str, list[int]] = {}
        if len(self.norms) > self.FALLBACK_SCAN:
            for i, n in enumerate(self.norms):
                self._by_head.setdefault(n[:3], []).append(i)

    def _postings(self, t: str) -> np.ndarray | None:
        span = self._spans.get(t)
        return self._flat[span[0] : span[1]] if span else None

    def candidates(self, q: TypedQuery, prefix: bool) -> list[int]:
        parts = [p for p in map(self._postings, set(q.terms)) if p is not None]
        if prefix and q.last_prefix:
            head = q.last_prefix[:4]
            start = bisect.bisect_left(self.sorted_terms, head)
            for t in self.sorted_terms[start : start + self.COMPLETIONS]:
                if not t.startswith(head):
                    break
                p = self._postings(t)
                if p is not None:
                    parts.append(p)
        if not parts:
            return self._fallback(q)
        counts = np.bincount(np.concatenate(parts), minlength=len(self.names))
        hit = np.flatnonzero(counts)
        key = counts[hit] * 256 + self._shortness[hit]
        cap = self.PREFIX_CANDIDATES if prefix else self.CANDIDATES
        if len(hit) > cap:
            keep = np.argpartition(-key, cap - 1)[:cap]
            hit, key = hit[keep], key[keep]
        return hit[np.lexsort((hit, -key))].tolist()

    def _fallback(self, q: TypedQuery) -> list[int]:
        norms: Sequence[str] = self.norms
        positions: list[int] | None = None
        if len(norms) > self.FALLBACK_SCAN:
            positions = self._by_head.get(q.norm[:3], [])[: self.FALLBACK_SCAN]
            norms = [self.norms[i] for i in positions]
        found = process.extract(q.norm, norms, scorer=fuzz.ratio, limit=10, score_cutoff=60)
        if positions is None:
            return [int(i) for _, _, i in found]
        return [positions[int(i)] for _, _, i in found]
