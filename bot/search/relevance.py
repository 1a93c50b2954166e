"""The none decision: does a section answer the query, or is the topic simply not covered?

Counting matched words is not enough: in "japan italy relations" two of three words match
almost every Japan-X section, yet the query is about Italy. So the decision looks only at the
query's *topic* concepts: words that are neither Bluebook boilerplate (`japan`, `relations`,
`summit`, or any word in most passages of the loaded content) nor question phrasing (`big`,
`latest`). A section must mention enough of them, and a topic word that occurs nowhere in the
content (a name, a term the Bluebook never uses) may go unmatched at most once, however long
the query: "south china sea arbitration ruling" is not answered by "East China Sea".

Decided by what the words mean, not by one missing word:
- a query of boilerplate and phrasing only (`relations in 2021`, `recent developments`) asks
  about nothing in particular: nothing answers it;
- common English words the content lacks (`pillars`, `finished`, `among`) are phrasing, not a
  missing topic, when the query's other words point strongly enough (at least three found
  words for each: "japan arctic policy three pillars"); a name the content lacks is not;
- a place asked for with `in`/`at` (`npt review conference in vienna`) must be where the
  section is: absent from the content, nothing answers; elsewhere in it, not this section.
A section mentions what its own text, title, aliases and tags say, and the titles above it
(a subsection "Political Situation" under "Sweden" is about Sweden).
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet

from bot.search import lexicon
from bot.search.answer import required_matches
from bot.search.index import SearchIndex
from bot.search.query import Concept, QueryPlan

# A word in at least this share of the text units is boilerplate for this content.
COMMON_SHARE = 0.4
# Below this many units the share says nothing (a two-paragraph document).
COMMON_MIN_UNITS = 12
# Found words needed per common word the content lacks for the query to go on without it.
STRONG_POINTER = 3


def common_here(index: SearchIndex, c: Concept) -> bool:
    """Is the concept's word in most passages of this content (boilerplate here)?"""
    if not c.alts or index.n_units < COMMON_MIN_UNITS:
        return False
    term_id = c.alts[0][0]
    return index.df[term_id] >= COMMON_SHARE * index.n_units


def _asked(plan: QueryPlan) -> list[Concept]:
    """The content concepts a section is asked about (phrasing the content lacks is not)."""
    content = [c for c in plan.content_concepts if not (c.phrasing and not c.known)]
    return content or list(plan.content_concepts)


def unfound_words(content: Sequence[Concept]) -> list[Concept]:
    """The query's common English words the content lacks (`content`: the concepts asked
    about), when the rest of the query points strongly enough to answer without them (else
    none: they may name the missing topic). A place asked for (`in paris`) is never left out:
    see `Relevance`."""
    unknown = [c for c in content if not c.known]
    if not unknown or len(content) - len(unknown) < STRONG_POINTER * len(unknown):
        return []
    if all(lexicon.is_common_word(w) for c in unknown for w in c.text.split()):
        return unknown
    return []


def _place_runs(plan: QueryPlan, content: Sequence[Concept]) -> list[list[Concept]]:
    """The places asked for with `in`/`at`, each as the concepts of its words; a run with no
    word that can be a place (`in decades`, `in detail`) is none."""
    runs = []
    for words in plan.placed:
        run = [c for c in content if c.text in words and not (c.generic or c.phrasing)]
        if any(c.known or _name_like(c.text) for c in run):
            runs.append(run)
    return runs


def _name_like(word: str) -> bool:
    """Can a word the content lacks be a place? A listed proper noun (`vienna`, `paris`; the
    latter is a plant too) or no common word."""
    return lexicon.could_be_name(word) or not lexicon.is_common_word(word)


