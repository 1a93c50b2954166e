"""Footnote blocks (`  • N text`) and the markers glued into the text that point at them.

Markers are bare digits glued to a word (`Islands.1`, `end of 2016,2`), so they are only
taken where a footnote with that number exists and where a marker can stand; numbers that
are part of names or figures (`Arctic LNG 2 Project`, `G7`, `2+2`, `1,334`) stay text.
"""

from __future__ import annotations

import re

_FOOTNOTE_LINE = re.compile(r"^\s*[•·]\s*(\d{1,3})\s+(\S.*)$")
_SPACES = re.compile(r"\s+")

# Characters a marker may follow: punctuation that ends a word, closing brackets and
# quotes, or the last letter of a word. Not a space (`LNG 2`), an opening bracket
# (`(2018`) or an operator (`2+2`); after a capital only when the word has two letters
# or more (`EPA1`), since one capital and digits is a name (`G7`, `G20`, `C5`).
_BEFORE = set(".,;:?!)]}\"'”’") | set("abcdefghijklmnopqrstuvwxyz")
_CAPITALS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Characters a marker may precede.
_AFTER = set(".,;:)")


def footnote_line(line: str) -> tuple[str, str] | None:
    """`  • 1 Please refer to ...` -> ("1", "Please refer to ...")."""
    m = _FOOTNOTE_LINE.match(line)
    if not m:
        return None
    return m.group(1), collapse(m.group(2))


def collapse(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def add_continuation(text: str, line: str) -> str:
    """Append a continuation line unless it only repeats words already in the footnote.

    Web copies of the Bluebook repeat a link's text on an indented line under the URL;
    keeping it would print the same words twice, so a line whose text is already
    contained in the footnote is dropped.
    """
    extra = collapse(line)
    if not extra or extra.lower() in text.lower():
        return text
    return f"{text} {extra}"


def marker_positions(text: str, number: str) -> list[int]:
    """Offsets in `text` where `number` stands as a footnote marker (start of the digits)."""
    positions: list[int] = []
    start = 0
    while True:
        pos = text.find(number, start)
        if pos < 0:
            return positions
        start = pos + 1
        if can_be_marker(text, pos, number):
            positions.append(pos)


def can_be_marker(text: str, pos: int, number: str) -> bool:
    """Whether `number` at `text[pos:]` stands where a glued marker can stand."""
    end = pos + len(number)
    if pos == 0:
        return False
    if text[pos - 1] not in _BEFORE and not _after_capital_word(text, pos):
        return False
    if end < len(text) and not (text[end].isspace() or text[end] in _AFTER):
        return False
    before = text[pos - 1]
    before2 = text[pos - 2] if pos >= 2 else ""
    if before in ".," and before2.isdigit():
        # "2.3459", "1,334" are figures. After a year a marker is possible ("2016,2 a",
        # "in 2016.2 The") but a decimal point followed by a lower-case word is a figure.
        if before == "," and len(number) == 3:
            return False
        if before == "." and not _sentence_follows(text, end):
            return False
    return True


def _after_capital_word(text: str, pos: int) -> bool:
    return pos >= 2 and text[pos - 1] in _CAPITALS and text[pos - 2].isalpha()


def _sentence_follows(text: str, end: int) -> bool:
    rest = text[end:].lstrip()
    return not rest or rest[0].isupper()
