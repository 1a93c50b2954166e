"""Excerpts: the best-matching whole sentences of a passage, query words in bold.

A user reads the excerpt instead of the section, so it must contain what they asked for
(the figure, the date) and read as prose: whole sentences, an ellipsis wherever text was left
out, never more than `MAX_EXCERPT` characters.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from functools import lru_cache

from bot.search import tokens as tx
from bot.text import ELLIPSIS, split_sentences

MAX_EXCERPT = 1000
TARGET = 700

_URL = re.compile(r"https?://\S+")
_YEARISH = re.compile(
    r"\b(1[89]\d\d|20\d\d|January|February|March|April|May|June|July|August|September|"
    r"October|November|December)\b"
)
_NUMBER_WORDS = (
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    "hundred|hundreds|thousand|thousands|million|millions|billion|trillion|dozen|dozens"
)
# A figure: a number with a decimal or thousands separator, a percentage, an amount with a
# unit, a large number word, a number before a lower-case noun, or any number of two or more
# digits once dates are taken out. "the two leaders" is not a figure.
_FIGURE = re.compile(
    rf"\d+(?:[.,]\d+)+|\d+\s*(?:%|percent)|\b\d+\s+(?:{_NUMBER_WORDS}|people|persons)\b"
    r"|\b(?:hundreds?|thousands?|millions?|billions?|trillions?)\b"
    r"|\b\d{2,}\b|\b\d+\s+(?-i:[a-z]{3,})",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:1[89]\d\d|20\d\d)\b|\b(?:January|February|March|April|May|June|July|August|"
    r"September|October|November|December)\s+\d{1,2}\b|\b\d{1,2}(?:st|nd|rd|th)\b"
)


def sentence_terms(sentence: str) -> set[str]:
    return set(tx.terms(sentence))


def bold(text: str, highlight: Collection[str]) -> str:
    """Wrap words whose index term is in `highlight` in `**`, merging neighbours; not in URLs."""
    if not highlight:
        return text
    urls = [m.span() for m in _URL.finditer(text)]
    spans: list[list[int]] = []
    for raw, s, e in tx.tokens(text):
        if any(a <= s < b for a, b in urls):
            continue
        t = tx.term(raw)
        if t in highlight and not tx.is_stop(tx.normalize_word(raw)):
            if spans and text[spans[-1][1] : s].strip() == "":
                spans[-1][1] = e
            else:
                spans.append([s, e])
    return _wrap(text, spans)


def _wrap(text: str, spans: list[list[int]]) -> str:
    if not spans:
        return text
    parts: list[str] = []
    pos = 0
    for s, e in spans:
        parts.append(text[pos:s])
        parts.append(f"**{text[s:e]}**")
        pos = e
    parts.append(text[pos:])
    return "".join(parts)


def _cut_long(sentence: str, highlight: Collection[str], limit: int) -> str:
    """A window of one over-long sentence around its first highlighted word."""
    first = 0
    for raw, s, _ in tx.tokens(sentence):
        if tx.term(raw) in highlight:
            first = s
            break
    start = max(0, first - limit // 3)
    if start:
        space = sentence.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = start + limit
    if end < len(sentence):
        space = sentence.rfind(" ", start, end)
        end = space if space > start else end
    piece = sentence[start:end].strip()
    return (ELLIPSIS if start else "") + piece + (ELLIPSIS if end < len(sentence) else "")


Concepts = Sequence[Sequence[tuple[tuple[str, ...], float]]]


def _figure(sentence: str) -> bool:
    """Does the sentence state a figure (an amount, a share, a count), not only a date?"""
    return _FIGURE.search(_DATE.sub(" ", sentence)) is not None


_COUNT_WORDS = frozenset(_NUMBER_WORDS.split("|"))


def counts_concept(sentence: str, concepts: Concepts) -> bool:
    """Does a number stand right before a query word (`three Summit Meetings`, `860 people`)?

    That sentence answers "how many summit meetings": it counts the thing asked about.
    """
    toks = list(tx.tokens(sentence))
    starts = {t[0] for alts in concepts for t, _ in alts if t}
    for i, (raw, _, end) in enumerate(toks):
        if not (raw[0].isdigit() or raw.lower() in _COUNT_WORDS) or tx.is_year(raw):
            continue
        prev = end
        for nxt, start, nend in toks[i + 1 : i + 4]:
            # only words of the same noun phrase: `600 Japan-related events`, not `2+2" Meeting`
            if sentence[prev:start] not in (" ", "-"):
                break
            if tx.term(nxt) in starts:
                return True
            prev = nend
    return False


class Scorer:
    """The query side of sentence scoring, worked out once per query instead of per sentence.

    `concepts` is one list of (terms, weight) alternatives per concept; `bonus` is the intent
    bonus (one average concept) and `starts` the first words of all alternatives, which a
    number must stand right before for the sentence to count the thing asked about.
    """

    __slots__ = ("bonus", "concepts", "intent", "ranked", "starts")

    def __init__(self, concepts: Concepts, intent: str = "") -> None:
        self.concepts = concepts
        # Each concept's alternatives best weight first (stable): the weights a sentence
        # matches then come out in the order `sorted(..., reverse=True)` gives them.
        self.ranked = tuple(tuple(sorted(alts, key=lambda a: -a[1])) for alts in concepts)
        self.intent = intent
        self.bonus = 0.0
        if concepts:
            self.bonus = sum(max((w for _, w in alts), default=0.0) for alts in concepts) / len(
                concepts
            )
        self.starts = frozenset(t[0] for alts in concepts for t, _ in alts if t)


class Passage:
    """What scoring and highlighting need of a passage, worked out once per passage text.

    Every query used to split the candidate passages into sentences, re-tokenise them and run
    the figure and date regexes over them; the answers never change, so they are computed on
    first use and kept (`analyse`, bounded LRU). Per sentence: a bit in `masks[term]` when the
    sentence has the term, a bit in `yearish`/`figure` when it has a date-like word or a figure,
    the terms a number stands right before (`reach`, for `counts_concept`), and the words that
    may be bolded with their spans (`marks`, computed when the passage is first excerpted).
    """

    __slots__ = ("_flags", "_marks", "_reach", "masks", "sentences")

    def __init__(self, text: str) -> None:
        sentences = tuple(split_sentences(text) or [text])
        masks: dict[str, int] = {}
        term = tx.term
        findall = tx._TOKEN.findall
        for i, sentence in enumerate(sentences):
            bit = 1 << i
            for t in set(map(term, findall(sentence))):
                if t:
                    masks[t] = masks.get(t, 0) | bit
        self.sentences = sentences
        self.masks = masks
        # Only "when" and "how many" questions look at dates, figures and counts: worked out
        # on first use, so a large corpus's passages do not all pay for them.
        self._flags: tuple[int, int] | None = None
        self._reach: tuple[frozenset[str], ...] | None = None
        self._marks: list[tuple[tuple[int, int, str], ...] | None] = [None] * len(sentences)

    def complete(self) -> Passage:
        """Work out the lazy parts now (an index of a small corpus does it while building)."""
        self.flags()
        _ = self.reach
        for i in range(len(self.sentences)):
            self.marks(i)
        return self

    @property
    def yearish(self) -> int:
        """Bit i set when sentence i has a year or a month name."""
        return self.flags()[0]

    @property
    def figure(self) -> int:
        """Bit i set when sentence i states a figure (`_figure`)."""
        return self.flags()[1]

    def flags(self) -> tuple[int, int]:
        found = self._flags
        if found is None:
            yearish = figure = 0
            for i, sentence in enumerate(self.sentences):
                if _YEARISH.search(sentence):
                    yearish |= 1 << i
                if _figure(sentence):
                    figure |= 1 << i
            found = self._flags = (yearish, figure)
        return found

    @property
    def reach(self) -> tuple[frozenset[str], ...]:
        """Per sentence, the terms of the words a number stands right before."""
        found = self._reach
        if found is None:
            found = self._reach = tuple(_reach(s) for s in self.sentences)
        return found

    def marks(self, i: int) -> tuple[tuple[int, int, str], ...]:
        """(start, end, term) of the words of sentence `i` that `bold` may wrap."""
        found = self._marks[i]
        if found is None:
            found = self._marks[i] = _marks(self.sentences[i])
        return found

    def scores(self, q: Scorer) -> list[float]:
        """`sentence_scores` of the passage's sentences, from the precomputed masks."""
        masks = self.masks
        n = len(self.sentences)
        # Per concept found here: (mask, weight) when one alternative is, else None and the
        # (mask, weight) of each, best weight first. One alternative is the common case.
        present: list[tuple[int, float, list[tuple[int, float]] | None]] = []
        anywhere = 0
        everything = (1 << n) - 1
        for alts in q.ranked:
            found: list[tuple[int, float]] = []
            for t, w in alts:
                m = everything
                for part in t:
                    m &= masks.get(part, 0)
                    if not m:
                        break
                if m:
                    found.append((m, w))
                    anywhere |= m
            if len(found) == 1:
                present.append((found[0][0], found[0][1], None))
            elif found:
                present.append((0, 0.0, found))
        scores = [0.0] * n
        if not anywhere:
            return scores
        intent = q.intent
        flagged = 0
        if intent in ("when", "count"):
            yearish, figure = self.flags()
            flagged = yearish if intent == "when" else figure
        i = 0
        rest = anywhere
        while rest:
            if rest & 1:
                bit = 1 << i
                score = 0.0
                for m, w, several in present:
                    if several is None:
                        if m & bit:
                            score += w  # == w + 0.3 * sum([]): the same float
                        continue
                    # weights best first, as sorted(reverse=True) would give them
                    ws = [w for m, w in several if m & bit]
                    if ws:
                        # the best alternative, plus a little for each further one (a phrase)
                        score += ws[0] + 0.3 * sum(ws[1:])
                if score > 0 and flagged & bit:
                    score += max(0.5, q.bonus)
                    if intent == "count" and not q.starts.isdisjoint(self.reach[i]):
                        score += q.bonus
                scores[i] = score
            rest >>= 1
            i += 1
        return scores

    def counts(self, q: Scorer) -> bool:
        """Does any sentence count a query word (`counts_concept`)?"""
        return any(not q.starts.isdisjoint(r) for r in self.reach)

    def bold(self, lo: int, hi: int, highlight: Collection[str]) -> str:
        """`bold(" ".join(sentences[lo : hi + 1]), highlight)`, from the precomputed marks."""
        text = " ".join(self.sentences[lo : hi + 1])
        if not highlight:
            return text
        spans: list[list[int]] = []
        offset = 0
        for i in range(lo, hi + 1):
            for s, e, t in self.marks(i):
                if t in highlight:
                    s += offset
                    if spans and text[spans[-1][1] : s].strip() == "":
                        spans[-1][1] = e + offset
                    else:
                        spans.append([s, e + offset])
            offset += len(self.sentences[i]) + 1
        return _wrap(text, spans)


