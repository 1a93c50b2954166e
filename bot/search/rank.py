"""Ranking: paragraph-level BM25 with concept coverage, grouped into sections.

A passage that mentions every concept of the query beats one that repeats a single word, so
scores are scaled by the share of concepts a passage covers; sections then take their best
passage plus a little for a second one, and a boost for matches in title, aliases and tags.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from typing import cast

import numpy as np

from bot.search.index import POSTING_CAP, SearchIndex
from bot.search.query import QueryPlan

CANDIDATE_UNITS = 60
TITLE_BOOST = 0.6
SECOND_UNIT = 0.15
# Up to this many postings to read, a query accumulates in a dict rather than numpy arrays.
SMALL_READS = 3000


@dataclass(frozen=True, slots=True)
class SectionHit:
    section: int  # index into SearchIndex.sections
    unit: int  # best passage
    score: float


def _weighted_share(plan: QueryPlan, terms: frozenset[int]) -> float:
    """Share of concepts a passage mentions, a synonym counting less than the word itself."""
    best = [0.0] * len(plan.concepts)
    by_term = plan.by_term
    # A passage holds few of the query's alternatives: intersect, then take each concept's best.
    for a in plan.term_set.intersection(terms):
        for i, w in by_term[a]:
            if w > best[i]:
                best[i] = w
    total = 0.0
    for v in best:  # in concept order, as the sum always was
        total += v
    return min(1.0, total / (len(plan.concepts) or 1))


def _plus_title_boost(index: SearchIndex, plan: QueryPlan, si: int, score: float) -> float:
    """`score` plus, per concept, its best match in the section's title, aliases or tags."""
    weights = index.title_weights(si)
    matched = plan.term_set.intersection(weights)
    if not matched:
        return score
    best = [0.0] * len(plan.concepts)
    title_idf, by_term = index.title_idf, plan.by_term
    for term_id in matched:
        fw = weights[term_id]
        for i, w in by_term[term_id]:
            v = fw * w * title_idf[term_id]
            if v > best[i]:
                best[i] = v
    for v in best:  # in concept order: the same sum, bit for bit, however the terms came
        score += TITLE_BOOST * v
    return score


def _title_matches(
    index: SearchIndex, plan: QueryPlan, sections: Container[int]
) -> dict[int, list[float]] | None:
    """Per candidate section with a query term in its title: each concept's best title
    match (the values `_plus_title_boost` adds), read from the index's title postings.
    None when the index keeps none (a large corpus): then ask per section."""
    postings = index.title_postings()
    if postings is None:
        return None
    out: dict[int, list[float]] = {}
    title_idf, by_term, n = index.title_idf, plan.by_term, len(plan.concepts)
    for term_id in postings.keys() & plan.term_set:
        alts = by_term[term_id]
        tidf = title_idf[term_id]
        for si, fw in postings[term_id]:
            if si not in sections:
                continue
            best = out.get(si)
            if best is None:
                best = out[si] = [0.0] * n
            for i, w in alts:
                v = fw * w * tidf
                if v > best[i]:
                    best[i] = v
    return out


def _accumulate(index: SearchIndex, plan: QueryPlan) -> np.ndarray:
    """Score of every unit (dense, float64): per concept its best alternative, summed.

    Dense arrays over all units cost a few microseconds per concept even at 50,000 sections,
    far less than a dict update per posting; posting lists are still read only up to
    `POSTING_CAP` entries, so the work per query stays bounded.
    """
    acc = np.zeros(index.n_units)
    scratch: np.ndarray | None = None
    for c in plan.concepts:
        if len(c.alts) == 1:
            units, impacts = index.postings(c.alts[0][0], POSTING_CAP)
            acc[units] += impacts.astype(np.float64) * c.alts[0][1]
            continue
        # A concept counts once per passage: its best alternative, not their sum.
        if scratch is None:
            scratch = np.zeros(index.n_units)
        seen = []
        for term_id, weight in c.alts:
            units, impacts = index.postings(term_id, POSTING_CAP)
            if len(units):
                scratch[units] = np.maximum(scratch[units], impacts.astype(np.float64) * weight)
                seen.append(units)
        if seen:
            touched = np.concatenate(seen)
            acc[touched] += scratch[touched]  # repeated units get the same value assigned
            scratch[touched] = 0.0
    return acc


def _alt_scores(
    index: SearchIndex, alts: tuple[tuple[int, float], ...]
) -> tuple[dict[int, float], dict[int, float]]:
    """One concept's part of a passage's score (its best alternative's weight × impact) and
    its best alternative's weight, per passage holding any alternative."""
    scores: dict[int, float] = {}
    weights: dict[int, float] = {}
    get, wget = scores.get, weights.get
    for term_id, weight in alts:
        units, impacts = index.postings(term_id, POSTING_CAP)
        ul = units.tolist()
        for u, imp in zip(ul, impacts.tolist(), strict=True):
            v = weight * imp
            if v > get(u, 0.0):
                scores[u] = v
        for u in ul:
            if weight > wget(u, 0.0):
                weights[u] = weight
    return scores, weights


