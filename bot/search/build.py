"""Building the search index from a snapshot.

One pass tokenises each unit once: a per-build table maps each distinct raw token to its
surface word and term id, so the stemmer runs once per distinct token and the per-token work
is `map`/`filter` in C (the query-time caches of `tokens` are bypassed: a large corpus's
misspellings would only fill them). Impacts, the posting sort and the offsets are numpy,
which releases the GIL; what holds it is done in slices (`chunked`). Last, the memos of the
index and of its words' concepts are filled as far as their bounds allow.
"""

from __future__ import annotations

import sys
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.content.model import Document, Section, Snapshot
from bot.search import lexicon
from bot.search import tokens as tx
from bot.search.chunked import as_float64, chunked_sorted, owner_of
from bot.search.index import (
    BREADCRUMB_SEP,
    CAPTION,
    FOOTNOTE,
    PARAGRAPH,
    SearchIndex,
    SectionEntry,
    phrase_term,
)
from bot.search.names import Name, NameIndex, make_name
from bot.search.query import fill_concepts
from bot.search.rank import fill_contributions
from bot.search.synonyms import GENERIC_ABBREVIATIONS, SYNONYM_GROUPS, find_abbreviations
from bot.search.vocab import Vocabulary

K1 = 1.2
B = 0.6
# Every caption is a photo: "photo of the summit" should find captions.
CAPTION_TERMS: tuple[str, ...] = ("photo",)
Phrase = tuple[str, ...]


def build_index(snapshot: Snapshot) -> SearchIndex:
    """The index of a snapshot; pure, so it may run in a worker thread."""
    abbreviations = _abbreviations(p for s in snapshot.sections() for p in s.paragraphs)
    phrases = _phrases(abbreviations)
    reader = _Reader(phrases)
    tables = _Tables()
    for doc in snapshot.documents:
        for section in doc.sections:
            tables.add_section(reader, doc, section)
    reader.forget_tokens()  # before the postings are sorted: the build's peak memory is there
    postings = _postings(tables, len(reader.terms))
    names = tuple(tables.names)
    index = SearchIndex(
        snapshot=snapshot,
        sections=tuple(tables.entries),
        term_ids=reader.term_ids,
        terms=reader.terms,
        df=array("q", postings.df.tobytes()),
        idf=array("d", postings.idf.tobytes()),
        abbreviations=abbreviations,
        phrases=phrases,
        vocab=Vocabulary(reader.surface),
        named=_named(reader),
        unit_section=tables.unit_section,
        unit_kind=bytes(tables.unit_kind),
        unit_pos=tables.unit_pos,
        unit_off=tables.unit_off,
        flat_terms=tables.flat_terms,
        post_units=postings.units,
        post_impacts=postings.impacts,
        post_off=array("q", postings.off.tobytes()),
        title_off=tables.title_off,
        title_tids=tables.title_tids,
        title_w=tables.title_w,
        title_idf=_title_idf(tables, len(reader.terms)),
        section_names=names,
        name_index=NameIndex(names),
        long_terms=chunked_sorted(t for t in reader.terms if len(t) >= 5 and not t[0].isdigit()),
        table_words=sorted(
            k[0] for k in phrases if len(k) == 1 and len(k[0]) >= 5 and not k[0][0].isdigit()
        ),
    )
    index.warm()
    fill_contributions(index, fill_concepts(index))  # the first query is not the slow one
    lexicon.warm()  # once per process
    return index


def _phrase(text: str) -> Phrase:
    return tuple(t for t in tx.terms(text) if t not in tx.STOP_TERMS)


def _abbreviations(texts: Iterable[str]) -> dict[str, str]:
    """Folded short form -> long form: those the content spells out, then the general table."""
    found: dict[str, str] = {}
    for short, long in find_abbreviations(texts):
        found.setdefault(tx.fold(short), long)
    for short, long in GENERIC_ABBREVIATIONS.items():
        found.setdefault(short, long)
    return found


