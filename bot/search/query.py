"""A query as a list of concepts, each with the index terms that may stand for it.

A concept is one content word or one known phrase of the query. Its alternatives are the
word itself, a repair of a typo, words sharing a long prefix, hyphenated compounds split
into parts, synonyms and abbreviations, each with a weight that says how sure we are.
Whether a query is answerable is decided per concept ("how many of the things the user
asked about does this section mention"), not per term.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.search import text as tx
from bot.search.index import SearchIndex, phrase_term

W_EXACT = 1.0
W_PHRASE = 1.5  # the user's own multi-word phrase, found as a whole
W_REPAIRED = 0.85
W_NUMBER_WORD = 0.8
W_SYNONYM = 0.6
W_RELATED = 0.5
MAX_PHRASE = 4
MAX_QUERY_CHARS = 300


@dataclass(frozen=True, slots=True)
class Concept:
    text: str  # as the user typed it (normalised)
    alts: tuple[tuple[int, float], ...]  # (term id, weight), best first
    numeric: bool
    year: bool
    repaired: str | None = None  # the known word an unknown word was repaired to

    @property
    def known(self) -> bool:
        return bool(self.alts)


@dataclass(frozen=True, slots=True)
class QueryPlan:
    query: str
    concepts: tuple[Concept, ...]
    intent: str  # "when", "count" or ""
    highlight: frozenset[str]  # index terms worth bolding in an excerpt

    @property
    def content_concepts(self) -> tuple[Concept, ...]:
        return tuple(c for c in self.concepts if not c.numeric)


class QueryError(ValueError):
    """A query that cannot be searched; the message is meant for the user."""


def check_query(query: str) -> str:
    """The stripped query, or QueryError with a message a user can act on."""
    q = " ".join(query.split())
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"That query is too long ({len(q)} characters; at most 300).")
    if len(q) < 2:
        raise QueryError("Please type at least two characters.")
    words = [tx.normalize_word(raw) for raw, _, _ in tx.tokens(q)]
    if not any(w and not tx.is_stop(w) for w in words):
        raise QueryError("Please include at least one word to search for (not only 'the', 'of' …).")
    return q


def _intent(words: list[str]) -> str:
    joined = " ".join(words)
    if "when" in words or "what year" in joined or "which year" in joined or "date" in words:
        return "when"
    if "how many" in joined or "how much" in joined or "number of" in joined:
        return "count"
    return ""


def plan_query(index: SearchIndex, query: str) -> QueryPlan:
    """Split a (checked) query into concepts with weighted alternative index terms."""
    raws = [raw for raw, _, _ in tx.tokens(query)]
    words = [tx.normalize_word(r) for r in raws]
    content = [(w, tx.term(r)) for r, w in zip(raws, words, strict=True) if w and not tx.is_stop(w)]
    ids = index.term_ids
    concepts: list[Concept] = []
    highlight: set[str] = set()
    i = 0
    while i < len(content):
        matched = 0
        for n in range(min(MAX_PHRASE, len(content) - i), 1, -1):
            key = tuple(t for _, t in content[i : i + n])
            if key in index.phrases:
                matched = n
                break
        if matched:
            seg = content[i : i + matched]
            i += matched
        else:
            seg = content[i : i + 1]
            i += 1
        alts: dict[int, float] = {}
        repaired: str | None = None
        own = tuple(t for _, t in seg)
        for t in own:
            if t in ids:
                alts[ids[t]] = W_EXACT
        if len(own) > 1 and phrase_term(own) in ids:
            alts[ids[phrase_term(own)]] = W_PHRASE
        if len(seg) == 1:
            word, t = seg[0]
            if t not in ids and t in index.compounds:
                for part in index.compounds[t]:
                    if part in ids:
                        alts[ids[part]] = W_EXACT
            if t not in ids and not tx.is_number(t) and word not in index.vocab:
                fix = index.vocab.repair(word)
                if fix is not None:
                    ft = tx.term(fix)
                    if ft in ids:
                        alts.setdefault(ids[ft], W_REPAIRED)
                        repaired = fix
                        t = ft
            digit = tx.NUMBER_WORDS.get(word)
            if digit and digit in ids:
                alts.setdefault(ids[digit], W_NUMBER_WORD)
            for rel in index.related_terms(t):
                alts.setdefault(ids[rel], W_RELATED)
        key = own if not repaired else (tx.term(repaired),)
        for other in index.phrases.get(key, ()):
            t = phrase_term(other)
            if t in ids:
                alts.setdefault(ids[t], W_SYNONYM)
        numeric = all(tx.is_number(t) for t in own)
        year = len(own) == 1 and tx.is_year(own[0])
        text = " ".join(w for w, _ in seg)
        ordered = tuple(sorted(alts.items(), key=lambda a: -a[1]))
        concepts.append(Concept(text, ordered, numeric, year, repaired))
        for a, _ in ordered:
            highlight.update(index.terms[a].split("_"))
    return QueryPlan(query, tuple(concepts), _intent(words), frozenset(highlight))
