"""Photo captions, which web copies of the Bluebook print twice back to back.

They are found by that structure (a text repeated twice, the second copy possibly broken
over a line), not by words like "Photo", which many captions lack.
"""

from __future__ import annotations

from bot.ingest.footnotes import collapse

MIN_CAPTION_CHARS = 8


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


def caption_at(lines: list[str], index: int) -> tuple[str, int] | None:
    """The caption starting at `lines[index]` and how many lines it spans (1 or 2)."""
    line = lines[index].strip()
    if not line:
        return None
    single = doubled(line)
    if single is not None:
        return single, 1
    if index + 1 < len(lines) and lines[index + 1].strip():
        following = lines[index + 1].strip()
        for joiner in (" ", ""):
            pair = doubled(line + joiner + following)
            if pair is not None:
                return pair, 2
    return None