def _phrases(abbreviations: dict[str, str]) -> dict[Phrase, list[Phrase]]:
    """Phrase -> the phrases it may stand for (synonym groups and abbreviations)."""
    groups = [[_phrase(p) for p in group] for group in SYNONYM_GROUPS]
    groups += [[_phrase(short), _phrase(long)] for short, long in abbreviations.items()]
    out: dict[Phrase, list[Phrase]] = {}
    for members in groups:
        members = [m for m in members if m]
        for m in members:
            lst = out.setdefault(m, [])
            lst.extend(o for o in members if o != m and o not in lst)
    return out


class _Reader:
    """Term ids of raw tokens, each distinct token looked up once per build.

    The synonym table's multi-word phrases become terms of their own (`maritime_security`), so
    a paraphrase matches the phrase, not any passage with `security` in it. A phrase waits
    under a word it lacks until that word gets an id; its term-id tuple is known from then on.
    """

    def __init__(self, phrases: dict[Phrase, list[Phrase]]) -> None:
        self.term_ids: dict[str, int] = {}
        self.terms: list[str] = []
        self.surface: Counter[str] = Counter()  # word -> units it occurs in
        self.lowered: set[int] = set()  # terms the text writes in lower case somewhere
        self._raw_word: dict[str, str] = {}  # raw token -> surface word
        self._raw_tid: dict[str, int] = {}  # raw token -> term id, -1 for stop words
        self._chunk_joins: dict[str, tuple[int, ...]] = {}  # hyphenated chunk -> joined ids
        self._phrase_ids: dict[Phrase, tuple[int, ...]] = {}
        self._waiting: dict[str, list[Phrase]] = {}
        self._starts: dict[str, list[Phrase]] = {}  # first term -> phrases starting with it
        self._starts_by_id: dict[int, list[Phrase]] = {}
        for ph in {p for k, v in phrases.items() for p in (k, *v) if len(p) > 1}:
            self._starts.setdefault(ph[0], []).append(ph)
            self._resolve(ph)

    def term_id(self, t: str) -> int:
        i = self.term_ids.get(t)
        if i is None:
            t = sys.intern(t)
            i = self.term_ids[t] = len(self.terms)
            self.terms.append(t)
            for ph in self._waiting.pop(t, ()):
                self._resolve(ph)
        return i

    def unit_terms(self, body: str, caption: bool) -> tuple[list[int], int]:
        """The term ids of a unit's tokens, then of the phrases found in it, then (for a
        caption) of `CAPTION_TERMS`, then of its hyphenated words joined; and the unit's
        length for BM25 (a joined form is no extra word). The unit's words are counted for
        the vocabulary (joined forms are not: the text never writes them so)."""
        raws = tx.TOKEN.findall(body)
        uniq = dict.fromkeys(raws)  # first-seen order, so term ids do not depend on hashing
        self._learn_all(uniq)
        raw_tid, raw_word = self._raw_tid, self._raw_word
        # map/filter run in C: this line sees every token of the corpus.
        ts = list(filter((-1).__ne__, map(raw_tid.__getitem__, raws)))
        words = set(map(raw_word.__getitem__, uniq))
        words.discard("")
        self.surface.update(words)
        ts.extend(self._phrases_in(ts))
        if caption:
            ts.extend(self.term_id(t) for t in CAPTION_TERMS)
        length = len(ts)
        if "-" in body:
            ts.extend(self._joined(body))
        return ts, length

    def field_terms(self, text: str, weight: float, weights: dict[int, float]) -> None:
        """Note the terms of a title, alias or tag in `weights` (the best weight per term);
        their words join the vocabulary, so a typo of a title word is repaired to it."""
        surface, raw_tid = self.surface, self._raw_tid
        for r in tx.TOKEN.findall(text):
            if r not in raw_tid:
                self._learn_all((r,))
            surface.setdefault(self._raw_word[r], 0)
            i = raw_tid[r]
            if i >= 0:
                weights[i] = max(weights.get(i, 0.0), weight)
                surface.setdefault(self.terms[i], 0)
        for i in self._joined(text) if "-" in text else ():
            weights[i] = max(weights.get(i, 0.0), weight)

    def name_terms(self, text: str) -> list[str]:
        """The content terms of a title or alias already read by `field_terms`."""
        return [self.terms[i] for r in tx.TOKEN.findall(text) if (i := self._raw_tid[r]) >= 0]

    def forget_tokens(self) -> None:
        """Drop the per-build tables of raw tokens; the terms and the vocabulary stay."""
        for table in (self._raw_word, self._raw_tid, self._chunk_joins, self._phrase_ids):
            table.clear()

    def _learn_all(self, raws: Iterable[str]) -> None:
        raw_tid = self._raw_tid
        for r in raws:
            if r in raw_tid:
                continue
            w, t = tx.word_and_term(r)
            i = -1
            if t and t not in tx.STOP_TERMS:
                i = self.term_id(t)
                if t in self._starts:
                    self._starts_by_id[i] = self._starts[t]
                if r[0].islower():
                    self.lowered.add(i)
            self._raw_word[r] = sys.intern(w)
            raw_tid[r] = i

    def _resolve(self, ph: Phrase) -> None:
        for c in ph:
            if c not in self.term_ids:
                self._waiting.setdefault(c, []).append(ph)
                return
        self._phrase_ids[ph] = tuple(self.term_ids[c] for c in ph)

    def _phrases_in(self, ts: list[int]) -> list[int]:
        """Term ids of the phrases in a unit's term sequence, in the order they start."""
        present = self._starts_by_id.keys() & ts
        if not present:
            return []
        found: list[tuple[int, str]] = []
        n = len(ts)
        for first in present:
            # Find the starters with list.index (C) instead of visiting every token.
            k = ts.index(first)
            while True:
                for ph in self._starts_by_id[first]:
                    ids = self._phrase_ids.get(ph)
                    if ids is None:
                        continue  # a word of the phrase is not in the content yet
                    m = len(ids)
                    if k + m <= n and ts[k + 1] == ids[1] and tuple(ts[k : k + m]) == ids:
                        found.append((k, phrase_term(ph)))
                try:
                    k = ts.index(first, k + 1)
                except ValueError:
                    break
        found.sort()
        return [self.term_id(t) for _, t in found]

    def _joined(self, body: str) -> list[int]:
        """Term ids of the hyphenated words of `body`, joined (`socioeconomic`)."""
        # The same hyphenated words recur all over a corpus: look at each chunk once.
        out: list[int] = []
        known = self._chunk_joins
        for chunk in body.split():
            if "-" in chunk:
                ids = known.get(chunk)
                if ids is None:
                    ids = known[chunk] = tuple(self.term_id(j) for *_, j in tx.compounds(chunk))
                out.extend(ids)
        return out


