"""Photo captions, which web copies of the Bluebook print twice back to back.

They are found by that structure (a text repeated twice, each copy possibly broken over a
line end at a different place), not by words like "Photo", which many captions lack. A
caption printed only once is taken only when it has a caption's shape: a short title and
a final bracket that starts with a date or names the photo's source
(`Japan-U.S. Summit Meeting (April 16, Washington, D.C.; Photo: Cabinet Public Relations
Office)`); otherwise it cannot be told from a short paragraph and stays body text.
"""

from __future__ import annotations

import re

from bot.ingest.footnotes import collapse
from bot.ingest.headings import looks_like_title

MIN_CAPTION_CHARS = 8
# A doubled caption may be spread over this many consecutive lines (both copies broken).
MAX_CAPTION_LINES = 4
MAX_SHAPED_CAPTION_CHARS = 250

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_CAPTION_META = re.compile(rf"^(?:(?:{_MONTHS})\s+\d{{1,2}}\b|.*\bPhoto\s*:)")


def doubled(text: str) -> str | None:
    """`XX` or `X X` -> `X`, for a long enough `X` that is not a sentence; otherwise None.

    A copy ending in sentence punctuation is a repeated sentence in the body, not a caption.
    """
    text = collapse(text)
    if text.endswith((".", "!", "?")):
        return None
    n = len(text)
    half = n // 2
    if half < MIN_CAPTION_CHARS:
        return None
    if n % 2 == 0 and text[:half] == text[half:]:
        return text[:half].strip()
    if n % 2 == 1 and text[half] == " " and text[:half] == text[half + 1 :]:
        return text[:half]
    return None


def _doubled_lines(parts: list[str]) -> str | None:
    """Lines that together are one text twice, compared without whitespace (each copy may
    break at a different place, mid-word or at a space). The caption is the copy that is
    printed on one line, if one is, else the first copy."""
    squeezed = "".join("".join(p.split()) for p in parts)
    n = len(squeezed)
    if n % 2 or n // 2 < MIN_CAPTION_CHARS or squeezed[: n // 2] != squeezed[n // 2 :]:
        return None
    # Find where the first copy ends in the lines.
    seen = 0
    for p, part in enumerate(parts):
        for c, char in enumerate(part):
            if char.isspace():
                continue
            seen += 1
            if seen == n // 2:
                first = [*parts[:p], part[: c + 1]]
                second = [part[c + 1 :], *parts[p + 1 :]]
                copies = [first, second]
                whole = [copy for copy in copies if len([x for x in copy if x.strip()]) == 1]
                chosen = whole[0] if whole else first
                text = collapse(" ".join(chosen))
                if text.endswith((".", "!", "?")):
                    return None
                return text
    return None


def caption_at(lines: list[str], index: int) -> tuple[str, int] | None:
    """The doubled caption starting at `lines[index]` and how many lines it spans."""
    line = lines[index].strip()
    if not line:
        return None
    single = doubled(line)
    if single is not None:
        return single, 1
    parts = [line]
    for k in range(1, MAX_CAPTION_LINES):
        if index + k >= len(lines) or not lines[index + k].strip():
            return None
        following = lines[index + k].strip()
        if k == 1:
            # The common break: the second copy starts on the first line.
            for joiner in (" ", ""):
                pair = doubled(line + joiner + following)
                if pair is not None:
                    return pair, 2
        parts.append(following)
        found = _doubled_lines(parts)
        if found is not None:
            return found, k + 1
    return None


def shaped_caption(line: str) -> str | None:
    """A caption printed once: `Title (Month D, Place; Photo: Source)` on a line of its own."""
    text = collapse(line)
    if not text.endswith(")") or len(text) > MAX_SHAPED_CAPTION_CHARS:
        return None
    depth = 0
    start = -1
    for i in range(len(text) - 1, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            depth -= 1
            if depth == 0:
                start = i
                break
    if start <= 0:
        return None
    title, meta = text[:start].strip(), text[start + 1 : -1]
    if not _CAPTION_META.match(meta) or not looks_like_title(title):
        return None
    return text
