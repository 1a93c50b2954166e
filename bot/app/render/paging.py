"""Splitting long text into pages that each fit one embed description.

A page break falls between paragraphs when it can, else between sentences, else between
words: a reader turning pages should never find a sentence cut in half unless that one
sentence is longer than a whole page.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.text import split_sentences

PARAGRAPH_SEP = "\n\n"


def _split_long(sentence: str, limit: int) -> list[str]:
    """A sentence longer than a page: cut between words (inside a word only if it must)."""
    if len(sentence) <= limit:
        return [sentence]
    out: list[str] = []
    current = ""
    for word in sentence.split(" "):
        while len(word) > limit:
            if current:
                out.append(current)
                current = ""
            out.append(word[:limit])
            word = word[limit:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= limit:
            current = f"{current} {word}"
        else:
            out.append(current)
            current = word
    if current:
        out.append(current)
    return out


def paginate(paragraphs: Sequence[str], limit: int, sep: str = PARAGRAPH_SEP) -> list[str]:
    """Pack `paragraphs` into pages of at most `limit` characters, in document order.

    A paragraph that does not fit on the current page starts the next one; only a paragraph
    longer than a whole page is split, its sentences filling the current page first.
    An empty input gives no pages.
    """
    if limit <= len(sep):
        raise ValueError(f"page limit {limit} is too small")
    pages: list[str] = []
    current = ""
    for paragraph in paragraphs:
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if not current:
            if len(paragraph) <= limit:
                current = paragraph
                continue
        elif len(current) + len(sep) + len(paragraph) <= limit:
            current = f"{current}{sep}{paragraph}"
            continue
        elif len(paragraph) <= limit:
            pages.append(current)
            current = paragraph
            continue
        joiner = sep
        for sentence in split_sentences(paragraph):
            for part in _split_long(sentence, limit):
                if not current:
                    current = part
                elif len(current) + len(joiner) + len(part) <= limit:
                    current = f"{current}{joiner}{part}"
                else:
                    pages.append(current)
                    current = part
                joiner = " "
    if current:
        pages.append(current)
    return pages