def _reach(sentence: str) -> frozenset[str]:
    """Terms of the words a number stands right before, as `counts_concept` walks them."""
    toks = list(tx.tokens(sentence))
    out: set[str] = set()
    for i, (raw, _, end) in enumerate(toks):
        if not (raw[0].isdigit() or raw.lower() in _COUNT_WORDS) or tx.is_year(raw):
            continue
        prev = end
        for nxt, start, nend in toks[i + 1 : i + 4]:
            if sentence[prev:start] not in (" ", "-"):
                break
            out.add(tx.term(nxt))
            prev = nend
    return frozenset(out)


def _marks(sentence: str) -> tuple[tuple[int, int, str], ...]:
    urls = [m.span() for m in _URL.finditer(sentence)] if "://" in sentence else []
    term, normalize, stop = tx.term, tx.normalize_word, tx.STOP_WORDS
    out = []
    for m in tx._TOKEN.finditer(sentence):
        raw = m.group()
        s = m.start()
        if urls and any(a <= s < b for a, b in urls):
            continue
        if normalize(raw) not in stop:
            out.append((s, m.end(), term(raw)))
    return tuple(out)


# Bounded: passages recur query after query, but a large corpus must not keep them all.
PASSAGE_CACHE = 2048


@lru_cache(maxsize=PASSAGE_CACHE)
def analyse(text: str) -> Passage:
    """The (cached) analysis of a passage text; read-only once built, safe to share."""
    return Passage(text)


