"""Ranking: paragraph-level BM25 with concept coverage, grouped into sections.

A passage that mentions every concept of the query beats one that repeats a single word, so
scores are scaled by the share of concepts a passage covers; sections then take their best
passage plus a little for a second one, and a boost for matches in title, aliases and tags.
Scores are summed concept by concept, in the plan's order, so every path to a score adds the
same floats in the same order (tests/bot/search/oracle.py holds the plain version).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

import numpy as np

from bot.search.index import POSTING_CAP, UNIT_MEMO, SearchIndex
from bot.search.memo import MemoPerOwner
from bot.search.query import Concept, QueryPlan

CANDIDATE_UNITS = 60
TITLE_BOOST = 0.6
SECOND_UNIT = 0.15


class SectionHit(NamedTuple):
    """A section that answers, with its best passage (a tuple: ranking makes ten a query)."""

    section: int  # index into SearchIndex.sections
    unit: int  # best passage
    score: float


def rank(index: SearchIndex, plan: QueryPlan, limit: int = 5) -> list[SectionHit]:
    """The best `2 * limit` sections, best first: room for the caller's relevance filter."""
    if not index.n_units or not plan.concepts:
        return []
    acc, cover = _accumulate(index, plan)
    units = _top_units(acc)
    candidates = units.tolist()  # a few dozen: plain floats beat numpy's per-call cost
    factors = _factors(index, plan, candidates, None if cover is None else cover[units])
    # Per section its best (score, unit) and the best score of the rest.
    best: dict[int, tuple[float, int]] = {}
    second: dict[int, float] = {}
    unit_section = index.unit_section
    for u, score, factor in zip(candidates, acc[units].tolist(), factors, strict=True):
        si, found = unit_section[u], (score * factor, u)
        top = best.get(si)
        if top is None:
            best[si] = found
        elif found > top:
            best[si], second[si] = found, top[0]
        elif found[0] > second.get(si, -1.0):
            second[si] = found[0]
    scored: list[tuple[float, int, int]] = []
    for si, (score, u) in best.items():
        runner_up = second.get(si)
        score += SECOND_UNIT * runner_up if runner_up is not None else 0.0
        scored.append((plus_title_boost(index, plan, si, score), si, u))
    scored.sort(key=itemgetter(1))
    scored.sort(key=itemgetter(0), reverse=True)  # best first; stable, so ties by section
    return [SectionHit(si, u, score) for score, si, u in scored[: max(limit, 1) * 2]]


def _factors(
    index: SearchIndex, plan: QueryPlan, units: list[int], cover: np.ndarray | None
) -> list[float]:
    """Per candidate, 0.35 + 0.65 x share², share: the weighted share of concepts it
    mentions, a synonym counting less than the word itself (`weighted_share`). From the
    units' summed weights (`cover`) when every list was read whole, else from the unit's own
    terms (a list cut at the cap cannot say that a unit holds a term)."""
    if cover is not None:
        n = len(plan.concepts)
        out = []
        for c in cover.tolist():
            share = min(1.0, c / n)
            out.append(0.35 + 0.65 * share * share)
        return out
    out = []
    factors: dict[frozenset[int], float] = {}  # most candidates hold one of a few term sets
    term_set, unit_sets = plan.term_set, index.unit_sets
    for u in units:
        # A kept set is intersected over the query's few terms; else the unit's term array is
        # read once, cheaper than making the set (a large corpus keeps few of them).
        kept = unit_sets.get(u)
        if kept is not None:
            held = frozenset(kept & term_set)
        else:
            held = term_set.intersection(index.unit_terms(u))
        factor = factors.get(held)
        if factor is None:
            share = weighted_share(plan, held)
            factor = factors[held] = 0.35 + 0.65 * share * share
        out.append(factor)
    return out


def _accumulate(index: SearchIndex, plan: QueryPlan) -> tuple[np.ndarray, np.ndarray | None]:
    """(score, cover) of every unit, dense: per concept its best alternative's impact x
    weight, and its best weight, summed in concept order; `cover` is None when a posting
    list was cut at the cap.

    One `bincount` over the concepts' units end to end adds each unit's values in concept
    order, as a loop would, in a few numpy calls whatever the number of concepts; posting
    lists are read only up to `POSTING_CAP` entries, so the work per query stays bounded.
    """
    contributions, cap, n = _contributions(index), POSTING_CAP, index.n_units
    found = [contributions[cap, c.alts] for c in plan.concepts]
    units = np.concatenate([f.units for f in found])
    acc = np.bincount(units, np.concatenate([f.scores for f in found]), minlength=n)
    if not all(f.whole for f in found):
        return acc, None
    return acc, np.bincount(units, np.concatenate([f.weights for f in found]), minlength=n)