# A concept's scores are kept per index when it touches at most this many passages: the
# same words come back query after query, and the bound keeps the cache small.
ALT_SCORES_UNITS = 256


def _concept_scores(
    index: SearchIndex, alts: tuple[tuple[int, float], ...]
) -> tuple[dict[int, float], dict[int, float]]:
    found = index.alt_scores.get(alts)
    if found is not None:
        return cast(tuple[dict[int, float], dict[int, float]], found)
    made = _alt_scores(index, alts)
    if len(made[1]) <= ALT_SCORES_UNITS:
        index.alt_scores.put(alts, made)
    return made


def _accumulate_small(
    index: SearchIndex, plan: QueryPlan, cover: dict[int, float] | None = None
) -> dict[int, float]:
    """The same scores as `_accumulate`, in a dict: cheaper when few postings are read.

    Each concept's scores come from `_concept_scores` and are added in concept order, as
    `_accumulate` adds them. With `cover`, also fills in each unit's summed concept weights
    (`_weighted_share`'s total, in the same order, so the same float).
    """
    acc: dict[int, float] = {}
    get = acc.get
    for c in plan.concepts:
        scores, weights = _concept_scores(index, c.alts)
        for u, v in scores.items():
            acc[u] = get(u, 0.0) + v
        if cover is not None:
            cover_get = cover.get
            for u, w in weights.items():
                cover[u] = cover_get(u, 0.0) + w
    return acc


def _top_units(
    index: SearchIndex, plan: QueryPlan
) -> tuple[list[tuple[int, float]], dict[int, float] | None]:
    """The `CANDIDATE_UNITS` best (unit, score), best first (ties: lower unit first), and,
    when every posting list was read whole, each unit's summed concept weights."""
    df = index.df
    reads = 0
    whole = True
    for c in plan.concepts:
        for t, _ in c.alts:
            n = df[t]
            if n > POSTING_CAP:
                n, whole = POSTING_CAP, False
            reads += n
    if reads <= SMALL_READS:
        # numpy's per-call overhead dominates on a small corpus: plain dicts are faster.
        cover: dict[int, float] | None = {} if whole else None
        small = _accumulate_small(index, plan, cover)
        items = list(small.items())
        if len(items) > CANDIDATE_UNITS:
            # Everything scoring at least the 60th best score (found in C), then the order;
            # the same as nsmallest by (-score, unit) without a Python key call per unit.
            vals = np.fromiter(small.values(), dtype=np.float64, count=len(items))
            kth = float(
                np.partition(vals, len(vals) - CANDIDATE_UNITS)[len(vals) - CANDIDATE_UNITS]
            )
            items = [kv for kv in items if kv[1] >= kth]
        items.sort(key=lambda kv: (-kv[1], kv[0]))
        return items[:CANDIDATE_UNITS], cover
    acc = _accumulate(index, plan)
    found_units = np.flatnonzero(acc)
    if len(found_units) > CANDIDATE_UNITS:
        # Everything above the 60th score, then the lowest units among those equal to it.
        vals = acc[found_units]
        kth = np.partition(vals, len(vals) - CANDIDATE_UNITS)[len(vals) - CANDIDATE_UNITS]
        above = found_units[vals > kth]
        tied = found_units[vals == kth][: CANDIDATE_UNITS - len(above)]
        found_units = np.sort(np.concatenate((above, tied)))
    pairs = zip(found_units.tolist(), acc[found_units].tolist(), strict=True)
    return sorted(pairs, key=lambda kv: -kv[1]), None


def rank(index: SearchIndex, plan: QueryPlan, limit: int = 5) -> list[SectionHit]:
    """The best `2 * limit` sections, best first: room for the caller's relevance filter."""
    if not index.n_units or not plan.concepts:
        return []
    top, cover = _top_units(index, plan)
    if not top:
        return []
    per_section: dict[int, list[tuple[float, int]]] = {}
    unit_section, unit_terms = index.unit_section, index.unit_term_set
    n_concepts = len(plan.concepts)
    for u, score in top:
        if cover is not None:
            share = min(1.0, cover[u] / n_concepts)
        else:
            share = _weighted_share(plan, unit_terms(u))
        final = score * (0.35 + 0.65 * share * share)
        per_section.setdefault(unit_section[u], []).append((final, u))
    titled = _title_matches(index, plan, per_section)
    scored: list[tuple[float, int, int]] = []
    for si, found in per_section.items():
        found.sort(reverse=True)
        score = found[0][0] + (SECOND_UNIT * found[1][0] if len(found) > 1 else 0.0)
        if titled is None:
            score = _plus_title_boost(index, plan, si, score)
        elif si in titled:
            for v in titled[si]:  # in concept order, as `_plus_title_boost` adds them
                score += TITLE_BOOST * v
        scored.append((score, si, found[0][1]))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [SectionHit(si, u, score) for score, si, u in scored[: max(limit, 1) * 2]]