def sentence_scores(sentences: Sequence[str], concepts: Concepts, intent: str = "") -> list[float]:
    """How well each sentence answers: its concepts (best alternative each) plus the intent.

    A "how much" question is answered by the sentence with the figure, a "when" question by
    the one with the date; the bonus is worth one average concept of the query, so it
    decides between sentences that match equally well but never outweighs a missing topic.
    """
    bonus = 0.0
    if concepts:
        bonus = sum(max((w for _, w in alts), default=0.0) for alts in concepts) / len(concepts)
    scores: list[float] = []
    for s in sentences:
        ts = sentence_terms(s)
        score = 0.0
        for alts in concepts:
            found = sorted((w for t, w in alts if all(p in ts for p in t)), reverse=True)
            if found:
                # the best alternative, plus a little for each further one (a whole phrase)
                score += found[0] + 0.3 * sum(found[1:])
        if score > 0 and (
            (intent == "when" and _YEARISH.search(s)) or (intent == "count" and _figure(s))
        ):
            score += max(0.5, bonus)
            if intent == "count" and counts_concept(s, concepts):
                score += bonus
        scores.append(score)
    return scores


def passage_score(passage: str, concepts: Concepts, intent: str = "") -> float:
    """The score of the best sentence of a passage (for choosing a passage within a section)."""
    return max(analyse(passage).scores(Scorer(concepts, intent)))


