"""/search: the best passages for a free-text query, grouped by section."""

from __future__ import annotations

from bot.search.answer import MAX_RESULTS, MAX_SUGGESTIONS, Answer, Result, decide_status
from bot.search.excerpt import build_excerpt
from bot.search.index import SearchIndex
from bot.search.lookup import best_names
from bot.search.query import QueryError, QueryPlan, check_query, plan_query
from bot.search.rank import SectionHit, rank
from bot.search.relevance import is_relevant, topic_concepts

SUGGESTION_MIN = 0.45


def excerpt_for(index: SearchIndex, plan: QueryPlan, unit: int) -> str:
    concepts = []
    for c in plan.concepts:
        if not c.alts:
            continue
        concepts.append([(tuple(index.terms[a].split("_")), index.idf[a] * w) for a, w in c.alts])
    return build_excerpt(index.unit_text(unit), concepts, plan.highlight, plan.intent)


def to_result(index: SearchIndex, plan: QueryPlan, hit: SectionHit) -> Result:
    entry = index.sections[hit.section]
    return Result(
        document=entry.section.document_id,
        section_id=entry.section.id,
        title=entry.section.title,
        breadcrumb=entry.breadcrumb,
        score=hit.score,
        excerpt=excerpt_for(index, plan, hit.unit),
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


def hits_for(index: SearchIndex, plan: QueryPlan, limit: int = MAX_RESULTS) -> list[SectionHit]:
    topic = topic_concepts(index, plan)
    ranked = rank(index, plan, limit)
    return [h for h in ranked if is_relevant(index, plan, h.section, topic)][:limit]


def search(index: SearchIndex, query: str, limit: int = MAX_RESULTS) -> Answer:
    """Full-text search; status says whether the top passage clearly wins."""
    try:
        q = check_query(query)
    except QueryError as exc:
        return Answer(query, "search", "error", message=str(exc))
    plan = plan_query(index, q)
    hits = hits_for(index, plan, limit)
    if not hits:
        unknown = [c.text for c in plan.concepts if not c.known]
        msg = "Nothing relevant found in the loaded documents."
        if unknown:
            msg += " Not in the text: " + ", ".join(unknown[:5]) + "."
        return Answer(q, "search", "none", message=msg, suggestions=suggestions(index, q))
    status = decide_status([h.score for h in hits])
    results = tuple(to_result(index, plan, h) for h in hits)
    return Answer(q, "search", status, results)
