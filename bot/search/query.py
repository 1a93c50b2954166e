"""A query as a list of concepts, each with the index terms that may stand for it.

A concept is one content word or one known phrase of the query. Its alternatives are the
word itself, a repair of a typo, words sharing a long prefix, the word the text writes as one
or as two (`peace keeping` / `peacekeeping`), synonyms and abbreviations, each with a weight
that says how sure we are.
Whether a query is answerable is decided per concept ("how many of the things the user
asked about does this section mention"), not per term.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from itertools import pairwise

from bot.search import tokens as tx
from bot.search.index import SearchIndex, phrase_term
from bot.search.memo import MemoPerOwner
from bot.search.passage import Concepts
from bot.search.synonyms import GENERIC_WORDS, PHRASING_WORDS, spelling_variants, word_set
from bot.text import clip

W_EXACT = 1.0
W_PHRASE = 1.5  # the user's own multi-word phrase, found as a whole
W_SPELLING = 0.95  # `defence` for `defense`: the same word
W_REPAIRED = 0.85
W_NUMBER_WORD = 0.8
W_SYNONYM = 0.6
W_RELATED = 0.5
MAX_PHRASE = 4
MAX_QUERY_CHARS = 300
# Boilerplate and phrasing words count this much in sentence scores.
GENERIC_SCALE = 0.4


@dataclass(frozen=True, slots=True)
class Concept:
    text: str  # as the user typed it (normalised)
    alts: tuple[tuple[int, float], ...]  # (term id, weight), best first
    numeric: bool
    year: bool
    repaired: str | None = None  # the known word an unknown word was repaired to
    # `g20`, `c5`: letters glued to digits, which the index holds as two terms; a section
    # matches only if it has them glued too (checked on the text of candidate sections).
    surface: re.Pattern[str] | None = None
    # A phrase's own words (`reciprocal`, `access`, `agreement`): each helps ranking, but the
    # phrase is only *mentioned* where all of them are, or the phrase or a synonym is
    # (`standalone`: those of its words the synonym table lets mean it alone, `gas`).
    parts: frozenset[int] = frozenset()
    parts_known: bool = True  # False: a word of the phrase is not in the index at all
    standalone: frozenset[int] = frozenset()
    # A glued word's other half (`7` of `G7`): a sentence holds the word only with it too.
    glue: int | None = None
    # Worked out once: ranking and the none decision ask for every candidate section.
    _generic: bool = field(init=False, repr=False, compare=False)
    _phrasing: bool = field(init=False, repr=False, compare=False)
    _alone: frozenset[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        words = self.text.split()
        object.__setattr__(self, "_generic", GENERIC_WORDS.issuperset(words))
        object.__setattr__(self, "_phrasing", PHRASING_WORDS.issuperset(words))
        # The alternatives each of which alone mentions the concept.
        alone = frozenset(a for a, _ in self.alts) - (self.parts - self.standalone)
        object.__setattr__(self, "_alone", alone)

    def mentioned_in(self, terms: AbstractSet[int]) -> bool:
        """Does a text with these term ids mention the concept (glued forms aside)?"""
        if not terms.isdisjoint(self._alone):  # a dict view iterates the smaller side
            return True
        return self.parts_known and bool(self.parts) and self.parts <= terms

    def named_in(self, terms: AbstractSet[int]) -> bool:
        """Is the concept named by one of these terms alone (not a phrase's words apart)?"""
        return not terms.isdisjoint(self._alone)

    @property
    def known(self) -> bool:
        return bool(self.alts)

    @property
    def generic(self) -> bool:
        """Names no topic of its own in the Bluebook (`relations`, `summit`, `japan`)."""
        return self._generic

    @property
    def phrasing(self) -> bool:
        """A common English word that phrases the question (`big`, `new`, `latest`)."""
        return self._phrasing


@dataclass(frozen=True, slots=True)
class QueryPlan:
    query: str
    concepts: tuple[Concept, ...]
    intent: str  # "when", "count" or ""
    highlight: frozenset[str]  # index terms worth bolding in an excerpt
    # the runs of words asked for as a place: `in vienna`, `at osaka`, `in estonia tallinn`
    placed: tuple[tuple[str, ...], ...] = ()
    _content: tuple[Concept, ...] = field(init=False, repr=False, compare=False)
    # term id -> (concept position, weight) for every alternative: ranking scores a candidate
    # by intersecting its terms with these instead of testing every alternative.
    by_term: dict[int, tuple[tuple[int, float], ...]] = field(init=False, repr=False, compare=False)
    term_set: frozenset[int] = field(init=False, repr=False, compare=False)
    # the glued forms (`G7`, `FY2019`), which an excerpt bolds as a whole
    patterns: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_content", tuple(c for c in self.concepts if not c.numeric))
        glued = tuple(c.surface for c in self.concepts if c.surface is not None and not c.parts)
        object.__setattr__(self, "patterns", glued)
        by_term: dict[int, tuple[tuple[int, float], ...]] = {}
        for i, c in enumerate(self.concepts):
            for a, w in c.alts:
                by_term[a] = (*by_term.get(a, ()), (i, w))
        object.__setattr__(self, "by_term", by_term)
        object.__setattr__(self, "term_set", frozenset(by_term))

    @property
    def content_concepts(self) -> tuple[Concept, ...]:
        return self._content


class QueryError(ValueError):
    """A query that cannot be searched; the message is meant for the user."""


def check_query(query: str) -> str:
    """The stripped query, or QueryError with a message a user can act on."""
    q = " ".join(query.split())
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(too_long(len(q)))
    problem = _problem(q)
    if problem:
        raise QueryError(problem)
    return q


def too_long(chars: int, what: str = "query") -> str:
    return f"That {what} is too long ({chars} characters; at most {MAX_QUERY_CHARS})."


# Why a query has nothing to search for, in words for the user. Words the index cannot hold
# (other scripts fold to nothing) are left out of a query that has English words as well.
TOO_SHORT = "Please type at least two characters."
NOT_ENGLISH = (
    "I can only search English text: the content is the English edition of the Diplomatic "
    "Bluebook. Try words like 'Northern Territories'."
)
NO_WORDS = (
    "There are no words to search for: emoji, symbols and punctuation are not searched. "
    "Try words like 'Northern Territories'."
)
ONLY_STOP_WORDS = "Please include at least one word to search for (not only 'the', 'of' …)."


def unsearchable(q: str) -> str:
    """Why `q` has no word to search for (NOT_ENGLISH, NO_WORDS or ONLY_STOP_WORDS), or ""
    when it has one: a word or number of the Latin script that is not a stop word."""
    words = []
    for raw in tx.TOKEN.findall(q):
        w = tx.normalize_word(raw)
        if w and w not in tx.STOP_WORDS:
            return ""
        words.append(w)
    if not all(words):  # a word of another script (Japanese, Cyrillic, Greek) folds to ""
        return NOT_ENGLISH
    return ONLY_STOP_WORDS if words else NO_WORDS


def ignored_note(q: str, listed: str) -> str:
    """What /summit and /trade say when a query had nothing to filter by and was ignored."""
    return f"'{clip(q, 60)}' has no words to search for, so {listed} are listed."


def _problem(q: str) -> str:
    """What is wrong with a query of at most 300 characters, or ""."""
    if not q:
        return TOO_SHORT
    problem = unsearchable(q)
    if problem in (NOT_ENGLISH, NO_WORDS):
        return problem
    if len(q) < 2:
        return TOO_SHORT
    return problem


_COUNT_PHRASES = (
    "how many", "how much", "number of", "what figure", "how big", "how large", "how high",
    "how low", "what share", "what percentage", "what proportion", "what percent",
    "what amount", "what value", "what level", "what size", "what volume", "how far",
)  # fmt: skip
# Words that name a figure: a question about them wants the sentence with the number.
_FIGURE_WORDS = word_set(
    """
    fdi investment investments invest trade exports imports gdp growth rate drop dropped decline
    declined fall fell down decrease decreased increase increased rise rose grew percent
    percentage share population visitors participants figure figures value volume amount total
    budget price prices cost yen dollars billion million trillion size scale turnout
    """
)
_COUNT_RE = re.compile("|".join(map(re.escape, _COUNT_PHRASES)))  # any of them, anywhere
_PLACE_WORDS = frozenset({"in", "at"})
_DIGIT = re.compile(r"\d")
_DEFINE_PREFIXES = ("what is", "what are", "what does", "whats", "what's", "define", "meaning of")


def _intent(words: list[str]) -> str:
    joined = " ".join(words)
    if "when" in words or "what year" in joined or "which year" in joined or "date" in words:
        return "when"
    if _COUNT_RE.search(joined) or not _FIGURE_WORDS.isdisjoint(words):
        return "count"
    if joined.startswith(_DEFINE_PREFIXES) or "stand for" in joined or "stands for" in joined:
        return "define"
    return ""


def _content_words(
    query: str, toks: list[tuple[str, int, int]] | None = None
) -> list[tuple[str, str, re.Pattern[str] | None, int]]:
    """(word, index term, glued-form pattern, token position) for the query's content words.

    Letters glued to digits (`g20`, `TPP11`, `5G`) become one word: the index splits them, and
    `g` alone would match every `G7` and `G4`. People type them apart too (`g 7`, `G-7`,
    `fy 2019`, `No. 3`, `5 g`), and a short year after a year or `FY` is a year (`2019/20`,
    `FY19`).
    """
    if toks is None:
        toks = tx.tokens(query)
    out: list[tuple[str, str, re.Pattern[str] | None, int]] = []
    if query.isascii() and not _DIGIT.search(query):  # most: nothing glued, no year range
        for i, (raw, _, _) in enumerate(toks):
            w = tx.normalize_word(raw)
            if w and not tx.is_stop(w):
                out.append((w, tx.term(raw), None, i))
        return out
    i = 0
    while i < len(toks):
        glued = _glued(query, toks, i)
        if glued is not None:
            out.append((*glued, i))
            i += 2
            continue
        raw = _full_year(query, toks, i)
        w = tx.normalize_word(raw)
        if w and not tx.is_stop(w):
            out.append((w, tx.term(raw), None, i))
        i += 1
    return out


def _glued(
    query: str, toks: list[tuple[str, int, int]], i: int
) -> tuple[str, str, re.Pattern[str]] | None:
    """Tokens i and i + 1 as one glued word (letters and digits), or None."""
    if i + 1 >= len(toks):
        return None
    (a, _, a_end), (b, b_start, _) = toks[i], toks[i + 1]
    gap = query[a_end:b_start]
    lead = a.isalpha() and b.isdigit()  # letters first: `g20`; else digits first: `5g`
    letters, digits = (a, b) if lead else (b, a)
    low = letters.lower()
    if not (letters.isalpha() and digits.isdigit()):
        return None
    if gap == " ":  # `g 7`, `fy 2019`, `5 g`: a lone letter is no word of its own
        ok = (len(low) == 1 or (lead and low == "fy")) and not tx.is_stop(low)
    elif gap in (".", ". "):  # `No. 3`
        ok = lead and len(low) <= 3
    else:  # `g20`, `G-7`, `TPP-11`, `5G`
        ok = gap in ("", "-") and len(low) <= (5 if lead else 2)
    if not ok:
        return None
    number = re.escape(digits)
    if low == "fy" and len(digits) == 2:
        number = f"(?:20)?{number}"  # FY19 is FY2019
    glue = r"\.?[- ]?"
    if lead:
        body = rf"{re.escape(letters)}{glue}{number}(?![0-9])"
    else:
        body = rf"{number}{glue}{re.escape(letters)}(?![A-Za-z])"
    pattern = re.compile(rf"(?<![A-Za-z0-9]){body}", re.IGNORECASE)
    word = tx.normalize_word(a) + tx.normalize_word(b)
    # The letters stand for the word in the index, unless they are a stop word (`No. 3`).
    term = tx.term(digits) if tx.is_stop(low) else tx.term(letters)
    return word, term, pattern


def _other_half(word: str, term: str) -> str:
    """The term of a glued word's other half: `g20` -> `20`, `5g` -> `5`, `fy19` -> `2019`."""
    letters = "".join(ch for ch in word if ch.isalpha())
    digits = "".join(ch for ch in word if ch.isdigit())
    if term == tx.term(digits):  # `No. 3`: the digits are the word itself
        return ""
    if letters == "fy" and len(digits) == 2:
        return "20" + digits
    return tx.term(digits)


def _full_year(query: str, toks: list[tuple[str, int, int]], i: int) -> str:
    """Token i, written out as a year when it is the short end of a range: `2019/20`."""
    raw = toks[i][0]
    if i == 0 or len(raw) != 2 or not raw.isdigit():
        return raw
    prev, _, prev_end = toks[i - 1]
    if not tx.is_year(prev) or query[prev_end : toks[i][1]] not in ("/", "-", "–"):
        return raw
    full = prev[:2] + raw
    return full if full > prev else raw


def plan_query(index: SearchIndex, query: str) -> QueryPlan:
    """Split a (checked) query into concepts with weighted alternative index terms."""
    toks = tx.tokens(query)
    words = [tx.normalize_word(raw) for raw, _, _ in toks]
    glued = _content_words(query, toks)
    content = [(w, t) for w, t, _, _ in glued]
    content_terms = [t for _, t in content]
    surfaces = {w: p for w, _, p, _ in glued if p is not None}
    halves = {w: _other_half(w, t) for w, t, p, _ in glued if p is not None}
    concepts: list[Concept] = []
    highlight: set[str] = set()
    # (token position, concept position) of the single plain words, for joining neighbours
    singles: list[tuple[int, int]] = []
    i = 0
    while i < len(content):
        matched = 0
        for n in range(min(MAX_PHRASE, len(content) - i), 1, -1):
            key = tuple(content_terms[i : i + n])
            if key in index.phrases:
                matched = n
                break
        if matched:
            seg = tuple(content[i : i + matched])
            i += matched
        else:
            seg = (content[i],)
            i += 1
        surface = surfaces.get(seg[0][0]) if len(seg) == 1 else None
        if surface is None:
            # The same words come back query after query: their concepts are kept per index.
            concept, marks = _concepts(index)[seg]
            if len(seg) == 1:
                singles.append((glued[i - 1][3], len(concepts)))
        else:
            concept, marks = _concept(index, seg, surface)
            concept = replace(concept, glue=index.term_ids.get(halves[seg[0][0]]))
            marks -= {seg[0][1]}  # `G7` is bolded as a whole, not every `G`
        concepts.append(concept)
        highlight |= marks
    highlight |= _join_neighbours(index, singles, concepts)
    placed = _places(words, glued)
    return QueryPlan(query, tuple(concepts), _intent(words), frozenset(highlight), placed)


def _places(
    words: list[str], glued: list[tuple[str, str, re.Pattern[str] | None, int]]
) -> tuple[tuple[str, ...], ...]:
    """The runs of content words right after `in` or `at` (`in new york`)."""
    if _PLACE_WORDS.isdisjoint(words):
        return ()
    runs: list[list[str]] = []
    last = -2
    for w, _, _, i in glued:
        if i == last + 1 and runs:
            runs[-1].append(w)
        elif i > 0 and words[i - 1] in _PLACE_WORDS:
            runs.append([w])
        else:
            continue
        last = i
    return tuple(tuple(r) for r in runs)


def _join_neighbours(
    index: SearchIndex, singles: list[tuple[int, int]], concepts: list[Concept]
) -> set[str]:
    """Two neighbouring query words that the text writes as one (`peace keeping`,
    `counter-terrorism`, `per cent`) each also match the joined word; returns its term.

    Only a joined form the text itself uses counts (not `japanrussia` from `Japan-Russia`).
    """
    ids, marks = index.term_ids, set()
    for (ta, ca), (tb, cb) in pairwise(singles):
        a, b = concepts[ca], concepts[cb]
        if tb != ta + 1 or not (a.text.isalpha() and b.text.isalpha()):
            continue
        joined = a.text + b.text
        if joined not in index.vocab:
            continue
        t = tx.term(joined)
        if t not in ids:
            continue
        for c in (ca, cb):
            alts = dict(concepts[c].alts)
            alts[ids[t]] = W_EXACT
            ordered = tuple(sorted(alts.items(), key=lambda x: -x[1]))
            concepts[c] = replace(concepts[c], alts=ordered)
        marks.add(t)
    return marks


def _concept(
    index: SearchIndex, seg: tuple[tuple[str, str], ...], surface: re.Pattern[str] | None = None
) -> tuple[Concept, frozenset[str]]:
    """One concept of a query (a word or a known phrase, as (word, term) pairs) with its
    weighted alternatives, and the index words an excerpt may bold for it."""
    ids = index.term_ids
    alts: dict[int, float] = {}  # insertion order breaks ties between equal weights
    own = tuple([t for _, t in seg])
    for t in own:
        if t in ids:
            alts[ids[t]] = W_EXACT
    parts = frozenset(ids[t] for t in own if t in ids) if len(own) > 1 else frozenset()
    if len(own) > 1 and phrase_term(own) in ids:
        alts[ids[phrase_term(own)]] = W_PHRASE
    parts_known = all(t in ids for t in own)
    split = _split(index, seg[0][0]) if len(seg) == 1 and surface is None and not alts else None
    if split is not None:
        # One word the text writes as two (`peacekeeping`: `peace keeping`, `peace-keeping`):
        # mentioned where both stand side by side, like a phrase.
        left, right = split
        parts = frozenset((ids[tx.term(left)], ids[tx.term(right)]))
        alts.update(dict.fromkeys(sorted(parts), W_EXACT))
        parts_known = True
        stem = tx.term(right)
        n = next((k for k, (x, y) in enumerate(zip(right, stem, strict=False)) if x != y), 99)
        surface = re.compile(rf"(?<![A-Za-z0-9]){left}[- ]?{right[:n]}", re.IGNORECASE)
    repaired = _word_alts(index, seg[0], surface, alts) if len(seg) == 1 else None
    standalone = _table_alts(index, own if not repaired else (tx.term(repaired),), alts)
    numeric = surface is None and all(tx.is_number(t) for t in own)
    year = len(own) == 1 and tx.is_year(own[0])
    text = " ".join(w for w, _ in seg)
    ordered = tuple(sorted(alts.items(), key=lambda a: -a[1]))
    marks: set[str] = set()
    for a, _ in ordered:
        marks.update(index.terms[a].split("_"))
    concept = Concept(
        text, ordered, numeric, year, repaired, surface, parts, parts_known, standalone
    )
    return concept, frozenset(marks)


def _word_alts(
    index: SearchIndex,
    word_term: tuple[str, str],
    surface: re.Pattern[str] | None,
    alts: dict[int, float],
) -> str | None:
    """Add a single word's other forms to `alts`: spelling variants, a typo repair, the digit
    of a number word (or the word of a digit), related terms. Returns the repaired word."""
    ids = index.term_ids
    word, t = word_term
    repaired: str | None = None
    for variant in spelling_variants(word):
        vt = tx.term(variant)
        if vt in ids and vt != t:
            alts.setdefault(ids[vt], W_SPELLING)
    # A word the synonym table knows is a real word, not a typo of another one.
    known_word = (
        (t,) in index.phrases
        or bool(alts)
        or surface is not None
        or word in GENERIC_WORDS
        or word in PHRASING_WORDS
    )
    if t not in ids and not known_word and not tx.is_number(t) and word not in index.vocab:
        fix = index.vocab.repair(word)
        if fix is not None and tx.term(fix) in ids:
            t = tx.term(fix)
            alts.setdefault(ids[t], W_REPAIRED)
            repaired = fix
    for other in tx.number_forms(word):
        if tx.term(other) in ids:
            alts.setdefault(ids[tx.term(other)], W_NUMBER_WORD)
    for rel in index.related_terms(t):
        alts.setdefault(ids[rel], W_RELATED)
    return repaired


def _split(index: SearchIndex, word: str) -> tuple[str, str] | None:
    """A word absent from the text as two words it has (`peacekeeping` -> `peace`, `keeping`):
    the split with the longer shorter part, or None."""
    ids = index.term_ids
    if len(word) < 6 or not word.isalpha() or tx.term(word) in ids:
        return None
    if (tx.term(word),) in index.phrases or any(tx.term(v) in ids for v in spelling_variants(word)):
        return None  # a word the synonym table knows, or spelt otherwise in the text
    # The split whose shorter part is longest (of equals, the shorter left part): tried in
    # that order, the first that holds wins. The parts are new strings, most of them no word
    # at all: their terms are worked out without filling the query-time caches.
    n = len(word)
    for shorter in range(n // 2, 1, -1):
        for i in (shorter, n - shorter) if shorter != n - shorter else (shorter,):
            if not 2 <= i <= n - 3:
                continue
            left, right = word[:i], word[i:]
            if tx.is_stop(left) or tx.is_stop(right):
                continue
            if tx.word_term(left) in ids and tx.word_term(right) in ids:
                return left, right
    return None


def _table_alts(index: SearchIndex, key: tuple[str, ...], alts: dict[int, float]) -> frozenset[int]:
    """Add the synonym table's alternatives of `key` (the concept's terms) to `alts`; return
    those the table lets mean the phrase alone (`gas` for `natural gas`)."""
    ids = index.term_ids
    standalone: set[int] = set()
    table = index.phrases.get(key)
    for other in table or ():
        t = phrase_term(other)
        if t in ids:
            standalone.add(ids[t])
            if alts.get(ids[t], 0.0) < W_SYNONYM:
                alts[ids[t]] = W_SYNONYM
    if table is None and len(key) == 1:
        # A derived form the table lacks (`prioritise`) borrows the synonyms of the table's
        # word (`priority`), as surely as a related term: less than the table's own.
        for word in index.related_table_words(key[0]):
            for other in ((word,), *index.phrases.get((word,), ())):
                t = phrase_term(other)
                if t in ids and alts.get(ids[t], 0.0) < W_RELATED:
                    alts[ids[t]] = W_RELATED
    return frozenset(standalone)


Segment = tuple[tuple[str, str], ...]  # (word, term) pairs: one word, or a known phrase
# The concepts of the content's words, and of the words queries bring, are kept per index.
CONCEPT_MEMO = 4096
_concepts: MemoPerOwner[SearchIndex, Segment, tuple[Concept, frozenset[str]]] = MemoPerOwner(
    CONCEPT_MEMO, _concept
)


def fill_concepts(index: SearchIndex) -> list[Concept]:
    """Make the concept of every word of the content, as a query would have it, when the
    concept memo holds them all (see `SearchIndex.warm`); returns them."""
    if len(index.vocab) > CONCEPT_MEMO:
        return []
    keys = []
    for surface in index.vocab.words():
        word = tx.normalize_word(surface)
        if word and not tx.is_stop(word) and word == surface:
            keys.append(((word, tx.term(surface)),))
    memo = _concepts(index)
    memo.fill(keys)
    return [memo[k][0] for k in keys]


def sentence_concepts(index: SearchIndex, plan: QueryPlan) -> Concepts:
    """Each concept's alternatives as (terms, weight), for scoring sentences.

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
        glue = (index.terms[c.glue],) if c.glue is not None else ()
        alts = []
        for a, w in c.alts:
            weight = index.idf[a] * w
            if exact is not None and w < W_EXACT:
                weight = min(weight, exact * w)
            alts.append(((*index.terms[a].split("_"), *glue), weight * scale))
        concepts.append(alts)
    return concepts
