"""/search: the best passages for a free-text query, grouped by section."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from typing import cast

from bot.search import tokens as tx
from bot.search.answer import MAX_RESULTS, MAX_SUGGESTIONS, Answer, Result, decide_status
from bot.search.excerpt import Scorer, excerpt_of
from bot.search.index import SearchIndex
from bot.search.lookup import best_names
from bot.search.query import W_EXACT, QueryError, QueryPlan, check_query, plan_query
from bot.search.rank import SectionHit, rank
from bot.search.relevance import Relevance

SUGGESTION_MIN = 0.45


MAX_UNITS_COMPARED = 40
GENERIC_SCALE = 0.4


def excerpt_concepts(
    index: SearchIndex, plan: QueryPlan
) -> list[list[tuple[tuple[str, ...], float]]]:
    """Each concept's alternatives as (terms, weight) for scoring sentences.

    A derived form never outweighs the word itself (`japanese` is rarer than `japan`, not a
    better match for it), and boilerplate or phrasing words (`state`, `relations`) count
    less than the words that name the topic.
    """
    concepts = []
    for c in plan.concepts:
        if not c.alts:
            continue
        exact = max((index.idf[a] for a, w in c.alts if w >= W_EXACT), default=None)
        scale = GENERIC_SCALE if (c.generic or c.phrasing) else 1.0
        alts = []
        for a, w in c.alts:
            weight = index.idf[a] * w
            if exact is not None and w < W_EXACT:
                weight = min(weight, exact * w)
            alts.append((tuple(index.terms[a].split("_")), weight * scale))
        concepts.append(alts)
    return concepts


@dataclass(frozen=True, slots=True)
class Prepared:
    """Everything about a query that depends only on the index and the query text.

    Kept per index in a bounded LRU (`index.query_cache`): the same questions come back
    (every user asks about the same summit), and planning one is a good share of answering it.
    """

    plan: QueryPlan
    scorer: Scorer  # the concepts as weighted term alternatives, for sentence scores
    wanted: frozenset[int]  # every alternative's term id
    relevant: Relevance  # the none decision, per section


def prepare(index: SearchIndex, query: str) -> Prepared:
    """The (cached) plan and scoring inputs of a checked query."""

    def make() -> Prepared:
        plan = plan_query(index, query)
        return Prepared(
            plan,
            Scorer(excerpt_concepts(index, plan), plan.intent),
            frozenset(a for c in plan.concepts for a, _ in c.alts),
            Relevance(index, plan),
        )

    return cast(Prepared, index.query_cache.get_or_make(("search", query), make))


class Passages:
    """Sentence scores of the passages one query looks at, each worked out once per query.

    Choosing the passage (`best_unit`), the count boost and the excerpt all score the same
    passages; the per-passage analysis itself is cached across queries (`excerpt.analyse`).
    """

    __slots__ = ("_index", "_scorer", "_scores")

    def __init__(self, index: SearchIndex, scorer: Scorer) -> None:
        self._index = index
        self._scorer = scorer
        self._scores: dict[int, list[float]] = {}

    def scores(self, u: int) -> list[float]:
        found = self._scores.get(u)
        if found is None:
            found = self._scores[u] = self._index.passage(u).scores(self._scorer)
        return found

    def best(self, u: int) -> float:
        return max(self.scores(u))


def excerpt_for(index: SearchIndex, q: Prepared, unit: int, passages: Passages) -> str:
    return excerpt_of(index.passage(unit), q.scorer, q.plan.highlight, scores=passages.scores(unit))


def best_unit(index: SearchIndex, q: Prepared, hit: SectionHit, passages: Passages) -> int:
    """The passage of the hit's section whose best sentence answers the query best.

    Ranking picks a section by its passages' BM25 scores; the excerpt should come from the
    passage that holds the answer, which for "how much did trade drop" is the one with the
    figure, not the one that says "bilateral trade" twice.
    """
    entry = index.sections[hit.section]
    wanted = q.wanted
    units = [
        u
        for u in range(entry.unit_start, entry.unit_end)
        if u == hit.unit or not wanted.isdisjoint(index.unit_term_set(u))
    ][:MAX_UNITS_COMPARED]
    if len(units) <= 1:
        return hit.unit
    best, best_score = hit.unit, passages.best(hit.unit)
    for u in units:
        if u == hit.unit:
            continue
        score = passages.best(u)
        if score > best_score * 1.05:
            best, best_score = u, score
    return best


def to_result(index: SearchIndex, q: Prepared, hit: SectionHit, passages: Passages) -> Result:
    entry = index.sections[hit.section]
    return Result(
        document=entry.section.document_id,
        section_id=entry.section.id,
        title=entry.section.title,
        breadcrumb=entry.breadcrumb,
        score=hit.score,
        excerpt=excerpt_for(index, q, best_unit(index, q, hit, passages), passages),
    )


def suggestions(index: SearchIndex, query: str) -> tuple[str, ...]:
    """Up to three section titles that look like the query, for a 'nothing found' reply."""
    ranked = best_names(index, query, index.name_index)
    out: list[str] = []
    for score, i in ranked:
        if score < SUGGESTION_MIN or len(out) >= MAX_SUGGESTIONS:
            break
        title = index.sections[i].section.title
        if title not in out:
            out.append(title)
    return tuple(out)


DEFINITION_SCAN = 200  # passages read to find where an abbreviation is spelled out
DEFINITION_WIN = 1.3


def definition_hit(index: SearchIndex, plan: QueryPlan, top: float) -> SectionHit | None:
    """For "what is the SPA": the passage that spells the abbreviation out, `Long Form (SPA)`.

    A section that merely uses the abbreviation may rank higher by BM25, but the user asked
    what it stands for. Only for a one-word definition question about a known abbreviation.
    """
    content = plan.content_concepts
    if plan.intent != "define" or len(content) != 1 or not content[0].alts:
        return None
    short = content[0].text
    if tx.fold(short) not in index.abbreviations:
        return None
    term_id = index.term_ids.get(tx.term(short))
    if term_id is None:
        return None
    spelled = re.compile(rf"\(\s*{re.escape(short)}\s*\)", re.IGNORECASE)
    units, _ = index.postings(term_id, DEFINITION_SCAN)
    for u in sorted(int(x) for x in units):
        if spelled.search(index.unit_text(u)):
            si = index.unit_section[u]
            # it clearly wins: the others only use the abbreviation
            return SectionHit(si, u, top * DEFINITION_WIN)
    return None


COUNTED_BOOST = 0.3


def counted_first(
    index: SearchIndex, q: Prepared, hits: list[SectionHit], passages: Passages
) -> list[SectionHit]:
    """For "how many X": sections whose passage counts X (`three Summit Meetings`) move up.

    BM25 cannot see that a number stands before the word; the answer to the question is
    exactly that sentence.
    """
    out = []
    for h in hits:
        u = best_unit(index, q, h, passages)
        counted = index.passage(u).counts(q.scorer)
        score = h.score * (1 + COUNTED_BOOST) if counted else h.score
        out.append(SectionHit(h.section, u, score))
    out.sort(key=lambda h: -h.score)
    return out


def hits_for(
    index: SearchIndex, q: Prepared, limit: int = MAX_RESULTS, passages: Passages | None = None
) -> list[SectionHit]:
    plan = q.plan
    ranked = rank(index, plan, limit)
    relevant = q.relevant
    hits = list(islice((h for h in ranked if relevant(index, h.section)), limit))
    if plan.intent == "count" and len(hits) > 1:
        hits = counted_first(index, q, hits, passages or Passages(index, q.scorer))
    if hits:
        first = definition_hit(index, plan, hits[0].score)
        if first is not None:
            rest = [h for h in hits if h.section != first.section]
            hits = [first, *rest][:limit]
    return hits


def search(index: SearchIndex, query: str, limit: int = MAX_RESULTS) -> Answer:
    """Full-text search; status says whether the top passage clearly wins."""
    try:
        text = check_query(query)
    except QueryError as exc:
        return Answer(query, "search", "error", message=str(exc))
    q = prepare(index, text)
    passages = Passages(index, q.scorer)
    hits = hits_for(index, q, limit, passages)
    if not hits:
        unknown = [c.text for c in q.plan.concepts if not c.known]
        msg = "Nothing relevant found in the loaded documents."
        if unknown:
            msg += " Not in the text: " + ", ".join(unknown[:5]) + "."
        return Answer(text, "search", "none", message=msg, suggestions=suggestions(index, text))
    status = decide_status([h.score for h in hits])
    results = tuple(to_result(index, q, h, passages) for h in hits)
    return Answer(text, "search", status, results)
