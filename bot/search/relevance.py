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


def required_topic(n: int) -> int:
    """How many of `n` topic concepts a section must mention (the others may be phrasing)."""
    return n if n <= 2 else -(-n // 2)


def allowed_unknown(n_topic: int) -> int:
    """How many topic words absent from the whole content a query may still carry."""
    return max(1, n_topic // 4)


class Relevance:
    """The none decision for one query, worked out once per query and asked per section."""

    __slots__ = ("_content", "_need_topic", "_numbers", "_possible", "_topic_rest")

    def __init__(
        self, index: SearchIndex, plan: QueryPlan, topic: Sequence[Concept] | None = None
    ) -> None:
        self._numbers: tuple[tuple[frozenset[int], bool], ...] | None = None
        if not plan.content_concepts:
            self._numbers = tuple(
                (frozenset(a for a, _ in c.alts), c.year) for c in plan.concepts if c.numeric
            )
        content = [c for c in plan.content_concepts if not (c.phrasing and not c.known)]
        if not content:
            content = list(plan.content_concepts)
        topic = topic if topic is not None else topic_concepts(index, plan)
        in_topic = {id(c) for c in topic}
        # (concept, soft: may be missed freely, counts for the topic)
        self._content = tuple((c, c.generic or c.phrasing, id(c) in in_topic) for c in content)
        in_content = {id(c) for c in content}
        self._topic_rest = tuple(c for c in topic if id(c) not in in_content)
        self._need_topic = required_topic(len(topic))
        unknown = sum(1 for c in topic if not c.known)
        self._possible = unknown <= allowed_unknown(len(topic))

    def __call__(self, index: SearchIndex, si: int) -> bool:
        """Does section `si` mention enough of what the query is about? A lone year never does."""
        terms = index.section_sets[si]
        if self._numbers is not None:
            numbers = self._numbers
            found = sum(1 for alts, _ in numbers if not alts.isdisjoint(terms))
            n_nonyear = sum(1 for _, year in numbers if not year)
            return found >= max(1, -(-len(numbers) // 2)) and (
                n_nonyear > 0 or found == len(numbers)
            )
        if not self._possible:
            return False
        hits = soft_misses = topic_hits = 0
        for c, soft, topical in self._content:
            if _mentions(index, si, terms, c):
                hits += 1
                topic_hits += topical
            elif soft:
                soft_misses += 1
        if hits < required_matches(len(self._content) - soft_misses):
            return False
        topic_hits += sum(1 for c in self._topic_rest if _mentions(index, si, terms, c))
        return topic_hits >= self._need_topic


def _mentions(index: SearchIndex, si: int, terms: AbstractSet[int], c: Concept) -> bool:
    """Does section `si` (its term ids: `terms`) mention the concept? A glued form (`G20`)
    must stand in its text as such."""
    if not c.mentioned_in(terms):
        return False
    return c.surface is None or c.surface.search(section_text(index, si)) is not None
