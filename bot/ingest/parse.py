"""Assemble a `bot.content.model.Document` from raw Bluebook text, without touching any file.

The raw text is a copy of one Bluebook web page: title lines, then headings, paragraphs
(one per line), doubled photo captions and `• N` footnote blocks. Parsing is one pass over
the lines that builds draft sections, then a second step that pairs footnotes with their
markers and derives ids, because a marker can only be told from a figure once the
footnotes that exist are known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.content.model import Document, Footnote, Section
from bot.content.slug import slugify
from bot.ingest import captions, footnotes, headings
from bot.ingest.draft import Draft, Place
from bot.ingest.errors import IngestError
from bot.ingest.places import pair_footnotes, strip_markers, unpaired_markers

_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")
_ABBREVIATION = re.compile(r"\(([A-Z][A-Za-z0-9&.\-]*[A-Z0-9])\)")
_PARAGRAPH_END = set('.!?:"”’)')
_OVERVIEW_FALLBACK = "Overview"
_LATE_IDS = frozenset({"overview", "box"})


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
    places = pair_footnotes(reader.drafts, warnings)
    dropped = unpaired_markers(reader.drafts, places, reader.notes_done, reader.cut_notes_above())
    sections = _build_sections(reader.drafts, places, dropped, doc_id, warnings)
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


# Lines that start a list item: never a continuation of the paragraph above them.
_LIST_ITEM = re.compile(r"^(?:[•・▪●◦*\-–—]\s|\((?:\d{1,2}|[a-z]|[ivx]{1,4})\)\s)")
# Spaces a web copy may contain besides the plain one; all are read as a plain space.
_ODD_SPACES = str.maketrans(
    {"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u3000": " ", "\t": " "}
)
_INVISIBLE = ("\ufeff", "\u200b", "\u200c", "\u200d", "\u2060")
# A footnote's text that ends like this is complete; a line after it starts something new.
_END_MARKER = re.compile(r"(?<=[.!?\"”’)])\d{1,3}$")
_NOTE_END = re.compile(r"[.!?][\"”’)]*$")


def _continues(previous: str, line: str) -> bool:
    """A line wrapped out of the previous paragraph (PDF copies) rather than a new one."""
    if _LIST_ITEM.match(line):
        return False
    # A footnote marker after the full stop ("in March.1") does not hide the sentence end.
    previous = _END_MARKER.sub("", previous)
    return previous[-1] not in _PARAGRAPH_END or line[0].islower()


def normalise_lines(text: str) -> list[str]:
    """Split raw text into lines, with line endings, a BOM, zero-width characters and odd
    spaces (no-break, thin, ideographic, tab) made uniform, so that every later rule sees
    one kind of space and one kind of line end."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for char in _INVISIBLE:
        text = text.replace(char, "")
    return text.translate(_ODD_SPACES).split("\n")


def _section_lines(lines: list[str]) -> int:
    """How many different `Section N Title` lines the text has (a whole chapter has several)."""
    found = {sec[0] for sec in map(headings.section_line, lines) if sec}
    return len(found)


