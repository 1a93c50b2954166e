"""Matching a typed name against section titles and aliases (and other short names).

Titles are short, so the score is about word coverage: every word the user typed should be in
the title (after typo repair and light stemming), and a title with fewer extra words wins
(`japan-russia relations` is the section of that name, not the longer titles starting with
it). A character-level ratio catches what word repair misses. Measured against rapidfuzz's
WRatio and token_set_ratio on the evaluation set, see docs/search.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz, process

from bot.search import tokens as tx
from bot.search.index import SearchIndex
from bot.search.names import Name, NameIndex, TypedQuery, norm_string

EXACT = 1.0


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
            if q_cov == 1.0:
                best = 0.6 + 0.25 * t_cov + 0.1 * q_cov
            elif t_cov == 1.0 and q_cov >= 0.5:  # the whole title and as much again
                best = 0.5 + 0.2 * q_cov  # (`ghana economy`): worth offering
            else:
                best = 0.55 * q_cov * t_cov
    if prefix and name.norm.startswith(q.norm):
        best = max(best, 0.9 + 0.05 * len(q.norm) / max(len(name.norm), 1))
    ratio = (fuzz.ratio(q.norm, name.norm) if ratio is None else ratio) / 100.0
    best = max(best, 0.9 * ratio if ratio >= 0.75 else 0.6 * ratio)
    return min(best, 0.99)


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
