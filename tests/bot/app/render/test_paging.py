"""Paging real section text: pages fit an embed, break between paragraphs, then sentences."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app.render import limits
from bot.app.render.paging import paginate
from bot.search.loading import load_index
from tests.support.paths import CONTENT_DIR


@pytest.fixture(scope="module")
def paragraphs() -> list[str]:
    index, problems = load_index(Path(CONTENT_DIR))
    assert index is not None, problems
    return [p for entry in index.sections for p in entry.section.paragraphs]


@pytest.mark.parametrize("limit", [limits.EMBED_DESCRIPTION, limits.EMBED_FIELD_VALUE, 700, 300])
def test_all_bundled_text_pages_within_the_limit_and_lose_nothing(
    paragraphs: list[str], limit: int
) -> None:
    pages = paginate(paragraphs, limit)
    assert all(0 < len(p) <= limit for p in pages)
    assert "".join("".join(pages).split()) == "".join("".join(paragraphs).split())


def test_a_page_breaks_between_paragraphs_when_the_paragraph_fits(paragraphs: list[str]) -> None:
    pages = paginate(paragraphs, limits.EMBED_DESCRIPTION)
    assert len(pages) > 1
    starts = {p[:60] for p in paragraphs}
    # every page that does not continue an over-long paragraph starts with a paragraph
    for page in pages:
        assert page[:60] in starts or any(len(p) > limits.EMBED_DESCRIPTION for p in paragraphs)


def test_a_long_paragraph_is_split_between_sentences(paragraphs: list[str]) -> None:
    longest = max(paragraphs, key=len)
    limit = len(longest) // 2 + 50
    pages = paginate([longest], limit)
    assert len(pages) >= 2
    for page in pages[:-1]:
        assert page.endswith((".", "”", ")")), page[-40:]


def test_a_long_paragraph_fills_the_current_page_first() -> None:
    pages = paginate(["Short one.", "First long. Second long. Third long."], 32)
    assert pages == ["Short one.\n\nFirst long.", "Second long. Third long."]


def test_words_and_overlong_words_as_a_last_resort() -> None:
    pages = paginate(["word " * 30 + "x" * 25], 20)
    assert all(len(p) <= 20 for p in pages)
    assert "".join(pages).replace(" ", "") == ("word" * 30) + "x" * 25


def test_empty_input_and_tiny_limits() -> None:
    assert paginate([], 100) == []
    assert paginate(["", "  "], 100) == []
    with pytest.raises(ValueError):
        paginate(["text"], 2)
