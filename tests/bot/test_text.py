"""The one sentence splitter (bot/text.py) and clipping."""

from __future__ import annotations

import pytest

from bot.content import load_content
from bot.text import ELLIPSIS, clip, sentence_spans, split_sentences
from tests.support.paths import CONTENT_DIR, DATA


@pytest.fixture(scope="module")
def paragraphs() -> list[str]:
    snapshot = load_content(CONTENT_DIR).snapshot
    assert snapshot is not None
    return [p for s in snapshot.sections() for p in s.paragraphs]


def test_abbreviations_initials_and_quotes_do_not_end_a_sentence() -> None:
    text = (
        "Mr. Abe met the U.S. President on 5 Jan. 2019. They talked. “Good,” he said."
        " J. Smith came. He flew to St. Petersburg. The U.S. President said “No.” Then 2019 ended."
    )
    assert split_sentences(text) == [
        "Mr. Abe met the U.S. President on 5 Jan. 2019.",
        "They talked.",
        "“Good,” he said.",
        "J. Smith came.",
        "He flew to St. Petersburg.",
        "The U.S. President said “No.”",
        "Then 2019 ended.",
    ]


def test_a_question_or_exclamation_ends_one_even_after_a_short_word() -> None:
    assert split_sentences("Was it so? No! It was not.") == ["Was it so?", "No!", "It was not."]


def test_lower_case_after_a_full_stop_continues_the_sentence() -> None:
    assert split_sentences("It rose 2.5 p.c. in FY2019. then fell.") == [
        "It rose 2.5 p.c. in FY2019. then fell."
    ]


def test_spans_cover_the_text_and_rejoin_to_it(paragraphs: list[str]) -> None:
    raw = [p.read_text("utf-8") for p in sorted((DATA / "raw").glob("*.txt"))]
    for paragraph in [*paragraphs, *(line for text in raw for line in text.splitlines())]:
        spans = sentence_spans(paragraph)
        assert " ".join(paragraph[a:b] for a, b in spans).split() == paragraph.split()
        assert all(paragraph[a:b] == paragraph[a:b].strip() for a, b in spans)


@pytest.mark.parametrize("limit", [1, 5, 40, 100])
def test_clip_fits_and_marks_the_cut(limit: int) -> None:
    text = "The quick brown fox jumps over the lazy dog " * 5
    out = clip(text, limit)
    assert len(out) <= limit and out.endswith(ELLIPSIS)
    assert clip("short", limit if limit >= 5 else 5) == "short"
