"""The none decision: does a section answer the query, or is the topic simply not covered?

Counting matched words is not enough: in "japan italy relations" two of three words match
almost every Japan-X section, yet the query is about Italy. So the decision looks only at the
query's *topic* concepts: words that are neither Bluebook boilerplate (`japan`, `relations`,
`summit`, or any word in most passages of the loaded content) nor question phrasing (`big`,
`latest`). A section must mention enough of them, and a topic word that occurs nowhere in the
content (a name, a term the Bluebook never uses) may go unmatched at most once, however long
the query: "south china sea arbitration ruling" is not answered by "East China Sea".
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet

from bot.search.answer import required_matches
from bot.search.index import SearchIndex
from bot.search.query import Concept, QueryPlan

# A word in at least this share of the text units is boilerplate for this content.
COMMON_SHARE = 0.4
# Below this many units the share says nothing (a two-paragraph document).
COMMON_MIN_UNITS = 12


def _common(index: SearchIndex, c: Concept) -> bool:
    if not c.alts or index.n_units < COMMON_MIN_UNITS:
        return False
    term_id = c.alts[0][0]
    return index.df[term_id] >= COMMON_SHARE * index.n_units


def topic_concepts(index: SearchIndex, plan: QueryPlan) -> tuple[Concept, ...]:
    """The concepts that say what the query is about; all content concepts if none do."""
    content = [c for c in plan.content_concepts if not (c.phrasing and not c.known)]
    topic = [c for c in content if not c.generic and not c.phrasing and not _common(index, c)]
    return tuple(topic or content or plan.content_concepts)


def section_text(index: SearchIndex, si: int) -> str:
    entry = index.sections[si]
    s = entry.section
    parts = [s.title, *s.aliases, *s.paragraphs, *(n.text for n in s.footnotes), *s.captions]
    return "\n".join(parts)


def _matches(index: SearchIndex, c: Concept, terms: AbstractSet[int], si: int) -> bool:
    if not any(a in terms for a, _ in c.alts):
        return False
    if c.surface is not None:
        return c.surface.search(section_text(index, si)) is not None
    return True


def required_topic(n: int) -> int:
    """How many of `n` topic concepts a section must mention (the others may be phrasing)."""
    return n if n <= 2 else -(-n // 2)


def allowed_unknown(n_topic: int) -> int:
    """How many topic words absent from the whole content a query may still carry."""
    return max(1, n_topic // 4)


def is_relevant(
    index: SearchIndex, plan: QueryPlan, si: int, topic: Sequence[Concept] | None = None
) -> bool:
    """Does section `si` mention enough of what the query is about? A lone year never does."""
    terms = index.section_terms(si)
    if not plan.content_concepts:
        numbers = [c for c in plan.concepts if c.numeric]
        found = sum(1 for c in numbers if any(a in terms for a, _ in c.alts))
        n_nonyear = sum(1 for c in numbers if not c.year)
        return found >= max(1, -(-len(numbers) // 2)) and (n_nonyear > 0 or found == len(numbers))
    content = [c for c in plan.content_concepts if not (c.phrasing and not c.known)]
    if not content:
        content = list(plan.content_concepts)
    hit = {id(c) for c in content if _matches(index, c, terms, si)}
    # A boilerplate or phrasing word may help a section but never counts against it.
    soft_misses = sum(1 for c in content if id(c) not in hit and (c.generic or c.phrasing))
    if len(hit) < required_matches(len(content) - soft_misses):
        return False
    topic = topic if topic is not None else topic_concepts(index, plan)
    if sum(1 for c in topic if id(c) in hit or _matches(index, c, terms, si)) < required_topic(
        len(topic)
    ):
        return False
    unknown = sum(1 for c in topic if not c.known)
    return unknown <= allowed_unknown(len(topic))
