"""Heading recognition: which short lines are headings, at what rank, with what label.

A line only counts as a heading when it has a heading's shape *and* fits the numbering
sequence of its siblings, because body paragraphs can start like headings
("A military parade was held ...") and a stray line must never split a section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_HEADING_CHARS = 120

# Ranks of the numbered forms; `<Title>` sub-headings get a rank between their parent's
# and the next form's (see Numbering.accept_angle).
RANK_NUMBER = 1  # "1 Russia", "1.Russia"
RANK_PAREN_NUMBER = 2  # "(1) Situation in Russia"
RANK_LETTER = 3  # "A Internal Situation in Russia"
RANK_PAREN_LETTER = 4  # "(A) Security, Defense Exchanges and Maritime Security"
RANK_PAREN_LOWER = 5  # "(a) Participants"

_NUMBER = re.compile(r"^(\d{1,2})(?:\s+|\.\s*)(\S.*)$")
_PAREN_NUMBER = re.compile(r"^\((\d{1,2})\)\s*(\S.*)$")
_LETTER = re.compile(r"^([A-Z])\s+(\S.*)$")
_PAREN_LETTER = re.compile(r"^\(([A-Z])\)\s*(\S.*)$")
_PAREN_LOWER = re.compile(r"^\(([a-z])\)\s*(\S.*)$")
_ANGLE = re.compile(r"^[<＜〈](.+?)[>＞〉](\d{1,3})?$")
_CHAPTER = re.compile(r"^Chapter\s+(\d+)(?:\s+(\S.*))?$")
_SECTION = re.compile(r"^Section\s+(\d+)(?:\s+(\S.*))?$")

# A footnote marker glued to the end of a heading: "(MERCOSUR)2", "Meeting2".
_GLUED_MARKER = re.compile(r"(?:(?<=[)\]\"'”’.?!a-z])|(?<=[A-Za-z][A-Z]))(\d{1,3})$")
# Where a sentence ends inside the line: "was held. The", "Japan; Russia".
_MID_SENTENCE = re.compile(r"([a-z]{2,})\. [A-Za-z]|; ")
# Words whose full stop does not end a sentence ("China/Mongolia, etc.", "with the U.S.").
_ABBREVIATION_WORDS = frozenset({"etc", "vs", "approx", "incl"})
_ABBREVIATION_END = re.compile(
    r"(?:\b(?:etc|Inc|Ltd|Co|Jr|Sr|St|No)|(?<![A-Za-z])(?:[A-Z]\.)+[A-Z])\.$"
)
# "Column", "Special Feature", "Column 3", "Column: Title": a box printed inside a section.
_BOX = re.compile(
    r"^(Column|COLUMN|Special Feature|SPECIAL FEATURE|Special feature)(?:\s*(\d{1,2})(?!\S))?"
    r"(?:\s*[:：]\s*|\s+)?(.*)$"
)
_TITLE_START = re.compile(r"^[A-Z0-9\"'“‘]")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A line shaped like a numbered heading, before the sequence check."""

    rank: int
    label: str  # as printed: "1", "(1)", "A", "(A)"
    key: str  # the bare number or letter, for the sequence check
    title: str
    marker: str | None  # footnote number glued to the end of the title


@dataclass(frozen=True, slots=True)
class Angle:
    """A `<Title>` sub-heading."""

    title: str
    marker: str | None


def chapter_line(line: str) -> tuple[str, str] | None:
    """`Chapter 2` (title on the next line) or `Chapter 2 Title`: (number, title-or-empty)."""
    m = _CHAPTER.match(line)
    if not m or len(line) > MAX_HEADING_CHARS:
        return None
    return m.group(1), collapse_title(m.group(2) or "")


def section_line(line: str) -> tuple[str, str] | None:
    """`Section 5 Russia, Central Asia and Caucasus`, or `Section 5` with the title on the
    next line (as `Chapter N` is printed): (number, title-or-empty)."""
    m = _SECTION.match(line.strip())
    if not m:
        return None
    if m.group(2) is None:
        return m.group(1), ""
    if not looks_like_title(m.group(2)):
        return None
    return m.group(1), collapse_title(m.group(2))


def split_marker(title: str) -> tuple[str, str | None]:
    """Split digits shaped like a glued footnote marker off a heading. They are only a
    marker shape here: the caller gives them back when no note or sequence bears them out."""
    m = _GLUED_MARKER.search(title)
    if m:
        return title[: m.start()].rstrip(), m.group(1)
    return title, None


