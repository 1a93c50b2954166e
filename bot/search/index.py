"""The stored search index: BM25 impacts over paragraphs, footnotes and photo captions.

Made by `bot.search.build` from nothing but a snapshot, so a reload can build it in a worker
thread and swap it in atomically; read-only after that, except for its memos (`memo.Memo`) of
values derived from the content on first use. Posting lists hold precomputed BM25 impacts
sorted best first; a query reads at most `POSTING_CAP` entries per term, which bounds the work
per query on a large corpus (the entries left unread are the ones that could not reach the
top).

Everything per unit or per posting lives in flat arrays (numpy, or `array`) with offsets,
never in per-unit Python objects: 50,000 sections make millions of postings, and a tuple each
would cost hundreds of megabytes and slow every garbage collection. Unit texts are not
copied: a unit is (section, kind, position).
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Iterable, KeysView
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from bot.content.model import Section, Snapshot
from bot.search import tokens as tx
from bot.search.memo import Memo
from bot.search.names import Name, NameIndex
from bot.search.passage import Passage
from bot.search.vocab import Vocabulary

POSTING_CAP = 1500
PARAGRAPH, FOOTNOTE, CAPTION = 0, 1, 2
BREADCRUMB_SEP = " › "
# Memo bounds: a corpus of up to this many units (sections) is kept whole, the bundled
# content many times over; a larger one keeps what recent queries used.
UNIT_MEMO = 2048
SECTION_MEMO = 2048

# A memoised set of term ids. The keys of a dict of ints, not a frozenset: the cyclic GC
# leaves such a dict untracked, so the thousands a large corpus makes cost no collection time.
TermSet = KeysView[int]


def term_set(ids: Iterable[int]) -> TermSet:
    return dict.fromkeys(ids).keys()


@dataclass(frozen=True, slots=True)
class SectionEntry:
    section: Section
    key: str
    breadcrumb: str
    unit_start: int
    unit_end: int
    text_chars: int


def phrase_term(phrase: tuple[str, ...]) -> str:
    """The index term of a synonym-table phrase (`maritime_security`)."""
    return "_".join(phrase)


@dataclass(eq=False, repr=False)  # identity: one build, one index; no repr of its arrays
class SearchIndex:
    """Everything a query needs, precomputed by `bot.search.build.build_index`."""

    snapshot: Snapshot
    sections: tuple[SectionEntry, ...]
    # terms: ids are dense, in first-seen order
    term_ids: dict[str, int]
    terms: list[str]
    df: array[int]
    idf: array[float]
    abbreviations: dict[str, str]  # folded short form -> long form
    phrases: dict[tuple[str, ...], list[tuple[str, ...]]]  # phrase -> phrases it may stand for
    vocab: Vocabulary
    named: bytes  # per term: 1 when the text only writes it capitalised (a name, a place)
    # units: unit u owns flat_terms[unit_off[u] : unit_off[u + 1]], its distinct term ids
    unit_section: array[int]
    unit_kind: bytes
    unit_pos: array[int]
    unit_off: array[int]
    flat_terms: array[int]
    # postings: term t owns post_off[t] : post_off[t + 1], sorted by impact, best first
    post_units: npt.NDArray[np.int32]
    post_impacts: npt.NDArray[np.float32]
    post_off: array[int]
    # titles, aliases and tags: section si owns title_off[si] : title_off[si + 1]
    title_off: array[int]
    title_tids: array[int]
    title_w: array[float]
    title_idf: array[float]
    section_names: tuple[tuple[Name, ...], ...]
    name_index: NameIndex
    long_terms: list[str]  # sorted; terms of 5+ letters, for related forms
    table_words: list[str]  # sorted; one-word entries of the synonym table
    n_units: int = field(init=False)
    # What queries read per unit and per section, kept as made (shared: do not modify):
    # a unit's passage analysed for sentence scores and excerpts, and its term ids as a set
    passages: Memo[int, Passage] = field(init=False)
    unit_sets: Memo[int, TermSet] = field(init=False)
    # term ids anywhere in a section (its text units, title, aliases and tags), those of the
    # titles above it and its own (its breadcrumb), and those of its title, aliases and tags
    # with their field weight (1.0, 0.9, 0.6)
    section_sets: Memo[int, TermSet] = field(init=False)
    heading_sets: Memo[int, TermSet] = field(init=False)
    title_maps: Memo[int, dict[int, float]] = field(init=False)
    _section_index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.n_units = len(self.unit_section)
        self.passages = Memo(UNIT_MEMO, SearchIndex._passage, self)
        self.unit_sets = Memo(UNIT_MEMO, SearchIndex._unit_set, self)
        self.section_sets = Memo(SECTION_MEMO, SearchIndex._section_set, self)
        self.heading_sets = Memo(SECTION_MEMO, SearchIndex._heading_set, self)
        self.title_maps = Memo(SECTION_MEMO, SearchIndex._title_map, self)
        self._section_index = {e.key: i for i, e in enumerate(self.sections)}

    # -- sections and units

    def entry(self, key: str) -> SectionEntry | None:
        i = self._section_index.get(key)
        return self.sections[i] if i is not None else None

    def section_idx(self, key: str) -> int | None:
        return self._section_index.get(key)

    def unit_text(self, u: int) -> str:
        section = self.sections[self.unit_section[u]].section
        kind, pos = self.unit_kind[u], self.unit_pos[u]
        if kind == PARAGRAPH:
            return section.paragraphs[pos]
        if kind == FOOTNOTE:
            return section.footnotes[pos].text
        return section.captions[pos]

    def unit_terms(self, u: int) -> array[int]:
        """The distinct term ids of unit `u`, ascending."""
        return self.flat_terms[self.unit_off[u] : self.unit_off[u + 1]]

    # -- terms

    def postings(self, term_id: int, cap: int = POSTING_CAP) -> tuple[np.ndarray, np.ndarray]:
        """(units, impacts) of a term, best first, at most `cap` of them."""
        start = self.post_off[term_id]
        end = min(self.post_off[term_id + 1], start + cap)
        return self.post_units[start:end], self.post_impacts[start:end]

    def related_terms(self, t: str) -> list[str]:
        """Known terms sharing a long prefix: `disqualify` ~ `disqualification`."""
        # Candidates in the order they were first seen, as a stable tie-break for the cap.
        return _prefix_related(self.long_terms, t, self.term_ids.__getitem__)

    def related_table_words(self, t: str) -> list[str]:
        """Words of the synonym table sharing a long prefix with term `t`: a derived form
        (`prioritise`) may stand for the table's word (`priority`) and its synonyms. Only by
        a shared stem of seven letters or more: `navalny` is not a form of `naval`, nor
        `stream` of `streamline`."""
        return _prefix_related(self.table_words, t, None, strict=True)

    def warm(self) -> None:
        """Work out what queries read per unit and per section when the memos hold all of it
        (a corpus of the bundled size, many times over), so the first query is not the slow
        one. A larger corpus fills them as queries come: a part chosen in advance would only
        cost memory (50,000 sections: +31 MB)."""
        if self.n_units > UNIT_MEMO or len(self.sections) > SECTION_MEMO:
            return
        self.passages.fill(range(self.n_units))
        for p in self.passages.values():
            p.complete()
        self.unit_sets.fill(range(self.n_units))
        self.section_sets.fill(range(len(self.sections)))
        self.heading_sets.fill(range(len(self.sections)))
        self.title_maps.fill(range(len(self.sections)))

    # -- what the memos make

    def _passage(self, u: int) -> Passage:
        return Passage(self.unit_text(u))

    def _unit_set(self, u: int) -> TermSet:
        return term_set(self.unit_terms(u))

    def _section_set(self, si: int) -> TermSet:
        entry = self.sections[si]
        out = dict.fromkeys(self.title_tids[self.title_off[si] : self.title_off[si + 1]])
        out.update(
            dict.fromkeys(
                self.flat_terms[self.unit_off[entry.unit_start] : self.unit_off[entry.unit_end]]
            )
        )
        return out.keys()

    def _heading_set(self, si: int) -> TermSet:
        ids = self.term_ids
        return term_set(ids[t] for t in tx.terms(self.sections[si].breadcrumb) if t in ids)

    def _title_map(self, si: int) -> dict[int, float]:
        a, b = self.title_off[si], self.title_off[si + 1]
        return dict(zip(self.title_tids[a:b], self.title_w[a:b], strict=True))


def _prefix_related(
    ordered: list[str], t: str, order: Callable[[str], int] | None, strict: bool = False
) -> list[str]:
    """Up to 8 words of `ordered` (sorted) that are `t` with another ending: one is the other
    plus at most four letters, or both share six letters and four fifths of the shorter.
    `strict`: only a shared stem of seven letters and four fifths of the longer word."""
    if len(t) < 5 or t[0].isdigit():
        return []
    head = t[:5]
    lo = bisect.bisect_left(ordered, head)
    hi = bisect.bisect_left(ordered, head + "\U0010ffff", lo)
    bucket = ordered[lo:hi] if order is None else sorted(ordered[lo:hi], key=order)
    out = []
    for cand in bucket:
        if cand == t:
            continue
        short, long = (t, cand) if len(t) <= len(cand) else (cand, t)
        if not strict and long.startswith(short) and len(long) - len(short) <= 4:
            out.append(cand)
            continue
        common = 0
        for a, b in zip(t, cand, strict=False):
            if a != b:
                break
            common += 1
        if strict:
            if common >= 7 and common >= 0.8 * len(long):
                out.append(cand)
        elif common >= 6 and common >= 0.8 * len(short):
            out.append(cand)
    return out[:8]