Alternatives = tuple[tuple[int, float], ...]


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one concept adds, its posting lists read up to a cap: per unit that holds an
    alternative (each unit once, as numpy's index type: an int32 index costs a conversion per
    use), the best alternative's impact x weight (`scores`) and the best weight (`weights`);
    `whole`: no list was cut, so these are all the units."""

    units: np.ndarray
    scores: np.ndarray
    weights: np.ndarray
    whole: bool


def _contribution(index: SearchIndex, key: tuple[int, Alternatives]) -> Contribution:
    cap, alts = key
    whole = all(index.df[t] <= cap for t, _ in alts)
    if len(alts) == 1:
        units, impacts = index.postings(alts[0][0], cap)
        scores = np.multiply(impacts, alts[0][1], dtype=np.float64)
        return Contribution(units.astype(np.intp), scores, np.full(len(units), alts[0][1]), whole)
    best = np.zeros(index.n_units)
    best_weight = np.zeros(index.n_units)
    held = np.zeros(index.n_units, dtype=bool)
    for term_id, weight in alts:
        units, impacts = index.postings(term_id, cap)
        best[units] = np.maximum(best[units], np.multiply(impacts, weight, dtype=np.float64))
        best_weight[units] = np.maximum(best_weight[units], weight)
        held[units] = True
    found = np.flatnonzero(held)  # already np.intp
    return Contribution(found, best[found], best_weight[found], whole)


# Words recur from query to query (`russia`, `trade`, their spelling variants): what a
# concept adds to the units' scores is worked out once per index, like the index's memos. A
# corpus the unit memo holds whole keeps one per content word (filled by the build); a large
# one keeps the recent ones (at 50,000 sections 1,000 queries keep 646 of them, 18 MB).
CONCEPT_MEMO = 4096
LARGE_CONCEPT_MEMO = 1024
_contributions: MemoPerOwner[SearchIndex, tuple[int, Alternatives], Contribution] = MemoPerOwner(
    lambda index: CONCEPT_MEMO if index.n_units <= UNIT_MEMO else LARGE_CONCEPT_MEMO,
    _contribution,
)


def fill_contributions(index: SearchIndex, concepts: Iterable[Concept]) -> None:
    """Work out what each of `concepts` adds now, when the memo holds them all (the build
    passes the content words' concepts), so the first query is not the slow one."""
    memo = _contributions(index)
    keys = [(POSTING_CAP, c.alts) for c in concepts]
    if len(keys) <= memo.size:
        memo.fill(keys)


def _top_units(acc: np.ndarray) -> np.ndarray:
    """The `CANDIDATE_UNITS` units of best score in `acc`, in unit order (`rank` orders
    what it keeps); of those tied with the last one kept, the lower units."""
    found = acc.nonzero()[0]  # ascending units
    if len(found) <= CANDIDATE_UNITS:
        return found
    vals = acc[found]
    # Everything above the 60th score, then the lowest units among those equal to it.
    kth = np.partition(vals, len(vals) - CANDIDATE_UNITS)[len(vals) - CANDIDATE_UNITS]
    above = vals > kth
    tied = np.flatnonzero(vals == kth)[: CANDIDATE_UNITS - int(np.count_nonzero(above))]
    return found[np.sort(np.concatenate((np.flatnonzero(above), tied)))]


def weighted_share(plan: QueryPlan, held: frozenset[int]) -> float:
    """Share of concepts a passage mentions, a synonym counting less than the word itself;
    `held`: the query's term ids the passage holds."""
    best = [0.0] * len(plan.concepts)
    by_term = plan.by_term
    for a in held:
        for i, w in by_term[a]:
            if w > best[i]:
                best[i] = w
    total = 0.0
    for v in best:
        total += v
    return min(1.0, total / (len(plan.concepts) or 1))


def plus_title_boost(index: SearchIndex, plan: QueryPlan, si: int, score: float) -> float:
    """`score` plus, per concept in order, its best match in the section's title, aliases or
    tags (field weight x alternative weight x the term's title idf)."""
    weights = index.title_maps.get(si)
    if weights is None:  # not kept: most candidate titles hold no query word, so look first
        a, b = index.title_off[si], index.title_off[si + 1]
        if plan.term_set.isdisjoint(index.title_tids[a:b]):
            return score
        weights = index.title_maps[si]
    elif plan.term_set.isdisjoint(weights):
        return score
    best = [0.0] * len(plan.concepts)
    title_idf, by_term = index.title_idf, plan.by_term
    for term_id in plan.term_set.intersection(weights):
        fw = weights[term_id]
        for i, w in by_term[term_id]:
            v = fw * w * title_idf[term_id]
            if v > best[i]:
                best[i] = v
    for v in best:
        score += TITLE_BOOST * v
    return score
