"""From a checked query to the sections that answer it, best first, each with its passage.

Ranking (`rank`) orders sections by BM25; the none decision (`relevance`) drops those that do
not mention what the query is about; two intent rules then move the answer up: for "how many
X" the section whose passage counts X, for "what is the SPA" the one that spells SPA out.
The passage shown for a section is the one whose best sentence answers best.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import islice

from bot.search import lexicon
from bot.search import tokens as tx
from bot.search.answer import MAX_RESULTS
from bot.search.excerpt import MAX_EXCERPT, TARGET, excerpt_of, excerpt_span, joined
from bot.search.index import SearchIndex
from bot.search.passage import Scorer
from bot.search.query import W_EXACT, Concept, QueryPlan, plan_query, sentence_concepts
from bot.search.rank import SectionHit, rank
from bot.search.relevance import Relevance, common_here
from bot.text import ELLIPSIS

MAX_UNITS_COMPARED = 40
MIN_FIRST = 200  # an added sentence never leaves the passage's own excerpt less room
Alternatives = Sequence[tuple[tuple[str, ...], float]]
# Another passage of the section is shown only when its best sentence is this much better.
BETTER_PASSAGE = 1.05
COUNTED_BOOST = 0.3
DEFINITION_SCAN = 200  # passages read to find where an abbreviation is spelled out
DEFINITION_WIN = 1.3


class Prepared:
    """One query against one index: its plan, the none decision, the sentence scorer, and the
    sentence scores of the passages looked at (choosing the passage, the count rule and the
    excerpt all read them, so each passage is scored once)."""

    __slots__ = ("_scores", "index", "plan", "relevant", "scorer", "wanted")

    def __init__(self, index: SearchIndex, text: str) -> None:
        plan = plan_query(index, text)
        self.index = index
        self.plan = plan
        self.scorer = Scorer(sentence_concepts(index, plan), plan.intent, anchors(index, plan))
        self.wanted = frozenset(a for c in plan.concepts for a, _ in c.alts)
        self.relevant = Relevance(index, plan)
        self._scores: dict[int, list[float]] = {}

    def sentence_scores(self, u: int) -> list[float]:
        found = self._scores.get(u)
        if found is None:
            found = self._scores[u] = self.index.passages[u].scores(self.scorer)
        return found

    def excerpt(self, u: int) -> str:
        """The excerpt of passage `u`, and, when the query names a month, a place or a figure
        that another passage of the section holds but this excerpt does not, the best
        sentence that holds it (`triangular partnership entebbe`)."""
        index, plan, scorer = self.index, self.plan, self.scorer
        p = index.passages[u]
        scores = self.sentence_scores(u)
        text, shown = excerpt_span(p, scorer, plan.highlight, scores=scores, patterns=plan.patterns)
        missing = [
            alts
            for alts, anchor in zip(scorer.concepts, scorer.anchors, strict=True)
            if anchor and not p.holding(alts) & shown
        ]
        found = self._holding(u, missing) if missing else None
        if found is None:
            return text
        v, i = found
        other = index.passages[v]
        extra = other.bold(i, i, plan.highlight, plan.patterns)
        extra += ELLIPSIS if i < len(other.sentences) - 1 else ""
        room = MAX_EXCERPT - len(extra) - 3
        if room < MIN_FIRST:
            return text
        if len(text) > room:
            text = excerpt_of(
                p, scorer, plan.highlight, min(TARGET, room), room, scores, plan.patterns
            )
        return joined(text, extra)

    def _holding(self, u: int, missing: list[Alternatives]) -> tuple[int, int] | None:
        """(passage, sentence): the best sentence of another passage of `u`'s section that
        holds one of the `missing` concepts."""
        index = self.index
        entry = index.sections[index.unit_section[u]]
        best: tuple[float, int, int] | None = None
        end = min(entry.unit_end, entry.unit_start + MAX_UNITS_COMPARED)
        for v in range(entry.unit_start, end):
            if v == u:
                continue
            passage = index.passages[v]
            mask = 0
            for alts in missing:
                mask |= passage.holding(alts)
            scores = self.sentence_scores(v) if mask else ()
            for i, score in enumerate(scores):
                if mask >> i & 1 and (best is None or score > best[0]):
                    best = (score, v, i)
        return None if best is None else (best[1], best[2])

    def best_unit(self, hit: SectionHit) -> int:
        """The passage of the hit's section whose best sentence answers the query best.

        Ranking picks a section by its passages' BM25 scores; the excerpt should come from
        the passage that holds the answer, which for "how much did trade drop" is the one
        with the figure, not the one that says "bilateral trade" twice.
        """
        index = self.index
        entry = index.sections[hit.section]
        wanted = self.wanted
        units = [
            u
            for u in range(entry.unit_start, entry.unit_end)
            if u == hit.unit or not index.unit_sets[u].isdisjoint(wanted)
        ][:MAX_UNITS_COMPARED]
        if len(units) <= 1:
            return hit.unit
        best, best_score = hit.unit, max(self.sentence_scores(hit.unit))
        for u in units:
            if u == hit.unit:
                continue
            score = max(self.sentence_scores(u))
            if score > best_score * BETTER_PASSAGE:
                best, best_score = u, score
        return best


def anchors(index: SearchIndex, plan: QueryPlan) -> tuple[bool, ...]:
    """Per concept of the sentence scorer: does it name a month, a place or a figure? The
    excerpt must show the sentence that holds it (`triangular partnership entebbe`: the
    Entebbe sentence, though another passage says "triangular partnership" twice). For "how
    much" the figure is what is asked: a name there is context (`population of the pacific
    alliance` wants the figure's sentence, not the one naming the alliance)."""
    out = []
    for c in plan.concepts:
        if not c.alts:
            continue  # `sentence_concepts` leaves it out too
        topical = not (c.generic or c.phrasing or common_here(index, c))
        month = tx.MONTH_FORMS.get(c.text, c.text) in tx.MONTHS
        out.append(
            topical and (c.numeric or month or (plan.intent != "count" and _named(index, c)))
        )
    return tuple(out)


def _named(index: SearchIndex, c: Concept) -> bool:
    """A place or a name: the text writes it capitalised only, and it is no common English
    word (`Prime Minister` and `UN Triangular Partnership` are capitalised too)."""
    words = c.text.split()
    if not any(index.named[a] for a, w in c.alts if w >= W_EXACT):
        return False
    return all(lexicon.could_be_name(w) or not lexicon.is_common_word(w) for w in words)


def find_hits(q: Prepared, limit: int = MAX_RESULTS) -> list[SectionHit]:
    """The sections that answer the query, best first, at most `limit`."""
    index, plan = q.index, q.plan
    ranked = rank(index, plan, limit)
    hits = list(islice((h for h in ranked if q.relevant(index, h.section)), limit))
    if plan.intent == "count" and len(hits) > 1:
        hits = _counted_first(q, hits)
    if hits:
        first = _definition_hit(q, hits[0].score)
        if first is not None:
            rest = [h for h in hits if h.section != first.section]
            hits = [first, *rest][:limit]
    return hits


def _counted_first(q: Prepared, hits: list[SectionHit]) -> list[SectionHit]:
    """For "how many X": sections whose passage counts X (`three Summit Meetings`) move up.

    BM25 cannot see that a number stands before the word; the answer to the question is
    exactly that sentence.
    """
    out = []
    for h in hits:
        u = q.best_unit(h)
        counted = q.index.passages[u].counts(q.scorer)
        score = h.score * (1 + COUNTED_BOOST) if counted else h.score
        out.append(SectionHit(h.section, u, score))
    out.sort(key=lambda h: -h.score)
    return out


def _definition_hit(q: Prepared, top: float) -> SectionHit | None:
    """For "what is the SPA": the passage that spells the abbreviation out, `Long Form (SPA)`.

    A section that merely uses the abbreviation may rank higher by BM25, but the user asked
    what it stands for. Only for a one-word definition question about a known abbreviation.
    """
    index, plan = q.index, q.plan
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
            # it clearly wins: the others only use the abbreviation
            return SectionHit(index.unit_section[u], u, top * DEFINITION_WIN)
    return None
