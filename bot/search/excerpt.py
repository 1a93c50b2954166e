"""Excerpts: the best-matching whole sentences of a passage, query words in bold.

A user reads the excerpt instead of the section, so it must contain what they asked for
(the figure, the date) and read as prose: whole sentences, an ellipsis wherever text was left
out, never more than `MAX_EXCERPT` characters.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from bot.search import tokens as tx
from bot.search.passage import Concepts, Passage, Scorer, bold_run, marks
from bot.text import ELLIPSIS

MAX_EXCERPT = 1000
TARGET = 700


def bold(text: str, highlight: Collection[str], patterns: Sequence[re.Pattern[str]] = ()) -> str:
    """Wrap words whose index term is in `highlight` (and matches of `patterns`) in `**`,
    merging neighbours; not in URLs."""
    if not highlight and not patterns:
        return text
    return bold_run((text,), (marks(text),), highlight, patterns)


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
    return excerpt_of(Passage(passage), Scorer(concepts, intent), highlight, target, limit)


def excerpt_of(
    p: Passage,
    q: Scorer,
    highlight: Collection[str],
    target: int = TARGET,
    limit: int = MAX_EXCERPT,
    scores: Sequence[float] | None = None,
    patterns: Sequence[re.Pattern[str]] = (),
) -> str:
    """`build_excerpt` on an analysed passage (`scores`: its sentence scores, if known;
    `patterns`: glued forms to bold as a whole, `G7`)."""
    return excerpt_span(p, q, highlight, target, limit, scores, patterns)[0]


def excerpt_span(
    p: Passage,
    q: Scorer,
    highlight: Collection[str],
    target: int = TARGET,
    limit: int = MAX_EXCERPT,
    scores: Sequence[float] | None = None,
    patterns: Sequence[re.Pattern[str]] = (),
) -> tuple[str, int]:
    """`excerpt_of`, and the mask of the sentences it shows (bit i: sentence i)."""
    sentences = p.sentences
    if scores is None:
        scores = p.scores(q)
    best = scores.index(max(scores))  # the first of the best
    lo, hi, total = _grow(sentences, scores, best, target)
    last = len(sentences) - 1
    room = limit - (1 if lo > 0 else 0) - (1 if hi < last else 0)
    body_len = sum(len(s) for s in sentences[lo : hi + 1]) + hi - lo
    if body_len > room or total > target:
        if len(sentences[best]) > room:
            cut = bold(_cut_long(sentences[best], highlight, room - 40), highlight, patterns)
            prefix = ELLIPSIS if best > 0 and not cut.startswith(ELLIPSIS) else ""
            suffix = ELLIPSIS if best < last and not cut.endswith(ELLIPSIS) else ""
            if prefix + cut + suffix:
                return (prefix + cut + suffix)[:limit], 1 << best
        lo = hi = best
    text = p.bold(lo, hi, highlight, patterns)
    while len(text) > room and hi > lo:
        if hi > best:
            hi -= 1
        else:
            lo += 1
        text = p.bold(lo, hi, highlight, patterns)
    if len(text) > room:
        text = text[: room - 1].rstrip() + ELLIPSIS
    result = (ELLIPSIS if lo > 0 else "") + text + (ELLIPSIS if hi < last else "")
    return result[:limit], ((1 << (hi + 1)) - 1) ^ ((1 << lo) - 1)


def joined(first: str, second: str) -> str:
    """Two excerpts of one section, an ellipsis between them."""
    return first.removesuffix(ELLIPSIS) + f" {ELLIPSIS} " + second.removeprefix(ELLIPSIS)


def _grow(
    sentences: Sequence[str], scores: Sequence[float], best: int, target: int
) -> tuple[int, int, int]:
    """(lo, hi, characters): sentences around `best`, the better neighbour first, while they
    fit in `target` characters."""
    lo = hi = best
    total = len(sentences[best])
    n = len(sentences)
    while True:
        right = hi + 1 < n and total + 1 + len(sentences[hi + 1]) <= target
        left = lo > 0 and total + 1 + len(sentences[lo - 1]) <= target
        if left and (not right or scores[lo - 1] > scores[hi + 1]):  # a tie: the right one
            lo -= 1
            total += 1 + len(sentences[lo])
        elif right:
            hi += 1
            total += 1 + len(sentences[hi])
        else:
            return lo, hi, total


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


def leading_excerpt(
    sentences: Sequence[str], limit: int = MAX_EXCERPT, target: int = TARGET
) -> str:
    """The opening sentences of a passage, for showing a section without a query."""
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
        return body[: limit - 2].rstrip() + ELLIPSIS
    return body + (ELLIPSIS if len(out) < len(sentences) else "")
