"""Footnote markers whose notes are missing: texts cut short before (or inside) their notes.

Without a note to pair with, a glued number is a marker only on the evidence of shape,
sequence and position: markers are glued to the end of a word or a closing bracket
(`Forum.2`, `(IAEA)5`, `Relations3`) and rise 1, 2, 3 through a page, while names and
figures (`G20`, `PALM9` printed again elsewhere, `(ASM3)`, `FY20`, `No.2`, `CO2`) do not.
Candidates are found by shape (`candidates`), and only those on a chain that rises by one
to three at each step in document order are taken (`accept`).

Hand-written: no library tells footnote markers from numbers in names. Measured on the 15
pages in tests/data/raw, the shape filter alone flags 51 glued numbers, all of them real
markers; the chain guards against names that the filter cannot know (`CSP4 ... CSP5`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.ingest import footnotes

# 1-3 digits glued to a character that is neither a space nor a digit; a longer run of
# digits (`FY2019`, `2021`) never matches, nor does its tail.
_GLUED = re.compile(r"(?<=[^\s\d])[1-9]\d{0,2}(?!\d)")
_WORD_BEFORE = re.compile(r"([A-Za-z]+)$")
_NAME_TOKEN = re.compile(r"(?<![A-Za-z])([A-Za-z]+\d{1,3})(?!\d)")
# Letters that make the digits after them a name, a unit or a reference, not a marker.
_NAME_WORDS = frozenset(
    {"FY", "CO", "NO", "SO", "CH", "PM", "km", "cm", "mm", "m", "kg", "No", "Nos", "Vol"}
)
# `No.2`, `Vol.3`, `Art.5`, `p.4`, `para.6`: a reference, not a sentence end.
_REFERENCE = re.compile(
    r"(?<![A-Za-z])(?:No|Nos|Vol|Art|Arts|p|pp|para|Para|Fig|Chap|ch|Ver|ver|v)\.$"
)
MAX_STEP = 3  # a chain may skip two numbers (markers printed in captions, lost in copying)
MIN_UNANCHORED = 3  # markers a chain starting above MAX_STEP needs, unless all are strong
ANCHOR_WEIGHT = 1000


@dataclass(frozen=True, slots=True)
class Spot:
    """A glued number at `key` (any order-preserving position) and how sure it is.

    `sure` spots are markers already (paired with a note, or after `<Title>`); they are
    evidence for the chain and never rejected.
    """

    key: tuple[int, int, int]
    number: str
    sure: bool = False
    strong: bool = False  # glued after punctuation or a bracket, not after a letter


def name_tokens(texts: Iterable[str]) -> Counter[str]:
    """How often each word-with-digits (`PALM9`, `ASM3`) is printed in the text."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(_NAME_TOKEN.findall(text))
    return counts


def candidates(text: str, names: Counter[str]) -> list[tuple[int, str]]:
    """(offset, digits) of every number in `text` shaped like a glued footnote marker."""
    return [
        (m.start(), m.group())
        for m in _GLUED.finditer(text)
        if is_candidate(text, m.start(), m.group(), names)
    ]


def strong(text: str, pos: int) -> bool:
    """A number glued after punctuation or a bracket (`Forum.2`, `(IAEA)5`) is rarely
    anything but a marker; one glued to a letter (`EPA1`, `COP26`) may be a name."""
    return not text[pos - 1].isalpha()


def is_candidate(text: str, pos: int, number: str, names: Counter[str]) -> bool:
    """Shape of a marker at `text[pos:]`, and not a name, unit, reference or figure."""
    end = pos + len(number)
    if not footnotes.can_be_marker(text, pos, number):
        return False
    if text[end : end + 1] in (".", ",") and text[end + 1 : end + 2].isdigit():
        return False  # `PM2.5`, `5.0`: a decimal
    if _REFERENCE.search(text[:pos]):
        return False
    if text[pos - 1] == ":" and text[pos - 2 : pos - 1].isdigit():
        return False  # `10:30`, `3:1`: a time or a ratio
    word = _WORD_BEFORE.search(text[:pos])
    if word is None:
        return True
    letters = word.group(1)
    if letters in _NAME_WORDS:
        return False
    if names[letters + number] > 1:
        return False  # `PALM9` printed more than once is a name
    start = word.start(1)
    # `(ASM3)`, `(CSP5)`: a name given in brackets; a marker stands after the bracket.
    return not (text[start - 1 : start] == "(" and text[end : end + 1] == ")")


@dataclass(slots=True)
class _Link:
    weight: int
    length: int
    start: int
    anchored: bool
    all_strong: bool
    previous: int  # index of the spot before this one on the chain, or -1


def accept(spots: list[Spot]) -> set[tuple[int, int, int]]:
    """Keys of the spots that are markers: the sure ones, and those on accepted chains.

    The page's best chain (most sure spots, then most spots) is taken first; the text
    before and after it may hold further chains that start again near 1 or take in a sure
    spot (numbering restarts in a chapter of several parts).
    """
    spots = sorted(spots, key=lambda s: s.key)
    taken = {s.key for s in spots if s.sure}
    pending = [spots]
    first = True
    for _ in range(3 * len(spots) + 1):  # each round takes a spot or drops a part
        if not pending:
            break
        part = pending.pop()
        chain = _best_chain(part, _valid if first else _restarts)
        first = False
        if chain:
            taken.update(part[i].key for i in chain)
            pending.extend(p for p in (part[: chain[0]], part[chain[-1] + 1 :]) if p)
    return taken


def _best_chain(spots: list[Spot], valid: Callable[[_Link], bool]) -> list[int]:
    """Indices of the best valid chain in `spots`, or [] when there is none."""
    links: list[_Link] = []
    best_at: dict[int, int] = {}  # number -> index of the best link ending on it so far
    for i, spot in enumerate(spots):
        value = int(spot.number)
        weight = ANCHOR_WEIGHT if spot.sure else 1
        link = _Link(weight, 1, value, spot.sure, spot.strong, -1)
        for step in range(1, MAX_STEP + 1):
            j = best_at.get(value - step)
            if j is None:
                continue
            prev = links[j]
            if (prev.weight + weight, prev.length + 1) > (link.weight, link.length):
                link = _Link(
                    prev.weight + weight,
                    prev.length + 1,
                    prev.start,
                    prev.anchored or spot.sure,
                    prev.all_strong and spot.strong,
                    j,
                )
        links.append(link)
        held = best_at.get(value)
        if held is None or (link.weight, link.length) > (links[held].weight, links[held].length):
            best_at[value] = i
    ends = [i for i, link in enumerate(links) if valid(link)]
    if not ends:
        return []
    end = max(ends, key=lambda i: (links[i].weight, links[i].length, -i))
    chain: list[int] = []
    for _ in range(len(links)):
        chain.append(end)
        end = links[end].previous
        if end < 0:
            break
    return chain[::-1]


def _restarts(link: _Link) -> bool:
    return link.anchored or link.start <= MAX_STEP


def _valid(link: _Link) -> bool:
    """A chain starts near 1, or takes in a marker with a note, or is long enough or glued
    after punctuation throughout, as on a page that goes on with its chapter's numbers
    (`Ukraine.12`, `EPA13`, `Relations14`)."""
    return (
        link.anchored or link.start <= MAX_STEP or link.length >= MIN_UNANCHORED or link.all_strong
    )
