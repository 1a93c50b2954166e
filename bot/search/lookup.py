"""Matching a typed name against section titles and aliases (and other short names).

Titles are short, so the score is about word coverage: every word the user typed should be in
the title (after typo repair and light stemming), and a title with fewer extra words wins
(`japan-russia relations` is the section of that name, not the longer titles starting with
it). A character-level ratio catches what word repair misses. Measured against rapidfuzz's
WRatio and token_set_ratio on the evaluation set, see docs/search.md.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from bot.search import tokens as tx
from bot.search.index import SearchIndex
from bot.search.names import Name, norm_string

EXACT = 1.0


@dataclass(frozen=True, slots=True)
class TypedQuery:
    norm: str
    terms: tuple[str, ...]  # content terms, typos repaired
    last_prefix: str  # the last word as typed, for prefix matching while typing


def prepare(index: SearchIndex | None, query: str) -> TypedQuery:
    raws = [raw for raw, _, _ in tx.tokens(query)]
    out: list[str] = []
    last = ""
    for raw in raws:
        word = tx.normalize_word(raw)
        if not word or tx.is_stop(word):
            continue
        t = tx.term(raw)
        if index is not None and t not in index.term_ids and word not in index.vocab:
            fix = index.vocab.repair(word)
            if fix is not None:
                t = tx.term(fix)
        out.append(t)
        last = word
    return TypedQuery(norm_string(query), tuple(out), last)


def score_name(
    q: TypedQuery, name: Name, prefix: bool = False, ratio: float | None = None
) -> float:
    """0..1; 1.0 only for the exact name. `ratio`: fuzz.ratio of the norms, if computed."""
    if not q.norm:
        return 0.0
    if q.norm == name.norm:
        return EXACT
    best = 0.0
    qs = set(q.terms)
    if qs and name.terms:
        hit = qs & name.terms
        last = q.terms[-1] if q.terms else ""
        if (
            prefix
            and last
            and last not in name.terms
            and any(t.startswith(q.last_prefix[: len(t)]) or t.startswith(last) for t in name.terms)
        ):
            hit = hit | {last}
        if hit:
            q_cov = len(hit) / len(qs)
            t_cov = len(hit) / len(name.terms)
            best = (0.6 + 0.25 * t_cov + 0.1 * q_cov) if q_cov == 1.0 else 0.55 * q_cov * t_cov
    if prefix and name.norm.startswith(q.norm):
        best = max(best, 0.9 + 0.05 * len(q.norm) / max(len(name.norm), 1))
    ratio = (fuzz.ratio(q.norm, name.norm) if ratio is None else ratio) / 100.0
    best = max(best, 0.9 * ratio if ratio >= 0.75 else 0.6 * ratio)
    return min(best, 0.99)


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
        from bot.search.index import chunked_sorted

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


def best_names(
    index: SearchIndex | None,
    query: str,
    names: Sequence[Sequence[Name]] | NameIndex,
    prefix: bool = False,
) -> list[tuple[float, int]]:
    """(score, position) for entries of `names` (an entry has several names), best first."""
    q = prepare(index, query)
    if isinstance(names, NameIndex):
        positions: Iterable[int] = names.candidates(q, prefix)
        entries = names.names
    else:
        positions = range(len(names))
        entries = names
    if not q.norm:
        return []
    owners: list[int] = []
    flat: list[Name] = []
    for i in positions:
        for n in entries[i]:
            owners.append(i)
            flat.append(n)
    if not flat:
        return []
    # All character ratios in one C call instead of one Python call per name.
    ratios = process.cdist([q.norm], [n.norm for n in flat], scorer=fuzz.ratio, dtype=np.float64)[
        0
    ].tolist()
    best: dict[int, float] = {}
    for i, n, r in zip(owners, flat, ratios, strict=True):
        s = score_name(q, n, prefix, r)
        if s > best.get(i, 0.0):
            best[i] = s
    out = [(s, i) for i, s in best.items()]
    out.sort(key=lambda x: (-x[0], x[1]))
    return out