class _Reader:
    """The line-by-line pass: header lines, headings, paragraphs, captions, footnotes."""

    def __init__(self, text: str) -> None:
        self.lines = normalise_lines(text)
        # Several `Section N` headings: each becomes a level-1 section the numbered
        # headings after it nest under (ids stay unique without renaming anything).
        self.nest_sections = _section_lines(self.lines) > 1
        self.title = ""
        self.chapter = ""
        self.section = ""
        self.section_title = ""
        self.chapter_title = ""
        self.drafts: list[Draft] = []
        self._stack: list[int] = []  # open headings, outermost first
        self._numbering = headings.Numbering()
        self._last_numbered_rank = 0
        self._paragraph_open = False
        self._footnote_open = False
        self._chapter_title_pending = False
        self._section_title_pending: str | None = None  # `Section N` with its title below
        self._box_title_pending: int | None = None  # a `Column` whose title is the next line
        self._no_title = False  # the text starts without a title line
        # Where the last footnote block stood (section, paragraphs before it), and the
        # last block that text came after: a complete block, so glued numbers before it
        # that it does not define are not markers (see _unpaired_markers).
        self._last_note: tuple[int, int] | None = None
        self.notes_done: tuple[int, int] | None = None
        self._block: list[int] = []  # the numbers of the last footnote block

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
        if self._box_title_pending is not None:
            box, self._box_title_pending = self._box_title_pending, None
            title = headings.box_title(line)
            shape = headings.candidate(line)
            if title is not None and not isinstance(shape, headings.Candidate):
                self.drafts[box].title, self.drafts[box].marker = headings.split_marker(title)
                return 1
        fn = footnotes.footnote_line(raw)
        if fn is not None:
            notes = self._current().footnotes
            if self._last_note is None:
                self._block = []
            self._block.append(int(fn[0]))
            self._last_note = (len(self.drafts) - 1, len(self._current().paragraphs))
            if [fn[0], fn[1]] not in notes:  # a block printed twice is one footnote
                notes.append([fn[0], fn[1]])
            self._footnote_open = True
            self._paragraph_open = False
            return 1
        if self._footnote_open and (raw[0] == " " or line[0].islower()):
            self._continue_footnote(line)
            return 1
        after_footnote, self._footnote_open = self._footnote_open, False
        if self._header(line):
            return 1
        if self._box(line):
            return 1
        caption = captions.caption_at(self.lines, i)
        if caption is not None:
            self._caption(caption[0])
            return caption[1]
        if self._heading(line):
            return 1
        if after_footnote and self._wraps_footnote(line):
            self._continue_footnote(line)
            self._footnote_open = True
            return 1
        shaped = captions.shaped_caption(line) if not self._paragraph_open else None
        if shaped is not None:
            self._caption(shaped)
            return 1
        self._body(line)
        return 1

    def _continue_footnote(self, line: str) -> None:
        note = self._current().footnotes[-1]
        note[1] = footnotes.add_continuation(note[1], line)

    def _wraps_footnote(self, line: str) -> bool:
        """A line printed flush left right after a footnote still belongs to it when the
        footnote has not ended (`..., attended by Foreign Minister Motegi,` / `Secretary
        of State Blinken ...`) or the line is a link; a list item never does."""
        notes = self._current().footnotes
        if not notes or _LIST_ITEM.match(line):
            return False
        return not _NOTE_END.search(notes[-1][1]) or line.startswith(("http://", "https://"))

    def cut_notes_above(self) -> int:
        """When the text ends in a footnote block it may be cut inside it; notes are printed
        in rising order, so only numbers above the last one printed can be missing."""
        return max(self._block) if self._last_note is not None else 0

    def _after_notes(self) -> None:
        """Text (a heading, a paragraph, a caption) follows: the last block was complete."""
        if self._last_note is not None:
            self.notes_done, self._last_note = self._last_note, None

    def _caption(self, text: str) -> None:
        self._after_notes()
        section = self._current()
        if not section.captions or section.captions[-1] != text:  # the second copy
            section.captions.append(text)
        self._paragraph_open = False

    def _header(self, line: str) -> bool:
        """Title, `Chapter N` (+ title line) and `Section N Title` lines."""
        first = not (self.title or self._no_title or self.drafts or self.chapter or self.section)
        if first:
            if headings.candidate(line) is None and not (
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
        if self._section_title_pending is not None:
            number, self._section_title_pending = self._section_title_pending, None
            if headings.looks_like_title(line) and headings.candidate(line) is None:
                self._name_section(number, headings.collapse_title(line))
                return True
        section = headings.section_line(line)
        if section is not None:
            number, title = section
            self._chapter_title_pending = False
            if self.nest_sections:
                self._numbering.reset()
                self._last_numbered_rank = 0
                self._open(0, f"Section {number}", title or f"Section {number}", None, "section")
            if title:
                self._name_section(number, title)
            else:
                self._section_title_pending = number
            if not self.nest_sections and self.drafts:
                # The same part printed again: its numbering starts again at 1.
                self._numbering.reset()
                self._stack.clear()
                self._last_numbered_rank = 0
            return True
        if self._chapter_title_pending and not self.drafts:
            self._chapter_title_pending = False
            self.chapter = f"{self.chapter} {headings.collapse_title(line)}"
            self.chapter_title = headings.collapse_title(line)
            return True
        return False

    def _name_section(self, number: str, title: str) -> None:
        if not self.section:
            self.section = f"Section {number} {title}"
            self.section_title = title
        if self.nest_sections and self._stack:
            opened = self.drafts[self._stack[0]]
            if opened.kind == "section" and opened.label == f"Section {number}":
                opened.title = title

    def _box(self, line: str) -> bool:
        """`Column` / `Special Feature`: a section one level below the open heading."""
        box = headings.box_line(line)
        if box is None:
            return False
        label, printed = box
        title, marker = headings.split_marker(printed)
        parent_rank = self.drafts[self._stack[-1]].rank if self._stack else 0
        self._open(parent_rank + 0.25, label, title or label, marker, kind="box")
        if not printed:
            self._box_title_pending = len(self.drafts) - 1
        return True

    def _heading(self, line: str) -> bool:
        cand = headings.candidate(line)
        if isinstance(cand, headings.Candidate):
            if not self._numbering.accepts(cand):
                return False
            self._numbering.accept(cand)
            self._last_numbered_rank = cand.rank
            self._open(cand.rank, cand.label, cand.title, cand.marker, kind="numbered")
            return True
        if isinstance(cand, headings.Angle):
            rank = self._last_numbered_rank + 0.5
            self._open(rank, "", cand.title, cand.marker, kind="angle")
            return True
        return False

    def _open(self, rank: float, label: str, title: str, marker: str | None, kind: str) -> None:
        """Open a heading. Boxes never have children; numbered headings and sections never
        sit under a `<Title>` or a box, so their ids do not depend on those."""
        self._after_notes()
        closes = {"box"} if kind in ("angle", "box") else {"box", "angle"}
        while self._stack and (
            self.drafts[self._stack[-1]].kind in closes or self.drafts[self._stack[-1]].rank >= rank
        ):
            self._stack.pop()
        parent = self._stack[-1] if self._stack else None
        self.drafts.append(Draft(rank, label, title, marker, parent, kind=kind))
        self._stack.append(len(self.drafts) - 1)
        self._paragraph_open = False

    def _current(self) -> Draft:
        """The section text belongs to; text before any heading gets an overview section."""
        if not self.drafts:
            title = self.section_title or self.chapter_title or _OVERVIEW_FALLBACK
            # Rank 0 and never on the stack: later headings are its siblings, not children.
            self.drafts.append(Draft(0, "", title, None, None, kind="overview"))
        if self._stack:
            return self.drafts[self._stack[-1]]
        return self.drafts[-1]

    def _body(self, line: str) -> None:
        self._after_notes()
        section = self._current()
        line = footnotes.collapse(line)
        if self._paragraph_open and section.paragraphs and _continues(section.paragraphs[-1], line):
            section.paragraphs[-1] = f"{section.paragraphs[-1]} {line}"
        else:
            section.paragraphs.append(line)
        self._paragraph_open = True


def aliases_for(title: str) -> tuple[str, ...]:
    """Abbreviations printed in parentheses in a title: `(MERCOSUR)` -> `MERCOSUR`."""
    found: list[str] = []
    for m in _ABBREVIATION.finditer(title):
        abbreviation = m.group(1)
        if sum(c.isupper() for c in abbreviation) >= 2 and abbreviation not in found:
            found.append(abbreviation)
    return tuple(found)


def _build_sections(
    drafts: list[Draft],
    places: dict[int, list[Place]],
    dropped: dict[int, list[Place]],
    doc_id: str,
    warnings: list[str],
) -> tuple[Section, ...]:
    ids: list[str] = [""] * len(drafts)
    levels: list[int] = [0] * len(drafts)
    used: dict[str | None, set[str]] = {}
    # Printed headings claim their slugs first, so a box or the overview section that
    # happens to share a title never pushes a numbered heading's id to `-2`. Neither ever
    # has children, so every parent has its id when its children are reached.
    first = [i for i, d in enumerate(drafts) if d.kind not in _LATE_IDS]
    late = [i for i, d in enumerate(drafts) if d.kind in _LATE_IDS]
    for i in first + late:
        draft = drafts[i]
        parent_id = ids[draft.parent] if draft.parent is not None else None
        base = slugify(draft.title) or "section"
        siblings = used.setdefault(parent_id, set())
        slug, n = base, 1
        while slug in siblings:
            n += 1
            slug = f"{base}-{n}"
        siblings.add(slug)
        ids[i] = f"{parent_id}/{slug}" if parent_id else slug
        levels[i] = levels[draft.parent] + 1 if draft.parent is not None else 1
    children: dict[int, list[str]] = {i: [] for i in range(len(drafts))}
    for i, draft in enumerate(drafts):
        if draft.parent is not None:
            children[draft.parent].append(ids[i])
    sections: list[Section] = []
    for i, draft in enumerate(drafts):
        paragraphs, refs = strip_markers(draft, places[i], dropped[i], warnings)
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
