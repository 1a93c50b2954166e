"""Ranking: paragraph-level BM25 with concept coverage, grouped into sections.

A passage that mentions every concept of the query beats one that repeats a single word, so
scores are scaled by the share of concepts a passage covers; sections then take their best
passage plus a little for a second one, and a boost for matches in title, aliases and tags.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np

from bot.search.answer import required_matches
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
    covered: int  # content concepts mentioned anywhere in the section
    relevant: bool


def _weighted_share(plan: QueryPlan, terms: Iterable[int]) -> float:
    """Share of concepts a passage mentions, a synonym counting less than the word itself."""
    tset = terms if isinstance(terms, AbstractSet) else set(terms)
    best = [0.0] * len(plan.concepts)
    by_term = plan.by_term
    # A passage holds few of the query's alternatives: intersect, then take each concept's best.
    for a in plan.term_set.intersection(tset):
        for i, w in by_term[a]:
            if w > best[i]:
                best[i] = w
    total = 0.0
    for v in best:  # in concept order, as the sum always was
        total += v
    return min(1.0, total / (len(plan.concepts) or 1))


def _coverage(plan: QueryPlan, terms: AbstractSet[int]) -> tuple[int, int]:
    """(content concepts matched, number concepts matched) in a set of term ids."""
    tset = terms
    content = numbers = 0
    for c in plan.concepts:
        if any(a in tset for a, _ in c.alts):
            if c.numeric:
                numbers += 1
            else:
                content += 1
    return content, numbers


def is_relevant(index: SearchIndex, plan: QueryPlan, si: int) -> tuple[bool, int]:
    """Does section `si` answer enough of the query? A lone year never suffices."""
    content, numbers = _coverage(plan, index.section_terms(si))
    n_content = len(plan.content_concepts)
    if n_content == 0:
        n_nonyear = sum(1 for c in plan.concepts if c.numeric and not c.year)
        ok = numbers >= max(1, -(-len(plan.concepts) // 2)) and (
            n_nonyear > 0 or numbers == len(plan.concepts)
        )
        return ok, 0
    return content >= required_matches(n_content), content


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


def _accumulate_small(index: SearchIndex, plan: QueryPlan) -> dict[int, float]:
    """The same scores as `_accumulate`, in a dict: cheaper when few postings are read."""
    acc: dict[int, float] = {}
    get = acc.get
    for c in plan.concepts:
        cacc: dict[int, float] = acc if len(c.alts) == 1 else {}
        cget = cacc.get
        for term_id, weight in c.alts:
            units, impacts = index.postings(term_id, POSTING_CAP)
            pairs = zip(units.tolist(), impacts.tolist(), strict=True)
            if cacc is acc:
                for u, imp in pairs:
                    acc[u] = get(u, 0.0) + weight * imp
            else:
                for u, imp in pairs:
                    v = weight * imp
                    if v > cget(u, 0.0):
                        cacc[u] = v
        if cacc is not acc:
            for u, v in cacc.items():
                acc[u] = get(u, 0.0) + v
    return acc


def _top_units(index: SearchIndex, plan: QueryPlan) -> list[tuple[int, float]]:
    """The `CANDIDATE_UNITS` best (unit, score), best first (ties: lower unit first)."""
    df = index.df
    reads = sum(min(df[t], POSTING_CAP) for c in plan.concepts for t, _ in c.alts)
    if reads <= SMALL_READS:
        # numpy's per-call overhead dominates on a small corpus: plain dicts are faster.
        small = _accumulate_small(index, plan)
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
        return items[:CANDIDATE_UNITS]
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
    return sorted(pairs, key=lambda kv: -kv[1])


def rank(index: SearchIndex, plan: QueryPlan, limit: int = 5) -> list[SectionHit]:
    if not index.n_units or not plan.concepts:
        return []
    top = _top_units(index, plan)
    if not top:
        return []
    per_section: dict[int, list[tuple[float, int]]] = {}
    for u, score in top:
        share = _weighted_share(plan, index.unit_term_set(u))
        final = score * (0.35 + 0.65 * share * share)
        per_section.setdefault(index.unit_section[u], []).append((final, u))
    scored: list[tuple[float, int, int]] = []
    title_idf = index.title_idf
    title_off, title_tids, title_w = index.title_off, index.title_tids, index.title_w
    by_term, n_concepts = plan.by_term, len(plan.concepts)
    for si, found in per_section.items():
        found.sort(reverse=True)
        score = found[0][0] + (SECOND_UNIT * found[1][0] if len(found) > 1 else 0.0)
        a, b = title_off[si], title_off[si + 1]
        if a != b:
            best = [0.0] * n_concepts
            for term_id, fw in zip(title_tids[a:b], title_w[a:b], strict=True):
                for i, w in by_term.get(term_id, ()):
                    v = fw * w * title_idf[term_id]
                    if v > best[i]:
                        best[i] = v
            for v in best:
                score += TITLE_BOOST * v
        scored.append((score, si, found[0][1]))
    scored.sort(key=lambda x: (-x[0], x[1]))
    hits: list[SectionHit] = []
    for score, si, u in scored[: max(limit, 1) * 2]:
        relevant, covered = is_relevant(index, plan, si)
        hits.append(SectionHit(si, u, score, covered, relevant))
    return hits