class _Tables:
    """The flat per-unit and per-section arrays of a build, filled section by section."""

    def __init__(self) -> None:
        self.entries: list[SectionEntry] = []
        self.unit_section = array("i")
        self.unit_kind = bytearray()
        self.unit_pos = array("i")
        self.unit_off = array("q", [0])
        self.flat_terms = array("i")  # per unit: its distinct term ids, ascending
        self.flat_tf = array("i")  # ... and their counts
        self.unit_len = array("i")
        self.title_off = array("q", [0])
        self.title_tids = array("i")
        self.title_w = array("d")
        self.names: list[tuple[Name, ...]] = []

    def add_section(self, reader: _Reader, doc: Document, section: Section) -> None:
        si = len(self.entries)
        start = len(self.unit_section)
        for i, p in enumerate(section.paragraphs):
            self._add_unit(si, PARAGRAPH, i, *reader.unit_terms(p, False))
        for i, note in enumerate(section.footnotes):
            self._add_unit(si, FOOTNOTE, i, *reader.unit_terms(note.text, False))
        for i, c in enumerate(section.captions):
            self._add_unit(si, CAPTION, i, *reader.unit_terms(c, True))
        self.entries.append(
            SectionEntry(
                section=section,
                key=section.key,
                breadcrumb=BREADCRUMB_SEP.join(s.title for s in doc.breadcrumb(section.id)),
                unit_start=start,
                unit_end=len(self.unit_section),
                text_chars=sum(len(p) for p in section.paragraphs),
            )
        )
        fields = [(section.title, 1.0)] + [(a, 0.9) for a in section.aliases]
        fields += [(t.replace("-", " "), 0.6) for t in section.tags]
        weights: dict[int, float] = {}
        for text, w in fields:
            reader.field_terms(text, w, weights)
        own_names = (section.title, *section.aliases)
        self.names.append(tuple(make_name(n, reader.name_terms(n)) for n in own_names))
        for i in sorted(weights):
            self.title_tids.append(i)
            self.title_w.append(weights[i])
        self.title_off.append(len(self.title_tids))

    def _add_unit(self, si: int, kind: int, pos: int, ts: list[int], length: int) -> None:
        counts = Counter(ts)
        keys = sorted(counts)
        self.unit_section.append(si)
        self.unit_kind.append(kind)
        self.unit_pos.append(pos)
        self.flat_terms.extend(keys)
        self.flat_tf.extend([counts[k] for k in keys])
        self.unit_off.append(len(self.flat_terms))
        self.unit_len.append(length)