def build_excerpt(
    passage: str,
    concepts: Concepts,
    highlight: Collection[str],
    intent: str = "",
    target: int = TARGET,
    limit: int = MAX_EXCERPT,
) -> str:
    """The best sentences of `passage` for `concepts`.

    Each concept is a list of (terms, weight) alternatives; an alternative is found in a
    sentence when all its terms are (a phrase like `maritime security` has two).
    """
    return excerpt_of(analyse(passage), Scorer(concepts, intent), highlight, target, limit)


def excerpt_of(
    p: Passage,
    q: Scorer,
    highlight: Collection[str],
    target: int = TARGET,
    limit: int = MAX_EXCERPT,
    scores: Sequence[float] | None = None,
) -> str:
    """`build_excerpt` on an analysed passage (`scores`: its sentence scores, if known)."""
    sentences = p.sentences
    if scores is None:
        scores = p.scores(q)
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i))
    lo = hi = best
    total = len(sentences[best])
    while True:
        left = lo - 1 if lo > 0 else None
        right = hi + 1 if hi + 1 < len(sentences) else None
        options = [i for i in (right, left) if i is not None]
        options = [i for i in options if total + 1 + len(sentences[i]) <= target]
        if not options:
            break
        pick = max(options, key=lambda i: scores[i])
        total += 1 + len(sentences[pick])
        lo, hi = min(lo, pick), max(hi, pick)
    room = limit - (1 if lo > 0 else 0) - (1 if hi < len(sentences) - 1 else 0)
    body_len = sum(len(s) for s in sentences[lo : hi + 1]) + hi - lo
    result = ""
    if body_len > room or total > target:
        if len(sentences[best]) > room:
            result = bold(_cut_long(sentences[best], highlight, room - 40), highlight)
            lo, hi = best, best
            prefix = ELLIPSIS if best > 0 and not result.startswith(ELLIPSIS) else ""
            suffix = ELLIPSIS if best < len(sentences) - 1 and not result.endswith(ELLIPSIS) else ""
            result = prefix + result + suffix
        else:
            lo = hi = best
    if not result:
        text = p.bold(lo, hi, highlight)
        while len(text) > room and hi > lo:
            if hi > best:
                hi -= 1
            else:
                lo += 1
            text = p.bold(lo, hi, highlight)
        if len(text) > room:
            text = text[: room - 1].rstrip() + ELLIPSIS
        result = (ELLIPSIS if lo > 0 else "") + text + (ELLIPSIS if hi < len(sentences) - 1 else "")
    return result[:limit]


def leading_excerpt(passage: str, limit: int = MAX_EXCERPT, target: int = TARGET) -> str:
    """The opening sentences of a passage, for showing a section without a query."""
    sentences = split_sentences(passage)
    if not sentences:
        return ""
    out: list[str] = []
    total = 0
    for s in sentences:
        if out and total + 1 + len(s) > target:
            break
        out.append(s)
        total += len(s) + 1
    body = " ".join(out)
    if len(body) > limit - 1:
        body = body[: limit - 2].rstrip() + ELLIPSIS
        return body
    return body + (ELLIPSIS if len(out) < len(sentences) else "")
