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


def parse_body(lines: list[str], first_line: int) -> SectionBody:
    body = SectionBody()
    markers: list[tuple[str, int]] = []  # (number, line) of every marker
    definitions: dict[str, int] = {}  # number -> line of its definition
    footnote_lines: list[str] | None = None  # the footnote being read, if any
    footnote_meta: tuple[str, int] | None = None
    block: list[str] = []

    def close_footnote() -> None:
        nonlocal footnote_lines, footnote_meta
        if footnote_lines is not None and footnote_meta is not None:
            text, _ = _strip_markers(" ".join(footnote_lines))
            number = footnote_meta[0]
            body.footnotes.append(Footnote(number=number, text=text))
        footnote_lines = None
        footnote_meta = None

    def close_block() -> None:
        nonlocal block
        if not block:
            return
        if block[0].startswith(_CAPTION):
            rest = [line[1:].strip() if line.startswith(">") else line for line in block[1:]]
            caption = " ".join([block[0][len(_CAPTION) :].strip(), *rest]).strip()
            text, _ = _strip_markers(caption)
            body.captions.append(text)
        else:
            index = len(body.paragraphs)
            text, refs = _strip_markers(" ".join(block))
            body.paragraphs.append(text)
            for offset, number in refs:
                body.footnote_refs.append(FootnoteRef(index, offset, number))
        block = []

    for index, raw in enumerate(lines):
        line_no = first_line + index
        stripped = raw.strip()
        if not stripped:
            close_block()
            continue
        definition = _FOOTNOTE_DEF.match(raw)
        if "[^" in raw:
            start = definition.end(1) + 2 if definition is not None else 0
            markers.extend((m.group(1), line_no) for m in _MARKER.finditer(raw, start))
        if definition is not None:
            close_block()
            close_footnote()
            number = definition.group(1)
            if number in definitions:
                body.issues.append((line_no, f"footnote [^{number}] is defined twice"))
            definitions[number] = line_no
            footnote_lines = [definition.group(2).strip()] if definition.group(2).strip() else []
            footnote_meta = (number, line_no)
            continue
        if footnote_lines is not None and not block and raw.startswith(("    ", "\t")):
            footnote_lines.append(stripped)
            continue
        close_footnote()
        block.append(stripped)
    close_block()
    close_footnote()

    marked: set[str] = set()
    for number, line in markers:
        marked.add(number)
        if number not in definitions:
            message = f"footnote marker [^{number}] has no footnote '[^{number}]:'"
            body.issues.append((line, message))
    for number, line in definitions.items():
        if number not in marked:
            body.issues.append((line, f"footnote [^{number}] has no marker in the text"))
    body.issues.sort()
    return body
