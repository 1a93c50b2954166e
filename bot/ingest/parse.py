"""Assemble a `bot.model.Document` from raw Bluebook text, without touching any file.

The raw text is a copy of one Bluebook web page: title lines, then headings, paragraphs
(one per line), doubled photo captions and `• N` footnote blocks. Parsing is one pass over
the lines that builds draft sections, then a second step that pairs footnotes with their
markers and derives ids, because a marker can only be told from a figure once the
footnotes that exist are known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.ingest import captions, footnotes, headings
from bot.ingest.errors import IngestError
from bot.model import Document, Footnote, FootnoteRef, Section
from bot.slug import slugify

_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")
_ABBREVIATION = re.compile(r"\(([A-Z][A-Za-z0-9&.\-]*[A-Z0-9])\)")
_PARAGRAPH_END = set('.!?:"”’)')
_OVERVIEW_FALLBACK = "Overview"


@dataclass
class _Draft:
    """A section while the lines are still being read."""

    rank: float
    label: str
    title: str
    marker: str | None
    parent: int | None
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    footnotes: list[list[str]] = field(default_factory=list)  # [number, text]


@dataclass(frozen=True, slots=True)
class ParseResult:
    document: Document
    warnings: tuple[str, ...]


def parse_bluebook(text: str, doc_id: str, source_url: str = "") -> Document:
    """Raw Bluebook text -> Document. Raises IngestError for text that has no structure."""
    return parse_with_warnings(text, doc_id, source_url).document


def parse_with_warnings(text: str, doc_id: str, source_url: str = "") -> ParseResult:
    reader = _Reader(text)
    reader.read()
    warnings: list[str] = []
    if not reader.title:
        raise IngestError("no title line (e.g. 'Diplomatic Bluebook 2020') at the top")
    years = _YEAR.findall(reader.title)
    if not years:
        raise IngestError(f"no edition year in the title line {reader.title!r}")
    if not any(d.rank > 0 for d in reader.drafts):
        raise IngestError("no headings found (expected lines like '1 Russia' or '(1) ...')")
    refs = _pair_footnotes(reader.drafts, warnings)
    sections = _build_sections(reader.drafts, refs, doc_id, warnings)
    document = Document(
        id=doc_id,
        title=reader.title,
        edition=int(years[-1]),
        chapter=reader.chapter,
        section=reader.section,
        source_url=source_url,
        language="en",
        sections=sections,
    )
    return ParseResult(document, tuple(warnings))


def _continues(previous: str, line: str) -> bool:
    """A line wrapped out of the previous paragraph (PDF copies) rather than a new one."""
    return previous[-1] not in _PARAGRAPH_END or line[0].islower()


class _Reader:
    """The line-by-line pass: header lines, headings, paragraphs, captions, footnotes."""

    def __init__(self, text: str) -> None:
        text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        self.lines = text.split("\n")
        self.footnote_numbers = frozenset(
            fn[0] for fn in map(footnotes.footnote_line, self.lines) if fn is not None
        )
        self.title = ""
        self.chapter = ""
        self.section = ""
        self.section_title = ""
        self.chapter_title = ""
        self.drafts: list[_Draft] = []
        self._stack: list[int] = []  # open headings, outermost first
        self._numbering = headings.Numbering()
        self._last_numbered_rank = 0
        self._paragraph_open = False
        self._footnote_open = False
        self._chapter_title_pending = False
        self._no_title = False  # the text starts without a title line

    def read(self) -> None:
        i = 0
        while i < len(self.lines):
            i += self._line(i)

    def _line(self, i: int) -> int:
        """Handle lines[i]; return how many lines were consumed."""
        raw = self.lines[i]
        line = raw.strip()
        if not line:
            self._paragraph_open = False
            self._footnote_open = False
            return 1
        fn = footnotes.footnote_line(raw)
        if fn is not None:
            notes = self._current().footnotes
            if [fn[0], fn[1]] not in notes:  # a block printed twice is one footnote
                notes.append([fn[0], fn[1]])
            self._footnote_open = True
            self._paragraph_open = False
            return 1
        if self._footnote_open and (raw[0] in " \t" or line[0].islower()):
            note = self._current().footnotes[-1]
            note[1] = footnotes.add_continuation(note[1], line)
            return 1
        self._footnote_open = False
        if self._header(line):
            return 1
        caption = captions.caption_at(self.lines, i)
        if caption is not None:
            self._current().captions.append(caption[0])
            self._paragraph_open = False
            return caption[1]
        if self._heading(line):
            return 1
        self._body(line)
        return 1

    def _header(self, line: str) -> bool:
        """Title, `Chapter N` (+ title line) and `Section N Title` lines."""
        first = not (self.title or self._no_title or self.drafts or self.chapter or self.section)
        if first:
            if headings.candidate(line, self.footnote_numbers) is None and not (
                headings.chapter_line(line) or headings.section_line(line)
            ):
                self.title = line
                return True
            self._no_title = True
        chapter = headings.chapter_line(line)
        if chapter is not None and not self.drafts and not self.chapter:
            number, title = chapter
            self.chapter = f"Chapter {number} {title}".strip()
            self.chapter_title = title
            self._chapter_title_pending = not title
            return True
        section = headings.section_line(line)
        if section is not None:
            self._chapter_title_pending = False
            if not self.section:
                self.section = f"Section {section[0]} {section[1]}"
                self.section_title = section[1]
            if self.drafts:
                # A second part in the same file: its numbering starts again at 1.
                self._numbering.reset()
                self._stack.clear()
                self._last_numbered_rank = 0
            return True
        if self._chapter_title_pending and not self.drafts:
            self._chapter_title_pending = False
            self.chapter = f"{self.chapter} {line}"
            self.chapter_title = line
            return True
        return False

    def _heading(self, line: str) -> bool:
        cand = headings.candidate(line, self.footnote_numbers)
        if isinstance(cand, headings.Candidate):
            if not self._numbering.accepts(cand):
                return False
            self._numbering.accept(cand)
            self._last_numbered_rank = cand.rank
            self._open(cand.rank, cand.label, cand.title, cand.marker)
            return True
        if isinstance(cand, headings.Angle):
            self._open(self._last_numbered_rank + 0.5, "", cand.title, cand.marker)
            return True
        return False

    def _open(self, rank: float, label: str, title: str, marker: str | None) -> None:
        while self._stack and self.drafts[self._stack[-1]].rank >= rank:
            self._stack.pop()
        parent = self._stack[-1] if self._stack else None
        self.drafts.append(_Draft(rank, label, title, marker, parent))
        self._stack.append(len(self.drafts) - 1)
        self._paragraph_open = False

    def _current(self) -> _Draft:
        """The section text belongs to; text before any heading gets an overview section."""
        if not self.drafts:
            title = self.section_title or self.chapter_title or _OVERVIEW_FALLBACK
            # Rank 0 and never on the stack: later headings are its siblings, not children.
            self.drafts.append(_Draft(0, "", title, None, None))
        if self._stack:
            return self.drafts[self._stack[-1]]
        return self.drafts[-1]

    def _body(self, line: str) -> None:
        section = self._current()
        if self._paragraph_open and section.paragraphs and _continues(section.paragraphs[-1], line):
            section.paragraphs[-1] = f"{section.paragraphs[-1]} {line}"
        else:
            section.paragraphs.append(footnotes.collapse(line))
        self._paragraph_open = True


# A marker's place: (paragraph index or -1 for the heading, offset of its digits, number).
_Place = tuple[int, int, str]


def _pair_footnotes(drafts: list[_Draft], warnings: list[str]) -> dict[int, list[_Place]]:
    """Find each footnote's marker; move a footnote to its marker's section if needed.

    A footnote is looked for in the section where it stands first, then in the sections
    before it (nearest first) that do not define the same number, because a footnote
    block can be printed after a following sub-heading's text.
    """
    places: dict[int, list[_Place]] = {i: [] for i in range(len(drafts))}
    kept: dict[int, list[list[str]]] = {i: [] for i in range(len(drafts))}
    for index, draft in enumerate(drafts):
        for note in draft.footnotes:
            number = note[0]
            target, place = index, _find_marker(draft, number, places[index])
            if place is None:
                for earlier in range(index - 1, -1, -1):
                    if any(n[0] == number for n in drafts[earlier].footnotes):
                        continue
                    place = _find_marker(drafts[earlier], number, places[earlier])
                    if place is not None:
                        target = earlier
                        break
            if place is None:
                warnings.append(f"footnote {number} ({draft.title}): no marker found in the text")
            else:
                places[target].append(place)
            kept[target].append(note)
    for index, draft in enumerate(drafts):
        draft.footnotes = kept[index]
        if draft.marker is not None and not any(p[0] == -1 for p in places[index]):
            # A glued marker whose footnote was never found: the digits were a marker
            # shape only, so give them back to the title.
            draft.title = f"{draft.title}{draft.marker}"
            draft.marker = None
    return places


def _find_marker(draft: _Draft, number: str, taken: list[_Place]) -> _Place | None:
    if draft.marker == number and not any(p[0] == -1 for p in taken):
        return (-1, 0, number)
    found: list[_Place] = []
    for p, paragraph in enumerate(draft.paragraphs):
        for pos in footnotes.marker_positions(paragraph, number):
            if not any(t[0] == p and t[1] <= pos < t[1] + len(t[2]) for t in taken):
                found.append((p, pos, number))
    if not found:
        return None
    last = max(((t[0], t[1]) for t in taken), default=(-2, -1))
    after = [f for f in found if (f[0], f[1]) > last]
    return (after or found)[0]


def _strip_markers(
    draft: _Draft, places: list[_Place], warnings: list[str]
) -> tuple[tuple[str, ...], tuple[FootnoteRef, ...]]:
    paragraphs = list(draft.paragraphs)
    refs: list[FootnoteRef] = []
    for p, paragraph in enumerate(draft.paragraphs):
        here = sorted((pos, number) for q, pos, number in places if q == p)
        pieces: list[str] = []
        removed = 0
        cursor = 0
        for pos, number in here:
            pieces.append(paragraph[cursor:pos])
            refs.append(FootnoteRef(paragraph=p, offset=pos - removed, number=number))
            removed += len(number)
            cursor = pos + len(number)
        pieces.append(paragraph[cursor:])
        paragraphs[p] = "".join(pieces)
    for q, _pos, number in places:
        if q != -1:
            continue
        if paragraphs:
            refs.append(FootnoteRef(paragraph=0, offset=0, number=number))
        else:
            warnings.append(
                f"footnote {number} marks the heading {draft.title!r}, "
                "which has no paragraph to carry the marker"
            )
    refs.sort(key=lambda r: (r.paragraph, r.offset))
    return tuple(paragraphs), tuple(refs)


def aliases_for(title: str) -> tuple[str, ...]:
    """Abbreviations printed in parentheses in a title: `(MERCOSUR)` -> `MERCOSUR`."""
    found: list[str] = []
    for m in _ABBREVIATION.finditer(title):
        abbreviation = m.group(1)
        if sum(c.isupper() for c in abbreviation) >= 2 and abbreviation not in found:
            found.append(abbreviation)
    return tuple(found)


def _build_sections(
    drafts: list[_Draft], places: dict[int, list[_Place]], doc_id: str, warnings: list[str]
) -> tuple[Section, ...]:
    ids: list[str] = []
    levels: list[int] = []
    used: dict[str | None, set[str]] = {}
    for draft in drafts:
        parent_id = ids[draft.parent] if draft.parent is not None else None
        base = slugify(draft.title) or "section"
        siblings = used.setdefault(parent_id, set())
        slug, n = base, 1
        while slug in siblings:
            n += 1
            slug = f"{base}-{n}"
        siblings.add(slug)
        ids.append(f"{parent_id}/{slug}" if parent_id else slug)
        levels.append(levels[draft.parent] + 1 if draft.parent is not None else 1)
    children: dict[int, list[str]] = {i: [] for i in range(len(drafts))}
    for i, draft in enumerate(drafts):
        if draft.parent is not None:
            children[draft.parent].append(ids[i])
    sections: list[Section] = []
    for i, draft in enumerate(drafts):
        paragraphs, refs = _strip_markers(draft, places[i], warnings)
        sections.append(
            Section(
                id=ids[i],
                document_id=doc_id,
                label=draft.label,
                title=draft.title,
                level=levels[i],
                order=i + 1,
                parent_id=ids[draft.parent] if draft.parent is not None else None,
                paragraphs=paragraphs,
                footnotes=tuple(Footnote(number=n, text=t) for n, t in draft.footnotes),
                footnote_refs=refs,
                captions=tuple(draft.captions),
                aliases=aliases_for(draft.title),
                children=tuple(children[i]),
            )
        )
    return tuple(sections)
