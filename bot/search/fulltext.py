"""/search: the best passages for a free-text query, grouped by section."""

from __future__ import annotations

from bot.search.answer import MAX_RESULTS, MAX_SUGGESTIONS, Answer, Result, decide_status
from bot.search.hits import Prepared, find_hits
from bot.search.index import SearchIndex
from bot.search.lookup import best_names
from bot.search.query import QueryError, check_query
from bot.search.rank import SectionHit

SUGGESTION_MIN = 0.45


def search(
    index: SearchIndex, query: str, limit: int = MAX_RESULTS, *, suggest: bool = True
) -> Answer:
    """Full-text search; status says whether the top passage clearly wins. `suggest`: look
    for titles like the query when nothing is found (/section has its own)."""
    try:
        text = check_query(query)
    except QueryError as exc:
        return Answer(query, "search", "error", message=str(exc))
    q = Prepared(index, text)
    hits = find_hits(q, limit)
    if not hits:
        unknown = [c.text for c in q.plan.concepts if not c.known]
        msg = "Nothing relevant found in the loaded documents."
        if unknown:
            msg += " Not in the text: " + ", ".join(unknown[:5]) + "."
        offered = suggestions(index, text) if suggest else ()
        return Answer(text, "search", "none", message=msg, suggestions=offered)
    status = decide_status([h.score for h in hits])
    return Answer(text, "search", status, tuple(_result(q, h) for h in hits), _unfound(q))


def _unfound(q: Prepared) -> str:
    """An answer that leaves out query words the text lacks says so: "Not in the text: govt"."""
    missing = [c.text for c in q.plan.content_concepts if not c.known and not c.phrasing]
    return "Not in the text: " + ", ".join(missing[:5]) + "." if missing else ""


def _result(q: Prepared, hit: SectionHit) -> Result:
    entry = q.index.sections[hit.section]
    return Result(
        document=entry.section.document_id,
        section_id=entry.section.id,
        title=entry.section.title,
        breadcrumb=entry.breadcrumb,
        score=hit.score,
        excerpt=q.excerpt(q.best_unit(hit)),
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