def topic_concepts(
    index: SearchIndex, plan: QueryPlan, asked: Sequence[Concept], skip: Sequence[Concept] = ()
) -> tuple[Concept, ...]:
    """The concepts that say what the query is about (of those `asked`, less `skip`); all
    content concepts if none do."""
    content = [c for c in asked if not any(c is d for d in skip)] if skip else asked
    topic = [c for c in content if not c.generic and not c.phrasing and not common_here(index, c)]
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
    """The none decision for one query, worked out once per query and asked per section.

    A section answers by the plain rule, or, when the query holds common words the content
    lacks, by the same rule without them provided one passage holds all the words found.
    """

    __slots__ = ("_numbers", "_possible", "_rules")

    def __init__(self, index: SearchIndex, plan: QueryPlan) -> None:
        self._numbers: tuple[tuple[frozenset[int], bool], ...] | None = None
        if not plan.content_concepts:
            self._numbers = tuple(
                (frozenset(a for a, _ in c.alts), c.year) for c in plan.concepts if c.numeric
            )
        content = _asked(plan)
        specific = [c for c in content if not (c.generic or c.phrasing)]
        # One boilerplate word with phrasing and years (`relations in 2021`, `overview of the
        # year`) asks about nothing in particular; a figure (`8 point plan`, `2+2 meeting`),
        # a question (`how many summit meetings`) or boilerplate words together (`year of
        # regional exchanges`) may.
        particular = bool(specific) or bool(plan.intent)
        particular = particular or any(c.numeric and not c.year for c in plan.concepts)
        particular = particular or sum(1 for c in content if c.generic) >= 2
        # A place the content lacks altogether: nothing answers; else the section's own.
        places = tuple(tuple(c for c in run if c.known) for run in _place_runs(plan, content))
        self._possible = particular and all(places)
        rules = [_Rule(index, plan, content, (), places)]
        unfound = unfound_words(content)
        if unfound:
            rules.append(_Rule(index, plan, content, unfound, places))
        self._rules = tuple(r for r in rules if r.possible)

    def __call__(self, index: SearchIndex, si: int) -> bool:
        """Does section `si` mention enough of what the query is about? A lone year never does."""
        if not self._possible:
            return False
        terms = index.section_sets[si]
        if self._numbers is not None:
            numbers = self._numbers
            found = sum(1 for alts, _ in numbers if not terms.isdisjoint(alts))
            n_nonyear = sum(1 for _, year in numbers if not year)
            return found >= max(1, -(-len(numbers) // 2)) and (
                n_nonyear > 0 or found == len(numbers)
            )
        return any(rule(index, si, terms) for rule in self._rules)


class _Rule:
    """Enough of the query's (topic) concepts in a section, some of them perhaps left out."""

    __slots__ = ("_content", "_need_topic", "_places", "_pointer", "_topic_rest", "possible")

    def __init__(
        self,
        index: SearchIndex,
        plan: QueryPlan,
        asked: list[Concept],
        unfound: Sequence[Concept],
        places: tuple[tuple[Concept, ...], ...],
    ) -> None:
        content = [c for c in asked if not any(c is d for d in unfound)]
        topic = topic_concepts(index, plan, asked, unfound)
        in_topic = {id(c) for c in topic}
        # (concept, soft: may be missed freely, counts for the topic)
        self._content = tuple((c, c.generic or c.phrasing, id(c) in in_topic) for c in content)
        in_content = {id(c) for c in content}
        self._topic_rest = tuple(c for c in topic if id(c) not in in_content)
        self._need_topic = required_topic(len(topic))
        self._places = places
        # With words left out, the rest must point at one passage: all found in it.
        self._pointer = tuple(c for c in content if not c.phrasing) if unfound else ()
        unknown = sum(1 for c in topic if not c.known)
        self.possible = unknown <= allowed_unknown(len(topic))

    def __call__(self, index: SearchIndex, si: int, terms: AbstractSet[int]) -> bool:
        heads = index.heading_sets[si]
        for run in self._places:
            if not any(_mentions(index, si, terms, heads, c) for c in run):
                return False
        hits = soft_misses = topic_hits = 0
        for c, soft, topical in self._content:
            if _mentions(index, si, terms, heads, c):
                hits += 1
                topic_hits += topical
            elif soft:
                soft_misses += 1
        if hits < required_matches(len(self._content) - soft_misses):
            return False
        topic_hits += sum(1 for c in self._topic_rest if _mentions(index, si, terms, heads, c))
        return topic_hits >= self._need_topic and (not self._pointer or self._pointed(index, si))

    def _pointed(self, index: SearchIndex, si: int) -> bool:
        """Does one passage of the section (with its title) mention every found word?"""
        entry = index.sections[si]
        head = index.title_maps[si].keys()
        for u in range(entry.unit_start, entry.unit_end):
            terms = index.unit_sets[u] | head
            if all(c.mentioned_in(terms) for c in self._pointer):
                return True
        return False


def _mentions(
    index: SearchIndex, si: int, terms: AbstractSet[int], heads: AbstractSet[int], c: Concept
) -> bool:
    """Does section `si` (its term ids: `terms`; its titles': `heads`) mention the concept?
    A glued form (`G20`) must stand in its text as such. The titles above it name a word or
    a whole phrase, not a phrase's words apart (`Economic Relations > Trade Agreement` is no
    economic partnership agreement)."""
    if c.surface is not None:
        return c.mentioned_in(terms) and c.surface.search(section_text(index, si)) is not None
    return c.mentioned_in(terms) or c.named_in(heads)
