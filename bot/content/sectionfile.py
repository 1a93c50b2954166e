"""Reading one section Markdown file: front matter, paragraphs, footnotes and captions.

Footnote markers are removed from the display text here (and their positions kept) so that
quotes, search and rendering all see the words a reader sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.content.model import Footnote, FootnoteRef

_MARKER = re.compile(r"\[\^([^\]\s]+)\]")
_FOOTNOTE_DEF = re.compile(r"\[\^([^\]\s]+)\]:[ \t]*(.*)$")
_CAPTION = "> Photo:"


class FrontMatterError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class SectionBody:
    paragraphs: list[str] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    footnote_refs: list[FootnoteRef] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    # (line, message) pairs: marker/footnote mismatches and duplicate footnotes.
    issues: list[tuple[int, str]] = field(default_factory=list)


def split_front_matter(text: str) -> tuple[str, list[str], int]:
    """Return (front matter text, body lines, file line of the first body line).

    Front matter is between a first line `---` and the next line `---`.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    if not lines or lines[0].rstrip() != "---":
        raise FrontMatterError(1, "missing front matter: the first line must be '---'")
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return "\n".join(lines[1:index]), lines[index + 1 :], index + 2
    raise FrontMatterError(1, "front matter is not closed: no '---' line after the opening one")


def _strip_markers(text: str) -> tuple[str, list[tuple[int, str]]]:
    """Remove `[^N]` markers; return the display text and (offset, number) of each."""
    if "[^" not in text:
        return text, []
    pieces: list[str] = []
    found: list[tuple[int, str]] = []
    length = 0
    last = 0
    for m in _MARKER.finditer(text):
        piece = text[last : m.start()]
        pieces.append(piece)
        length += len(piece)
        found.append((length, m.group(1)))
        last = m.end()
    pieces.append(text[last:])
    return "".join(pieces), found


class _BodyReader:
    """Reads a section body line by line: paragraphs (blank-line separated), photo
    captions (`> Photo:` blocks), footnote definitions and their indented continuations."""

    def __init__(self) -> None:
        self.body = SectionBody()
        self.markers: list[tuple[str, int]] = []  # (number, line) of every marker
        self.definitions: dict[str, int] = {}  # number -> line of its definition
        self._note: list[str] | None = None  # the footnote being read, if any
        self._note_number = ""
        self._block: list[str] = []

    def feed(self, raw: str, line_no: int) -> None:
        stripped = raw.strip()
        if not stripped:
            self._close_block()
            return
        definition = _FOOTNOTE_DEF.match(raw)
        if "[^" in raw:
            start = definition.end(1) + 2 if definition is not None else 0
            self.markers.extend((m.group(1), line_no) for m in _MARKER.finditer(raw, start))
        if definition is not None:
            self._start_note(definition.group(1), definition.group(2).strip(), line_no)
        elif self._note is not None and not self._block and raw.startswith(("    ", "\t")):
            self._note.append(stripped)
        else:
            self._close_note()
            self._block.append(stripped)

    def finish(self) -> SectionBody:
        self._close_block()
        self._close_note()
        self._check_markers()
        self.body.issues.sort()
        return self.body

    def _start_note(self, number: str, first: str, line_no: int) -> None:
        self._close_block()
        self._close_note()
        if number in self.definitions:
            self.body.issues.append((line_no, f"footnote [^{number}] is defined twice"))
        self.definitions[number] = line_no
        self._note = [first] if first else []
        self._note_number = number

    def _close_note(self) -> None:
        if self._note is not None:
            text, _ = _strip_markers(" ".join(self._note))
            self.body.footnotes.append(Footnote(number=self._note_number, text=text))
        self._note = None

    def _close_block(self) -> None:
        block, self._block = self._block, []
        if not block:
            return
        if block[0].startswith(_CAPTION):
            rest = [line[1:].strip() if line.startswith(">") else line for line in block[1:]]
            caption = " ".join([block[0][len(_CAPTION) :].strip(), *rest]).strip()
            self.body.captions.append(_strip_markers(caption)[0])
            return
        index = len(self.body.paragraphs)
        text, refs = _strip_markers(" ".join(block))
        self.body.paragraphs.append(text)
        for offset, number in refs:
            self.body.footnote_refs.append(FootnoteRef(index, offset, number))

    def _check_markers(self) -> None:
        marked = {number for number, _ in self.markers}
        for number, line in self.markers:
            if number not in self.definitions:
                message = f"footnote marker [^{number}] has no footnote '[^{number}]:'"
                self.body.issues.append((line, message))
        for number, line in self.definitions.items():
            if number not in marked:
                self.body.issues.append((line, f"footnote [^{number}] has no marker in the text"))


def parse_body(lines: list[str], first_line: int) -> SectionBody:
    reader = _BodyReader()
    for index, raw in enumerate(lines):
        reader.feed(raw, first_line + index)
    return reader.finish()
