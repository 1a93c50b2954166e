"""The search index: BM25 impacts over paragraphs, footnotes and photo captions.

Built once per content snapshot, from nothing but the snapshot, so a reload can build it in a
worker thread and swap it in atomically. Posting lists hold precomputed BM25 impacts sorted
best first; a query reads at most `POSTING_CAP` entries per term, which bounds the work per
query on a large corpus (the entries left unread are the ones that could not reach the top).

Memory and build time scale with the corpus, so everything per unit or per posting lives in
flat arrays (numpy, or `array`) with offsets, never in per-unit Python objects: 50,000 sections
make millions of postings, and a tuple or dict each would cost hundreds of megabytes and slow
every garbage collection down. Unit texts are not copied: a unit is (section, kind, position).
"""

from __future__ import annotations

import bisect
import heapq
import sys
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import numpy.typing as npt

from bot.content.model import Section, Snapshot
from bot.search import tokens as tx
from bot.search.excerpt import Passage, analyse
from bot.search.memo import LRU
from bot.search.names import Name, make_name
from bot.search.synonyms import GENERIC_ABBREVIATIONS, SYNONYM_GROUPS, find_abbreviations
from bot.search.vocab import Vocabulary

K1 = 1.2
B = 0.6
POSTING_CAP = 1500
PARAGRAPH, FOOTNOTE, CAPTION = 0, 1, 2
# Every caption is a photo: "photo of the summit" should find captions.
CAPTION_TERMS: tuple[str, ...] = ("photo",)
BREADCRUMB_SEP = " › "
# Sorting a few hundred thousand strings in one call holds the GIL for a noticeable time while
# the event loop wants to run (the index is built in a worker thread); sort in chunks and merge.
SORT_CHUNK = 20_000
# Per-index caches of things queries derive again and again (bounded: a large corpus has more
# sections than are worth keeping; the bundled content fits whole).
SECTION_TERMS_CACHE = 1024
QUERY_CACHE = 1024
CONCEPT_CACHE = 4096
ALT_SCORES_CACHE = 512
# Up to this many passages, each is analysed for excerpts while building (sentences, terms,
# figures: `excerpt.Passage`), so no query pays for it; a larger corpus analyses a passage on
# first use and keeps the most recent ones (`excerpt.analyse`, the same bound).
EAGER_PASSAGES = 2048


@dataclass(frozen=True, slots=True)
class SectionEntry:
    section: Section
    key: str
    breadcrumb: str
    unit_start: int
    unit_end: int
    text_chars: int


def phrase_term(phrase: tuple[str, ...]) -> str:
    return "_".join(phrase)


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(t for t in tx.terms(text) if t not in STOP_TERMS)


STOP_TERMS: frozenset[str] = frozenset(tx.STOP_WORDS) | frozenset(tx.stem(w) for w in tx.STOP_WORDS)


def chunked_sorted(items: Iterable[str]) -> list[str]:
    """sorted(items), in chunks merged in Python, so no single call holds the GIL for long."""
    pool = list(items)
    runs = [sorted(pool[i : i + SORT_CHUNK]) for i in range(0, len(pool), SORT_CHUNK)]
    return list(heapq.merge(*runs))


# numpy holds the GIL while casting and in np.repeat: on 3 million postings each was one
# 26-36 ms call that stalled the event loop during a reload. Done in slices instead.
GIL_CHUNK = 262_144


def _as_float64(values: npt.NDArray[np.int32]) -> npt.NDArray[np.float64]:
    """values.astype(np.float64), a slice at a time."""
    out = np.empty(len(values), dtype=np.float64)
    for i in range(0, len(values), GIL_CHUNK):
        out[i : i + GIL_CHUNK] = values[i : i + GIL_CHUNK]
    return out