def looks_like_title(title: str) -> bool:
    """Short, starts like a title, and does not read as a sentence.

    A final full stop is allowed only after an abbreviation (`China/Mongolia, etc.`,
    `Situation in the U.S.`): real headings end that way, sentences rarely. A question mark
    is allowed (`What Is the FOIP?`): body text seldom asks questions on a line of its own.
    """
    title = title.strip()
    if not title or len(title) > MAX_HEADING_CHARS:
        return False
    if not _TITLE_START.match(title):
        return False
    if title[-1] in ",;:!":
        return False
    if title[-1] == "." and not _ABBREVIATION_END.search(title):
        return False
    return not _sentence_inside(title)


def _sentence_inside(title: str) -> bool:
    for m in _MID_SENTENCE.finditer(title):
        if m.group(1) is None or m.group(1).lower() not in _ABBREVIATION_WORDS:
            return True
    return False


def box_line(line: str) -> tuple[str, str] | None:
    """`Column` / `Special Feature`, optionally numbered, optionally followed by its title
    (`Column: Title`, `Column Title`): (label, title).

    The title is empty when it is printed on the next line, as web copies do.
    """
    m = _BOX.match(line.strip())
    if not m:
        return None
    title = ""
    if m.group(3):
        found = box_title(m.group(3))
        if found is None:
            return None  # "Columns of ...": a sentence, not a box
        title = found
    label = m.group(1).title()
    if m.group(2):
        label = f"{label} {m.group(2)}"
    return label, title


def box_title(line: str) -> str | None:
    """The line after `Column` is its title when it reads as one (any final punctuation but
    a full stop, since box titles are often questions: `What Is the FOIP?`)."""
    title = collapse_title(line)
    m = _ANGLE.match(title)
    if m and not m.group(2):
        title = m.group(1).strip()
    if not title or len(title) > MAX_HEADING_CHARS + 30 or not _TITLE_START.match(title):
        return None
    if title[-1] in ",;:" or (title[-1] == "." and not _ABBREVIATION_END.search(title)):
        return None
    return title


def collapse_title(text: str) -> str:
    """Runs of spaces (double spaces, no-break spaces) in a printed title are one space."""
    return " ".join(text.split())


def candidate(line: str) -> Candidate | Angle | None:
    """The heading shape of `line`, if it has one (the sequence is checked by Numbering)."""
    line = line.strip()
    if len(line) > MAX_HEADING_CHARS + 6:
        return None
    m = _ANGLE.match(line)
    if m:
        title = collapse_title(m.group(1))
        return Angle(title, m.group(2)) if looks_like_title(title) else None
    forms = (
        (_PAREN_NUMBER, RANK_PAREN_NUMBER, "({})"),
        (_PAREN_LETTER, RANK_PAREN_LETTER, "({})"),
        (_PAREN_LOWER, RANK_PAREN_LOWER, "({})"),
        (_NUMBER, RANK_NUMBER, "{}"),
        (_LETTER, RANK_LETTER, "{}"),
    )
    for pattern, rank, label_format in forms:
        m = pattern.match(line)
        if not m:
            continue
        title, marker = split_marker(collapse_title(m.group(2)))
        if rank == RANK_NUMBER and title[:1].isdigit():
            return None  # "2.3459 trillion yen ...", "2 3 ..." are numbers, not headings
        if not looks_like_title(title):
            return None
        key = m.group(1)
        return Candidate(rank, label_format.format(key), key, title, marker)
    return None


def _successor(key: str) -> str:
    if key.isdigit():
        return str(int(key) + 1)
    return chr(ord(key) + 1)


def _is_first(key: str) -> bool:
    return key in ("1", "A", "a")


class Numbering:
    """The last label seen at each rank under the current parents.

    A candidate is accepted only as the successor of its previous sibling, or as the first
    at its rank (`1`, `A`). The very first heading of a text may carry any number, because
    excerpts often start in the middle of a section ("2 Central Asia and Caucasus").
    """

    def __init__(self) -> None:
        self._last: dict[int, str] = {}
        self._seen_any = False

    def accepts(self, cand: Candidate) -> bool:
        last = self._last.get(cand.rank)
        if last is None:
            if not self._seen_any or cand.rank < min(self._last, default=cand.rank + 1):
                # The first heading of a text, or one shallower than every heading so far
                # (an excerpt that starts at "B ..." and goes on with "(4) ..."): the part
                # of the sequence before it is not in the text.
                return True
            # The first at a rank must be 1/A, and a deeper rank needs an open parent.
            return _is_first(cand.key) and self._parent_open(cand.rank)
        return cand.key == _successor(last)

    def _parent_open(self, rank: int) -> bool:
        if rank == min(self._last, default=rank):
            return True
        return any(r < rank for r in self._last)

    def accept(self, cand: Candidate) -> None:
        self._seen_any = True
        self._last[cand.rank] = cand.key
        for rank in [r for r in self._last if r > cand.rank]:
            del self._last[rank]

    def reset(self) -> None:
        """A new `Section N` line starts a fresh numbering."""
        self._last.clear()
        self._seen_any = False
