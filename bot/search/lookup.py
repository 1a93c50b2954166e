"""Matching a typed name against section titles and aliases (and other short names).

Titles are short, so the score is about word coverage: every word the user typed should be in
the title (after typo repair and light stemming), and a title with fewer extra words wins
(`japan-russia relations` is the section of that name, not the longer titles starting with
it). A character-level ratio catches what word repair misses. Measured against rapidfuzz's
WRatio and token_set_ratio on the evaluation set, see docs/search.md.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.search import text as tx
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


def score_name(q: TypedQuery, name: Name, prefix: bool = False) -> float:
    """0..1; 1.0 only for the exact name."""
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
    ratio = fuzz.ratio(q.norm, name.norm) / 100.0
    best = max(best, 0.9 * ratio if ratio >= 0.75 else 0.6 * ratio)
    return min(best, 0.99)


class NameIndex:
    """Inverted index over names, so a lookup scores a few candidates, not every name."""

    CANDIDATES = 300
    COMPLETIONS = 64

    def __init__(self, names: Sequence[Sequence[Name]]) -> None:
        self.names = names
        post: dict[str, list[int]] = {}
        for i, entry in enumerate(names):
            for t in {t for n in entry for t in n.terms}:
                post.setdefault(t, []).append(i)
        self.post = post
        self.sorted_terms = sorted(post)
        self.norms = [entry[0].norm if entry else "" for entry in names]

    def candidates(self, q: TypedQuery, prefix: bool) -> list[int]:
        hits: Counter[int] = Counter()
        for t in set(q.terms):
            hits.update(self.post.get(t, ()))
        if prefix and q.last_prefix:
            start = bisect.bisect_left(self.sorted_terms, q.last_prefix[:4])
            for t in self.sorted_terms[start : start + self.COMPLETIONS]:
                if not t.startswith(q.last_prefix[:4]):
                    break
                hits.update(self.post[t])
        if not hits:
            found = process.extract(
                q.norm, self.norms, scorer=fuzz.ratio, limit=10, score_cutoff=60
            )
            return [int(i) for _, _, i in found]
        return [i for i, _ in hits.most_common(self.CANDIDATES)]


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
    out = []
    for i in positions:
        s = max((score_name(q, n, prefix) for n in entries[i]), default=0.0)
        if s > 0:
            out.append((s, i))
    out.sort(key=lambda x: (-x[0], x[1]))
    return out
