"""A passage analysed once for every query: its sentences, which terms each holds, where the
dates, figures and counts are, and which words may be bolded; and the one sentence scorer.

How well a sentence answers is the sum, over the query's concepts, of the concept's best
alternative in it (a phrase's further alternatives add a little); a "when" question prefers
the sentence with a date and a "how many" question the one with a figure, by one average
concept, and more when a number stands right before the thing asked about (`three Summit
Meetings`). The bonus decides between sentences that match equally well; it never outweighs
a missing topic.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from functools import lru_cache

from bot.search import tokens as tx
from bot.text import split_sentences

_URL = re.compile(r"https?://\S+")
_YEARISH = re.compile(
    r"\b(1[89]\d\d|20\d\d|January|February|March|April|May|June|July|August|September|"
    r"October|November|December)\b"
)
_NUMBER_WORDS = (
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    "hundred|hundreds|thousand|thousands|million|millions|billion|trillion|dozen|dozens"
)
COUNT_WORDS = frozenset(_NUMBER_WORDS.split("|"))
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

# Per concept, its alternatives as (the terms that must all be in one sentence, weight).
Concepts = Sequence[Sequence[tuple[tuple[str, ...], float]]]
# term -> the (start, end) of each word under it that bold may wrap, in one sentence
Marks = dict[str, list[tuple[int, int]]]


def is_yearish(sentence: str) -> bool:
    """Has the sentence a year or a month name?"""
    return _YEARISH.search(sentence) is not None


def states_figure(sentence: str) -> bool:
    """Does the sentence state a figure (an amount, a share, a count), not only a date?"""
    return _FIGURE.search(_DATE.sub(" ", sentence)) is not None


def counted_terms(sentence: str) -> frozenset[str]:
    """Terms of the words a number stands right before, within one noun phrase:
    `600 Japan-related events`, not `2+2" Meeting`."""
    toks = tx.tokens(sentence)
    out: set[str] = set()
    for i, (raw, _, end) in enumerate(toks):
        if not (raw[-1].isdigit() or raw.lower() in COUNT_WORDS) or tx.is_year(raw):
            continue
        prev = end
        for nxt, start, nend in toks[i + 1 : i + 4]:
            if sentence[prev:start] not in (" ", "-"):
                break
            out.add(tx.term(nxt))
            prev = nend
    return frozenset(out)


def marks(sentence: str) -> Marks:
    """The words of `sentence` that bold may wrap, by term: no stop words, nothing inside a
    URL; a hyphenated word also as a whole, under its joined term (`socio-economic`). By
    term, so bolding reads only the few terms a query highlights, not every word."""
    out: dict[str, list[tuple[int, int]]] = {}
    boldable = _boldable
    for m in tx.TOKEN.finditer(sentence):
        t = boldable(m.group())
        if t is not None:
            spans = out.get(t)
            if spans is None:
                out[t] = [m.span()]
            else:
                spans.append(m.span())
    if "-" in sentence:
        for start, end, t in tx.compounds(sentence):
            out.setdefault(t, []).append((start, end))
    if "://" in sentence:
        urls = [m.span() for m in _URL.finditer(sentence)]
        inside = {
            t: [w for w in spans if not any(a <= w[0] < b for a, b in urls)]
            for t, spans in out.items()
        }
        out = {t: spans for t, spans in inside.items() if spans}
    return out


@lru_cache(maxsize=65_536)
def _boldable(raw: str) -> str | None:
    """The term of a raw token that bold may wrap, or None for a stop word."""
    return None if tx.normalize_word(raw) in tx.STOP_WORDS else tx.term(raw)


def bold_run(
    sentences: Sequence[str],
    marked: Sequence[Marks],
    highlight: Collection[str],
    patterns: Sequence[re.Pattern[str]] = (),
) -> str:
    """The sentences joined by spaces, each marked word whose term is in `highlight` (and each
    match of `patterns`: glued forms such as `G7`) wrapped in `**`, neighbours merged into one
    run (`**Trade rose**`)."""
    text = " ".join(sentences)
    if not highlight and not patterns:
        return text
    found: list[tuple[int, int]] = []
    offset = 0
    for sentence, words in zip(sentences, marked, strict=True):
        for t in words.keys() & highlight:
            found.extend((s + offset, e + offset) for s, e in words[t])
        offset += len(sentence) + 1
    if patterns:
        found.extend(m.span() for p in patterns for m in p.finditer(text))
    found.sort()
    spans: list[list[int]] = []
    for s, e in found:
        if spans and (s <= spans[-1][1] or text[spans[-1][1] : s].strip() == ""):
            spans[-1][1] = max(spans[-1][1], e)  # a compound holds its parts
        else:
            spans.append([s, e])
    parts: list[str] = []
    pos = 0
    for s, e in spans:
        parts.append(text[pos:s])
        parts.append(f"**{text[s:e]}**")
        pos = e
    parts.append(text[pos:])
    return "".join(parts)


def _weight(alt: tuple[tuple[str, ...], float]) -> float:
    return alt[1]


class Scorer:
    """The query side of sentence scoring, worked out once per query.

    `ranked`: per concept its alternatives, best weight first (stable), so the weights a
    sentence matches come out best first. `bonus`: the intent bonus, one average concept.
    `starts`: the first words of all alternatives, which a number must stand right before
    for a sentence to count the thing asked about. `anchors`: per concept, whether it names
    a month, a place or a figure, which the excerpt must show: a sentence holding one gets
    the bonus once more for each (so one holding both of a pair wins).
    """

    __slots__ = ("anchors", "bonus", "concepts", "intent", "ranked", "starts")

    def __init__(self, concepts: Concepts, intent: str = "", anchors: Sequence[bool] = ()) -> None:
        self.concepts = concepts
        self.ranked = tuple(
            tuple(sorted(alts, key=_weight, reverse=True)) if len(alts) > 1 else tuple(alts)
            for alts in concepts
        )
        self.intent = intent
        self.anchors = tuple(anchors) or (False,) * len(concepts)
        self.bonus = 0.0
        if concepts:
            best = (max((w for _, w in alts), default=0.0) for alts in concepts)
            self.bonus = sum(best) / len(concepts)
        self.starts = frozenset(t[0] for alts in concepts for t, _ in alts if t)


class Passage:
    """A passage's sentences, with a bit mask per term (bit i: sentence i holds it).

    Dates, figures, counted terms and boldable words are worked out on first use: only
    "when" and "how many" questions read the first three, only excerpts the last, and a large
    corpus analyses passages while it answers. `complete` works them all out at once.
    """

    __slots__ = ("_flags", "_marks", "_reach", "masks", "sentences")

    def __init__(self, text: str) -> None:
        sentences = tuple(split_sentences(text) or [text])
        masks: dict[str, int] = {}
        term = tx.term
        findall = tx.TOKEN.findall
        for i, sentence in enumerate(sentences):
            bit = 1 << i
            found = set(map(term, findall(sentence)))
            if "-" in sentence:
                found.update(j for *_, j in tx.compounds(sentence))
            for t in found:
                if t:
                    masks[t] = masks.get(t, 0) | bit
        self.sentences = sentences
        self.masks = masks
        self._flags: tuple[int, int] | None = None
        self._reach: tuple[frozenset[str], ...] | None = None
        self._marks: list[Marks | None] = [None] * len(sentences)

    def complete(self) -> Passage:
        self.flags()
        self.reach()
        for i in range(len(self.sentences)):
            self.marks(i)
        return self

    def flags(self) -> tuple[int, int]:
        """(yearish, figure): bit i set when sentence i has a year or month / states a figure."""
        found = self._flags
        if found is None:
            yearish = figure = 0
            for i, sentence in enumerate(self.sentences):
                if is_yearish(sentence):
                    yearish |= 1 << i
                if states_figure(sentence):
                    figure |= 1 << i
            found = self._flags = (yearish, figure)
        return found

    def reach(self) -> tuple[frozenset[str], ...]:
        """Per sentence, `counted_terms`."""
        found = self._reach
        if found is None:
            found = self._reach = tuple(counted_terms(s) for s in self.sentences)
        return found

    def marks(self, i: int) -> Marks:
        found = self._marks[i]
        if found is None:
            found = self._marks[i] = marks(self.sentences[i])
        return found

    def holding(self, alts: Sequence[tuple[tuple[str, ...], float]]) -> int:
        """The mask of the sentences that hold any of a concept's alternatives."""
        everything = (1 << len(self.sentences)) - 1
        out = 0
        for terms, _ in alts:
            m = everything
            for part in terms:
                m &= self.masks.get(part, 0)
            out |= m
        return out

    def counts(self, q: Scorer) -> bool:
        """Does a number stand right before a query word in any sentence?"""
        return any(not q.starts.isdisjoint(r) for r in self.reach())

    def bold(
        self,
        lo: int,
        hi: int,
        highlight: Collection[str],
        patterns: Sequence[re.Pattern[str]] = (),
    ) -> str:
        """Sentences lo..hi joined, the words of `highlight` (and matches of `patterns`) in bold."""
        found = [self.marks(i) for i in range(lo, hi + 1)]
        return bold_run(self.sentences[lo : hi + 1], found, highlight, patterns)

    def scores(self, q: Scorer) -> list[float]:
        """How well each sentence answers the query (see the module's docstring)."""
        present, anywhere, anchored = self._present(q)
        scores = [0.0] * len(self.sentences)
        if not anywhere:
            return scores
        flagged = 0
        if q.intent in ("when", "count"):
            yearish, figure = self.flags()
            flagged = yearish if q.intent == "when" else figure
        i = 0
        rest = anywhere
        while rest:
            if rest & 1:
                bit = 1 << i
                score = 0.0
                for m, w, several in present:
                    if several is None:
                        if m & bit:
                            score += w  # one alternative: w + 0.3 * 0 is w
                        continue
                    ws = [w for m, w in several if m & bit]  # best first
                    if ws:
                        score += ws[0] + 0.3 * sum(ws[1:])
                for m in anchored:
                    if m & bit:
                        score += q.bonus
                if score > 0 and flagged & bit:
                    score += max(0.5, q.bonus)
                    if q.intent == "count" and not q.starts.isdisjoint(self.reach()[i]):
                        score += q.bonus
                scores[i] = score
            rest >>= 1
            i += 1
        return scores

    def _present(
        self, q: Scorer
    ) -> tuple[list[tuple[int, float, list[tuple[int, float]] | None]], int, list[int]]:
        """Per concept found in the passage: (mask, weight, None) when one alternative is
        found (the common case), else (0, 0.0, the (mask, weight) of each found, best first);
        the mask of the sentences holding any; per anchor concept found, the mask of the
        sentences holding it."""
        masks = self.masks
        everything = (1 << len(self.sentences)) - 1
        present: list[tuple[int, float, list[tuple[int, float]] | None]] = []
        anchored: list[int] = []
        anywhere = 0
        for alts, anchor in zip(q.ranked, q.anchors, strict=True):
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
            if anchor and found:
                mask = 0
                for m, _ in found:
                    mask |= m
                anchored.append(mask)
        return present, anywhere, anchored