def _unit_of(offs: npt.NDArray[np.int64], per_unit: npt.NDArray[np.int64]) -> npt.NDArray[np.int32]:
    """np.repeat(arange(n_units), per_unit): the unit of every flat entry, a slice at a time."""
    n_units = len(per_unit)
    out = np.empty(int(offs[-1]) if len(offs) else 0, dtype=np.int32)
    step = max(1, GIL_CHUNK // 64)
    for a in range(0, n_units, step):
        b = min(a + step, n_units)
        out[offs[a] : offs[b]] = np.repeat(np.arange(a, b, dtype=np.int32), per_unit[a:b])
    return out


class UnitTerms(Sequence["array[int]"]):
    """`index.unit_terms[u]`: the distinct term ids of unit `u`, ascending, as an array slice.

    One flat array with offsets instead of an array object per unit (50,000+ of them).
    """

    __slots__ = ("_flat", "_off")

    def __init__(self, flat: array[int], off: array[int]) -> None:
        self._flat = flat
        self._off = off

    def __len__(self) -> int:
        return len(self._off) - 1

    @overload
    def __getitem__(self, u: int) -> array[int]: ...
    @overload
    def __getitem__(self, u: slice) -> Sequence[array[int]]: ...
    def __getitem__(self, u: int | slice) -> array[int] | Sequence[array[int]]:
        if isinstance(u, slice):
            return [self[i] for i in range(*u.indices(len(self)))]
        if u < 0:
            u += len(self)
        if not 0 <= u < len(self):
            raise IndexError(u)
        return self._flat[self._off[u] : self._off[u + 1]]

    def __call__(self, u: int) -> array[int]:
        """`index.unit_terms(u)`, the same as `index.unit_terms[u]`."""
        return self[u]


class SearchIndex:
    """Everything a query needs, precomputed. Read-only after construction."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        entries: list[SectionEntry] = []
        unit_section = array("i")
        unit_kind = bytearray()
        unit_pos = array("i")
        unit_off = array("q", [0])  # unit u owns flat entries unit_off[u]:unit_off[u + 1]
        flat_terms = array("i")  # per unit: its distinct term ids, ascending
        flat_tf = array("i")  # ... and their counts
        unit_len = array("i")
        term_ids: dict[str, int] = {}
        surface: Counter[str] = Counter()  # word -> units it occurs in
        compounds: dict[str, tuple[str, ...]] = {}
        title_off = array("q", [0])
        title_tids = array("i")
        title_w = array("d")
        names: list[tuple[Name, ...]] = []
        intern = sys.intern

        id_terms: list[str] = []
        # Phrase -> its term ids, once every word of it has an id; until then the phrase waits
        # under a word it lacks, and is resolved when that word first gets an id.
        phrase_ids: dict[tuple[str, ...], tuple[int, ...]] = {}
        waiting: dict[str, list[tuple[str, ...]]] = {}

        def resolve(ph: tuple[str, ...]) -> None:
            for c in ph:
                if c not in term_ids:
                    waiting.setdefault(c, []).append(ph)
                    return
            phrase_ids[ph] = tuple(term_ids[c] for c in ph)

        def tid(t: str) -> int:
            i = term_ids.get(t)
            if i is None:
                t = intern(t)
                i = term_ids[t] = len(id_terms)
                id_terms.append(t)
                pending = waiting.pop(t, None)
                if pending:
                    for ph in pending:
                        resolve(ph)
            return i

        texts_for_abbrev = (
            p for doc in snapshot.documents for s in doc.sections for p in s.paragraphs
        )
        self.abbreviations = self._abbreviations(texts_for_abbrev)
        self.phrases = self._phrases()
        # Multi-word phrases of the synonym table become terms of their own (`maritime_security`),
        # so that a paraphrase matches the phrase, not any passage with `security` in it.
        starts: dict[str, list[tuple[str, ...]]] = {}
        for ph in {p for k, v in self.phrases.items() for p in (k, *v) if len(p) > 1}:
            starts.setdefault(ph[0], []).append(ph)
            resolve(ph)
        starts_by_id: dict[int, list[tuple[str, ...]]] = {}
        findall = tx._TOKEN.findall
        word_and_term = tx.word_and_term

        seen_chunks: set[str] = set()  # hyphenated chunks already looked at (this build only)
        raw_word: dict[str, str] = {}  # raw token -> surface word (this build only)
        raw_tid: dict[str, int] = {}  # raw token -> term id, -1 for stop words

        def learn(r: str) -> None:
            w, t = word_and_term(r)
            i = -1
            if t and t not in STOP_TERMS:
                i = tid(t)
                if t in starts:
                    starts_by_id[i] = starts[t]
            raw_word[r] = intern(w)
            raw_tid[r] = i

        def add_unit(si: int, kind: int, pos: int, body: str) -> None:
            raws = findall(body)
            uniq = dict.fromkeys(raws)  # first-seen order, so term ids do not depend on hashing
            for r in uniq:
                if r not in raw_tid:
                    learn(r)
            # map/filter run in C: this loop sees every token of the corpus.
            ts = list(filter((-1).__ne__, map(raw_tid.__getitem__, raws)))
            words = set(map(raw_word.__getitem__, uniq))
            words.discard("")
            surface.update(words)
            extra: list[int] = []
            present = starts_by_id.keys() & ts
            if present:
                # Find the phrase starters with list.index (C) instead of visiting every token.
                found: list[tuple[int, str]] = []
                n = len(ts)
                for first in present:
                    k = ts.index(first)
                    while True:
                        for ph in starts_by_id[first]:
                            ids = phrase_ids.get(ph)
                            if ids is None:
                                continue  # a word of the phrase was never seen yet
                            m = len(ids)
                            if k + m <= n and ts[k + 1] == ids[1] and tuple(ts[k : k + m]) == ids:
                                found.append((k, phrase_term(ph)))
                        try:
                            k = ts.index(first, k + 1)
                        except ValueError:
                            break
                found.sort()
                extra = [tid(t) for _, t in found]
            ts.extend(extra)
            if kind == CAPTION:
                ts.extend(tid(t) for t in CAPTION_TERMS)
            counts = Counter(ts)
            unit_section.append(si)
            unit_kind.append(kind)
            unit_pos.append(pos)
            keys = sorted(counts)
            flat_terms.extend(keys)
            flat_tf.extend([counts[k] for k in keys])
            unit_off.append(len(flat_terms))
            unit_len.append(len(ts))
            if "-" in body:
                # The same hyphenated words recur all over a corpus: look at each chunk once.
                for chunk in body.split():
                    if "-" in chunk and chunk not in seen_chunks:
                        seen_chunks.add(chunk)
                        for joined, parts in tx.compounds(chunk):
                            compounds.setdefault(joined, parts)

        for doc in snapshot.documents:
            for section in doc.sections:
                si = len(entries)
                start = len(unit_section)
                for i, p in enumerate(section.paragraphs):
                    add_unit(si, PARAGRAPH, i, p)
                for i, note in enumerate(section.footnotes):
                    add_unit(si, FOOTNOTE, i, note.text)
                for i, c in enumerate(section.captions):
                    add_unit(si, CAPTION, i, c)
                chain = doc.breadcrumb(section.id)
                crumb = BREADCRUMB_SEP.join(s.title for s in chain)
                entries.append(
                    SectionEntry(
                        section=section,
                        key=section.key,
                        breadcrumb=crumb,
                        unit_start=start,
                        unit_end=len(unit_section),
                        text_chars=sum(len(p) for p in section.paragraphs),
                    )
                )
                fields = [(section.title, 1.0)] + [(a, 0.9) for a in section.aliases]
                fields += [(t.replace("-", " "), 0.6) for t in section.tags]
                weights: dict[int, float] = {}
                for field_text, w in fields:
                    for r in findall(field_text):
                        if r not in raw_tid:
                            learn(r)
                        surface.setdefault(raw_word[r], 0)
                        i = raw_tid[r]
                        if i >= 0:
                            weights[i] = max(weights.get(i, 0.0), w)
                            surface.setdefault(id_terms[i], 0)
                names.append(
                    tuple(
                        make_name(n, [id_terms[i] for r in findall(n) if (i := raw_tid[r]) >= 0])
                        for n in (section.title, *section.aliases)
                    )
                )
                for i in sorted(weights):
                    title_tids.append(i)
                    title_w.append(weights[i])
                title_off.append(len(title_tids))
        raw_word.clear()
        raw_tid.clear()
        seen_chunks.clear()

        n_units = len(unit_section)
        n_terms = len(term_ids)
        # BM25 impacts and posting lists, vectorised: numpy releases the GIL while sorting.
        terms_np = (
            np.frombuffer(flat_terms, dtype=np.int32) if flat_terms else np.zeros(0, np.int32)
        )
        tf_np = _as_float64(
            np.frombuffer(flat_tf, dtype=np.int32) if flat_tf else np.zeros(0, np.int32)
        )
        lens = np.frombuffer(unit_len, dtype=np.int32) if unit_len else np.zeros(0, np.int32)
        offs = np.frombuffer(unit_off, dtype=np.int64)
        per_unit = offs[1:] - offs[:-1]
        unit_of = _unit_of(offs, per_unit)
        df = np.bincount(terms_np, minlength=n_terms).astype(np.int64)
        idf = np.log1p((n_units - df + 0.5) / (df + 0.5))
        avgdl = float(lens.sum()) / n_units if n_units else 1.0
        norm = K1 * (1.0 - B + B * lens.astype(np.float64) / avgdl)
        impacts = (idf[terms_np] * tf_np * (K1 + 1.0) / (tf_np + norm[unit_of])).astype(np.float32)
        # Sort by (term, impact descending, unit): one int64 key; positive float32 bits sort
        # like the floats, so their complement sorts them best first.
        bits = impacts.view(np.uint32).astype(np.int64)
        key = (terms_np.astype(np.int64) << 32) | (0xFFFFFFFF - bits)
        order = np.argsort(key, kind="stable")
        del key, bits
        self.post_units: npt.NDArray[np.int32] = unit_of[order]
        self.post_impacts: npt.NDArray[np.float32] = impacts[order]
        self.post_off: npt.NDArray[np.int64] = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df, out=self.post_off[1:])
        del order, impacts, unit_of, tf_np

        title_np = (
            np.frombuffer(title_tids, dtype=np.int32) if title_tids else np.zeros(0, np.int32)
        )
        title_df = np.bincount(title_np, minlength=n_terms)
        with np.errstate(divide="ignore"):
            tidf = np.where(title_df > 0, np.log1p(len(entries) / np.maximum(title_df, 1)), 1.0)
        self.title_idf: array[float] = array("d", tidf.tobytes())

        self.sections: tuple[SectionEntry, ...] = tuple(entries)
        self.term_ids = term_ids
        self.terms: list[str] = id_terms
        self.df: array[int] = array("q", df.tobytes())
        self.idf: array[float] = array("d", idf.tobytes())
        self.n_units = n_units
        self.unit_section = unit_section
        self.unit_kind = bytes(unit_kind)
        self.unit_pos = unit_pos
        self.unit_off = unit_off
        self.flat_terms = flat_terms
        self.unit_terms = UnitTerms(flat_terms, unit_off)
        self.title_off = title_off
        self.title_tids = title_tids
        self.title_w = title_w
        self.compounds = {k: v for k, v in compounds.items() if k not in term_ids}
        self.vocab = Vocabulary(surface)
        self._long_terms = chunked_sorted(t for t in term_ids if len(t) >= 5 and not t[0].isdigit())
        self._table_words = sorted(
            k[0] for k in self.phrases if len(k) == 1 and len(k[0]) >= 5 and not k[0][0].isdigit()
        )
        self._section_index = {e.key: i for i, e in enumerate(entries)}
        self.section_names: tuple[tuple[Name, ...], ...] = tuple(names)
        from bot.search.lookup import NameIndex

        self.name_index = NameIndex(self.section_names)
        # The only mutable state besides typo repairs: bounded, lock-protected caches of
        # values derived from this index alone (or from it and a query: `query_cache`, used by
        # the commands for query plans), dropped with it.
        self._section_term_sets: LRU[int, frozenset[int]] = LRU(SECTION_TERMS_CACHE)
        self.query_cache: LRU[tuple[str, str], object] = LRU(QUERY_CACHE)
        # A query word's (or known phrase's) concept, keyed by its (word, term) pairs.
        self.concept_cache: LRU[tuple[tuple[str, str], ...], object] = LRU(CONCEPT_CACHE)
        # A concept's per-passage scores, keyed by its alternatives (see rank._concept_scores).
        self.alt_scores: LRU[tuple[tuple[int, float], ...], object] = LRU(ALT_SCORES_CACHE)
        self._passages: tuple[Passage, ...] = ()
        self._unit_sets: tuple[frozenset[int], ...] = ()
        self._section_sets: tuple[frozenset[int], ...] = ()
        self._title_maps: tuple[dict[int, float], ...] = ()
        self._title_postings: dict[int, tuple[tuple[int, float], ...]] | None = None
        self._word_concepts: dict[tuple[tuple[str, str], ...], object] = {}
        if n_units <= EAGER_PASSAGES:
            # A small corpus is queried over and over through the same few hundred passages:
            # everything a query reads per candidate is worked out once, here.
            self._passages = tuple(Passage(self.unit_text(u)).complete() for u in range(n_units))
            self._unit_sets = tuple(
                frozenset(flat_terms[unit_off[u] : unit_off[u + 1]]) for u in range(n_units)
            )
            self._section_sets = tuple(self._section_terms(si) for si in range(len(entries)))
            self._title_maps = tuple(self._title_weights(si) for si in range(len(entries)))
            by_term: dict[int, list[tuple[int, float]]] = {}
            for si, weights in enumerate(self._title_maps):
                for term_id, w in weights.items():
                    by_term.setdefault(term_id, []).append((si, w))
            self._title_postings = {t: tuple(v) for t, v in by_term.items()}
            from bot.search.query import word_concepts

            # Every word of the content as a query word: the first question after a start
            # or a reload plans as fast as the thousandth.
            self._word_concepts = word_concepts(self)

    def _abbreviations(self, texts: Iterable[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for short, long in find_abbreviations(texts):
            found.setdefault(tx.fold(short), long)
        for short, long in GENERIC_ABBREVIATIONS.items():
            found.setdefault(short, long)
        return found

    def _phrases(self) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
        """Phrase -> the phrases it may stand for (synonym groups and abbreviations)."""
        groups: list[list[tuple[str, ...]]] = []
        for group in SYNONYM_GROUPS:
            groups.append([_phrase(p) for p in group])
        for short, long in self.abbreviations.items():
            groups.append([_phrase(short), _phrase(long)])
        out: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for members in groups:
            members = [m for m in members if m]
            for m in members:
                lst = out.setdefault(m, [])
                lst.extend(o for o in members if o != m and o not in lst)
        return out

    # ------------------------------------------------------------------ lookups

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

    def passage(self, u: int) -> Passage:
        """Unit `u` analysed for scoring and excerpts (built with the index when it is small)."""
        if self._passages:
            return self._passages[u]
        return analyse(self.unit_text(u))

    def postings(self, term_id: int, cap: int = POSTING_CAP) -> tuple[np.ndarray, np.ndarray]:
        """(units, impacts) of a term, best first, at most `cap` of them."""
        start = int(self.post_off[term_id])
        end = min(int(self.post_off[term_id + 1]), start + cap)
        return self.post_units[start:end], self.post_impacts[start:end]

    def title_weights(self, si: int) -> dict[int, float]:
        """Term id -> field weight for the title (1.0), aliases (0.9) and tags (0.6) of `si`.

        Do not modify the result: on a small corpus it is shared.
        """
        if self._title_maps:
            return self._title_maps[si]
        return self._title_weights(si)

    def word_concept(self, key: tuple[tuple[str, str], ...], make: Callable[[], object]) -> object:
        """The concept of a query word or phrase (`key`: its (word, term) pairs): worked out
        with the index for the content's own words on a small corpus, else kept once made."""
        found = self._word_concepts.get(key)
        if found is not None:
            return found
        return self.concept_cache.get_or_make(key, make)

    def title_postings(self) -> dict[int, tuple[tuple[int, float], ...]] | None:
        """Term id -> (section, field weight) of every title holding it; small corpora only."""
        return self._title_postings

    def _title_weights(self, si: int) -> dict[int, float]:
        a, b = self.title_off[si], self.title_off[si + 1]
        return dict(zip(self.title_tids[a:b], self.title_w[a:b], strict=True))

    def section_terms(self, si: int) -> frozenset[int]:
        """Term ids anywhere in a section: its text units, title, aliases and tags (cached)."""
        if self._section_sets:
            return self._section_sets[si]
        return self._section_term_sets.get_or_make(si, lambda: self._section_terms(si))

    def _section_terms(self, si: int) -> frozenset[int]:
        entry = self.sections[si]
        out: set[int] = set(self.title_tids[self.title_off[si] : self.title_off[si + 1]])
        out.update(self.flat_terms[self.unit_off[entry.unit_start] : self.unit_off[entry.unit_end]])
        return frozenset(out)

    def unit_term_set(self, u: int) -> frozenset[int]:
        """`unit_terms[u]` as a set: ranking tests membership in it per candidate.

        Precomputed for a small corpus; on a large one a query's candidates are rarely the
        last query's, and building the set costs about what a cache lookup would.
        """
        if self._unit_sets:
            return self._unit_sets[u]
        return frozenset(self.flat_terms[self.unit_off[u] : self.unit_off[u + 1]])

    def related_terms(self, t: str) -> list[str]:
        """Known terms sharing a long prefix: `disqualify` ~ `disqualification`."""
        # Candidates in the order they were first seen, as a stable tie-break for the cap.
        return _prefix_related(self._long_terms, t, self.term_ids.__getitem__)

    def related_table_words(self, t: str) -> list[str]:
        """Words of the synonym table sharing a long prefix with term `t`: a derived form
        (`prioritise`) may stand for the table's word (`priority`) and its synonyms. Only by
        a shared stem of seven letters or more: `navalny` is not a form of `naval`, nor
        `stream` of `streamline`."""
        return _prefix_related(self._table_words, t, None, strict=True)


def build_index(snapshot: Snapshot) -> SearchIndex:
    """Build the index for a snapshot; pure, so it may run in a worker thread."""
    return SearchIndex(snapshot)


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
