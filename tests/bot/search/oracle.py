"""Plain reference versions of the search engine's fast calculations, to check them against.

Each function here is the calculation written the obvious way: over the text, over Python
dicts, one unit at a time. The engine computes the same with precomputed masks, numpy
arrays and memos; the tests compare the two on every query of the evaluation sets, so a fast
path that drifts from the plain one shows up as a failing test, not as a changed answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.search import tokens as tx
from bot.search.index import SearchIndex
from bot.search.passage import COUNT_WORDS, Concepts, is_yearish, states_figure
from bot.search.query import QueryPlan
from bot.search.rank import CANDIDATE_UNITS, SECOND_UNIT, TITLE_BOOST


def counts_concept(sentence: str, concepts: Concepts) -> bool:
    """Does a number stand right before a query word (`three Summit Meetings`, `860 people`)?"""
    toks = list(tx.tokens(sentence))
    starts = {t[0] for alts in concepts for t, _ in alts if t}
    for i, (raw, _, end) in enumerate(toks):
        if not (raw[-1].isdigit() or raw.lower() in COUNT_WORDS) or tx.is_year(raw):
            continue
        prev = end
        for nxt, start, nend in toks[i + 1 : i + 4]:
            if sentence[prev:start] not in (" ", "-"):
                break
            if tx.term(nxt) in starts:
                return True
            prev = nend
    return False


def sentence_scores(
    sentences: Sequence[str],
    concepts: Concepts,
    intent: str = "",
    anchors: Sequence[bool] = (),
) -> list[float]:
    """Per sentence: each concept's best alternative in it (plus 0.3 for each further one),
    summed; then one average concept more for each anchor concept (a month, a place, a
    figure) it holds; then the intent bonus for a date ("when") or a figure ("count")."""
    bonus = 0.0
    if concepts:
        bonus = sum(max((w for _, w in alts), default=0.0) for alts in concepts) / len(concepts)
    anchors = tuple(anchors) or (False,) * len(concepts)
    scores: list[float] = []
    for s in sentences:
        ts = set(tx.terms(s)) | {joined for *_, joined in tx.compounds(s)}
        score = 0.0
        held = []
        for alts, anchor in zip(concepts, anchors, strict=True):
            found = sorted((w for t, w in alts if all(p in ts for p in t)), reverse=True)
            if found:
                score += found[0] + 0.3 * sum(found[1:])
                held.append(anchor)
        for anchor in held:
            if anchor:
                score += bonus
        if score > 0 and (
            (intent == "when" and is_yearish(s)) or (intent == "count" and states_figure(s))
        ):
            score += max(0.5, bonus)
            if intent == "count" and counts_concept(s, concepts):
                score += bonus
        scores.append(score)
    return scores


def rank(
    index: SearchIndex, plan: QueryPlan, cap: int, limit: int = 5
) -> list[tuple[int, int, float]]:
    """(section, best unit, score) of the best `2 * limit` sections, as `rank.rank` ranks them,
    reading at most `cap` postings per term."""
    if not index.n_units or not plan.concepts:
        return []
    scores: dict[int, float] = {}
    for c in plan.concepts:
        best: dict[int, float] = {}
        for term_id, weight in c.alts:
            units, impacts = index.postings(term_id, cap)
            for u, imp in zip(units.tolist(), impacts.tolist(), strict=True):
                best[u] = max(best.get(u, 0.0), imp * weight)
        for u, v in best.items():
            scores[u] = scores.get(u, 0.0) + v
    top = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:CANDIDATE_UNITS]
    per_section: dict[int, list[tuple[float, int]]] = {}
    for u, score in top:
        share = _share(plan, set(index.unit_terms(u)))
        final = score * (0.35 + 0.65 * share * share)
        per_section.setdefault(index.unit_section[u], []).append((final, u))
    out = []
    for si, found in per_section.items():
        found.sort(reverse=True)
        score = found[0][0] + (SECOND_UNIT * found[1][0] if len(found) > 1 else 0.0)
        out.append((_plus_title(index, plan, si, score), si, found[0][1]))
    out.sort(key=lambda x: (-x[0], x[1]))
    return [(si, u, score) for score, si, u in out[: limit * 2]]


def _share(plan: QueryPlan, terms: set[int]) -> float:
    total = 0.0
    for c in plan.concepts:
        total += max((w for a, w in c.alts if a in terms), default=0.0)
    return min(1.0, total / len(plan.concepts))


def _plus_title(index: SearchIndex, plan: QueryPlan, si: int, score: float) -> float:
    a, b = index.title_off[si], index.title_off[si + 1]
    weights = dict(zip(index.title_tids[a:b], index.title_w[a:b], strict=True))
    for c in plan.concepts:
        found = [weights[t] * w * index.title_idf[t] for t, w in c.alts if t in weights]
        score += TITLE_BOOST * max(found, default=0.0)
    return score


def split(index: SearchIndex, word: str) -> tuple[str, str] | None:
    """The split of an unknown word into two known ones (`peacekeeping`): every cut tried
    left to right, the one whose shorter part is longest kept (the first of equals)."""
    ids = index.term_ids
    if len(word) < 6 or not word.isalpha() or tx.term(word) in ids:
        return None
    best, found = 0, None
    for i in range(2, len(word) - 2):
        left, right = word[:i], word[i:]
        if tx.is_stop(left) or tx.is_stop(right) or min(i, len(right)) <= best:
            continue
        if tx.term(left) in ids and tx.term(right) in ids:
            best, found = min(i, len(right)), (left, right)
    return found
