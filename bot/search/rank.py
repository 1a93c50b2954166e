"""Ranking: paragraph-level BM25 with concept coverage, grouped into sections.

A passage that mentions every concept of the query beats one that repeats a single word, so
scores are scaled by the share of concepts a passage covers; sections then take their best
passage plus a little for a second one, and a boost for matches in title, aliases and tags.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass

from bot.search.answer import required_matches
from bot.search.index import POSTING_CAP, SearchIndex
from bot.search.query import QueryPlan

CANDIDATE_UNITS = 60
TITLE_BOOST = 0.6
SECOND_UNIT = 0.15


@dataclass(frozen=True, slots=True)
class SectionHit:
    section: int  # index into SearchIndex.sections
    unit: int  # best passage
    score: float
    covered: int  # content concepts mentioned anywhere in the section
    relevant: bool


def _weighted_share(plan: QueryPlan, terms: Iterable[int]) -> float:
    """Share of concepts a passage mentions, a synonym counting less than the word itself."""
    tset = set(terms)
    total = 0.0
    for c in plan.concepts:
        total += max((w for a, w in c.alts if a in tset), default=0.0)
    return min(1.0, total / (len(plan.concepts) or 1))


def _coverage(plan: QueryPlan, terms: set[int]) -> tuple[int, int]:
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


def rank(index: SearchIndex, plan: QueryPlan, limit: int = 5) -> list[SectionHit]:
    acc: dict[int, float] = {}
    get = acc.get
    for c in plan.concepts:
        if len(c.alts) == 1:
            cacc: dict[int, float] = acc
        else:
            # A concept counts once per passage: its best alternative, not their sum.
            cacc = {}
        cget = cacc.get
        for term_id, weight in c.alts:
            units = index.post_units[term_id]
            impacts = index.post_impacts[term_id]
            if len(units) > POSTING_CAP:
                units, impacts = units[:POSTING_CAP], impacts[:POSTING_CAP]
            if cacc is acc:
                for u, imp in zip(units, impacts, strict=True):
                    acc[u] = get(u, 0.0) + weight * imp
            else:
                for u, imp in zip(units, impacts, strict=True):
                    v = weight * imp
                    if v > cget(u, 0.0):
                        cacc[u] = v
        if cacc is not acc:
            for u, v in cacc.items():
                acc[u] = get(u, 0.0) + v
    if not acc:
        return []
    top = heapq.nlargest(CANDIDATE_UNITS, acc.items(), key=lambda kv: kv[1])
    per_section: dict[int, list[tuple[float, int]]] = {}
    for u, score in top:
        share = _weighted_share(plan, index.unit_terms[u])
        final = score * (0.35 + 0.65 * share * share)
        per_section.setdefault(index.unit_section[u], []).append((final, u))
    scored: list[tuple[float, int, int]] = []
    for si, found in per_section.items():
        found.sort(reverse=True)
        score = found[0][0] + (SECOND_UNIT * found[1][0] if len(found) > 1 else 0.0)
        weights = index.title_terms.get(si, {})
        if weights:
            for c in plan.concepts:
                best = 0.0
                for term_id, w in c.alts:
                    fw = weights.get(term_id)
                    if fw:
                        best = max(best, fw * w * index.title_idf.get(term_id, 1.0))
                score += TITLE_BOOST * best
        scored.append((score, si, found[0][1]))
    scored.sort(key=lambda x: (-x[0], x[1]))
    hits: list[SectionHit] = []
    for score, si, u in scored[: max(limit, 1) * 2]:
        relevant, covered = is_relevant(index, plan, si)
        hits.append(SectionHit(si, u, score, covered, relevant))
    return hits
