"""The search index: BM25 impacts over paragraphs, footnotes and photo captions.

Built once per content snapshot, from nothing but the snapshot, so a reload can build it in a
worker thread and swap it in atomically. Posting lists hold precomputed BM25 impacts sorted
best first; a query reads at most `POSTING_CAP` entries per term, which bounds the work per
query on a large corpus (the entries left unread are the ones that could not reach the top).
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import dataclass

from bot.model import Section, Snapshot
from bot.search import text as tx
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


class SearchIndex:
    """Everything a query needs, precomputed. Read-only after construction."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        entries: list[SectionEntry] = []
        unit_section = array("i")
        unit_kind = bytearray()
        unit_pos = array("i")
        unit_terms: list[array[int]] = []
        unit_len: list[int] = []
        term_ids: dict[str, int] = {}
        surface: Counter[str] = Counter()
        unit_tf: list[list[tuple[int, int]]] = []
        compounds: dict[str, tuple[str, ...]] = {}
        title_terms: dict[int, dict[int, float]] = {}
        texts_for_abbrev: list[str] = []

        def tid(t: str) -> int:
            i = term_ids.get(t)
            if i is None:
                i = term_ids[t] = len(term_ids)
            return i

        for doc in snapshot.documents:
            for section in doc.sections:
                texts_for_abbrev.extend(section.paragraphs)
        self.abbreviations = self._abbreviations(texts_for_abbrev)
        self.phrases = self._phrases()
        # Multi-word phrases of the synonym table become terms of their own (`maritime_security`),
        # so that a paraphrase matches the phrase, not any passage with `security` in it.
        starts: dict[str, list[tuple[str, ...]]] = {}
        for ph in {p for k, v in self.phrases.items() for p in (k, *v) if len(p) > 1}:
            starts.setdefault(ph[0], []).append(ph)

        def add_unit(si: int, kind: int, pos: int, body: str) -> None:
            raw = tx._TOKEN.findall(body)
            words = [tx.normalize_word(r) for r in raw]
            surface.update(w for w in set(words) if w)
            ts = [tx.term(r) for r in raw]
            ts = [t for t in ts if t and t not in STOP_TERMS]
            extra = []
            for k, t in enumerate(ts):
                for ph in starts.get(t, ()):
                    if tuple(ts[k : k + len(ph)]) == ph:
                        extra.append(phrase_term(ph))
            ts.extend(extra)
            if kind == CAPTION:
                ts.extend(CAPTION_TERMS)
            counts = Counter(tid(t) for t in ts)
            unit_section.append(si)
            unit_kind.append(kind)
            unit_pos.append(pos)
            unit_terms.append(array("i", sorted(counts)))
            unit_len.append(len(ts))
            unit_tf.append(list(counts.items()))
            if "-" in body:
                for joined, parts in tx.compounds(body):
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
                    for t in _phrase(field_text):
                        i = tid(t)
                        weights[i] = max(weights.get(i, 0.0), w)
                        surface[t] += 0
                    for word in (tx.normalize_word(r) for r in tx._TOKEN.findall(field_text)):
                        surface[word] += 0
                title_terms[si] = weights

        n_units = len(unit_section)
        n_terms = len(term_ids)
        df = [0] * n_terms
        for tf in unit_tf:
            for i, _ in tf:
                df[i] += 1
        avgdl = (sum(unit_len) / n_units) if n_units else 1.0
        idf = [math.log(1.0 + (n_units - d + 0.5) / (d + 0.5)) for d in df]
        postings: list[list[tuple[float, int]]] = [[] for _ in range(n_terms)]
        for u, tf in enumerate(unit_tf):
            norm = K1 * (1.0 - B + B * unit_len[u] / avgdl)
            for i, f in tf:
                postings[i].append((idf[i] * f * (K1 + 1.0) / (f + norm), u))
        self.post_units: list[array[int]] = []
        self.post_impacts: list[array[float]] = []
        for plist in postings:
            plist.sort(key=lambda p: -p[0])
            self.post_impacts.append(array("f", [p[0] for p in plist]))
            self.post_units.append(array("i", [p[1] for p in plist]))

        title_post: dict[int, list[tuple[int, float]]] = {}
        for si, weights in title_terms.items():
            for i, w in weights.items():
                title_post.setdefault(i, []).append((si, w))
        self.title_idf = {
            i: math.log(1.0 + len(entries) / len(lst)) for i, lst in title_post.items()
        }

        self.sections: tuple[SectionEntry, ...] = tuple(entries)
        self.term_ids = term_ids
        self.terms: list[str] = [""] * n_terms
        for t, i in term_ids.items():
            self.terms[i] = t
        self.df = df
        self.idf = idf
        self.n_units = n_units
        self.unit_section = unit_section
        self.unit_kind = bytes(unit_kind)
        self.unit_pos = unit_pos
        self.unit_terms = unit_terms
        self.title_post = title_post
        self.title_terms = title_terms
        self.compounds = {k: v for k, v in compounds.items() if k not in term_ids}
        self.vocab = Vocabulary(dict(surface))
        prefix: dict[str, list[str]] = {}
        for t in term_ids:
            if len(t) >= 5 and not t[0].isdigit():
                prefix.setdefault(t[:5], []).append(t)
        self.prefix_buckets = prefix
        self._section_index = {e.key: i for i, e in enumerate(entries)}
        self.section_names: tuple[tuple[Name, ...], ...] = tuple(
            tuple(make_name(n) for n in (e.section.title, *e.section.aliases)) for e in entries
        )
        from bot.search.lookup import NameIndex

        self.name_index = NameIndex(self.section_names)

    def _abbreviations(self, texts: list[str]) -> dict[str, str]:
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

    def section_terms(self, si: int) -> set[int]:
        """Term ids anywhere in a section: its text units, title, aliases and tags."""
        entry = self.sections[si]
        out: set[int] = set(self.title_terms.get(si, ()))
        for u in range(entry.unit_start, entry.unit_end):
            out.update(self.unit_terms[u])
        return out

    def related_terms(self, t: str) -> list[str]:
        """Known terms sharing a long prefix: `disqualify` ~ `disqualification`."""
        if len(t) < 5 or t[0].isdigit():
            return []
        out = []
        for cand in self.prefix_buckets.get(t[:5], ()):
            if cand == t:
                continue
            short, long = (t, cand) if len(t) <= len(cand) else (cand, t)
            if long.startswith(short) and len(long) - len(short) <= 4:
                out.append(cand)
                continue
            common = 0
            for a, b in zip(t, cand, strict=False):
                if a != b:
                    break
                common += 1
            if common >= 6 and common >= 0.8 * len(short):
                out.append(cand)
        return out[:8]


def build_index(snapshot: Snapshot) -> SearchIndex:
    """Build the index for a snapshot; pure, so it may run in a worker thread."""
    return SearchIndex(snapshot)