@dataclass(frozen=True, slots=True)
class _Postings:
    units: npt.NDArray[np.int32]
    impacts: npt.NDArray[np.float32]
    off: npt.NDArray[np.int64]
    df: npt.NDArray[np.int64]
    idf: npt.NDArray[np.float64]


def _np(values: array[int], dtype: type[np.int32] | type[np.int64]) -> np.ndarray:
    return np.frombuffer(values, dtype=dtype) if values else np.zeros(0, dtype)


def _postings(tables: _Tables, n_terms: int) -> _Postings:
    """BM25 impacts of every (unit, term), sorted by term, then impact best first, then unit."""
    terms = _np(tables.flat_terms, np.int32)
    tf = as_float64(_np(tables.flat_tf, np.int32))
    lens = _np(tables.unit_len, np.int32)
    offs = np.frombuffer(tables.unit_off, dtype=np.int64)
    n_units = len(lens)
    unit_of = owner_of(offs, offs[1:] - offs[:-1])
    df = np.bincount(terms, minlength=n_terms).astype(np.int64)
    idf = np.log1p((n_units - df + 0.5) / (df + 0.5))
    avgdl = float(lens.sum()) / n_units if n_units else 1.0
    norm = K1 * (1.0 - B + B * lens.astype(np.float64) / avgdl)
    impacts = (idf[terms] * tf * (K1 + 1.0) / (tf + norm[unit_of])).astype(np.float32)
    # One int64 key: positive float32 bits sort like the floats, their complement best first.
    bits = impacts.view(np.uint32).astype(np.int64)
    order = np.argsort((terms.astype(np.int64) << 32) | (0xFFFFFFFF - bits), kind="stable")
    del bits  # the peak memory of a large build is here
    off = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(df, out=off[1:])
    return _Postings(unit_of[order], impacts[order], off, df, idf)


def _named(reader: _Reader) -> bytes:
    """Per term, 1 when the text writes it only capitalised (a name: `Entebbe`, `Osaka`)."""
    lowered = reader.lowered
    return bytes(
        0 if i in lowered or not t[:1].isalpha() else 1 for i, t in enumerate(reader.terms)
    )


def _title_idf(tables: _Tables, n_terms: int) -> array[float]:
    """Per term, log(1 + sections / sections whose title, aliases or tags hold it)."""
    title_np = _np(tables.title_tids, np.int32)
    title_df = np.bincount(title_np, minlength=n_terms)
    with np.errstate(divide="ignore"):
        n = len(tables.entries)
        tidf = np.where(title_df > 0, np.log1p(n / np.maximum(title_df, 1)), 1.0)
    return array("d", tidf.tobytes())
