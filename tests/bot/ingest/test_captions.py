"""Photo captions printed twice become one caption, wherever the second copy breaks."""

from __future__ import annotations

from bot.content.model import Section
from bot.ingest import parse_bluebook
from bot.ingest.captions import doubled

HEADER = "Diplomatic Bluebook 2020\n\n1 Russia\n\nSome text.\n\n"


def only_section(body: str) -> Section:
    return parse_bluebook(HEADER + body, "doc").sections[0]


def test_caption_doubled_on_one_line() -> None:
    caption = "Japan-Russia Summit Meeting (September 5, Vladivostok, Russia)"
    sec = only_section(f"{caption}{caption}\n\nMore text.\n")
    assert sec.captions == (caption,)
    assert sec.paragraphs == ("Some text.", "More text.")


def test_caption_doubled_across_a_line_break() -> None:
    sec = only_section(
        "Sightseeing pilot tour (October 31, Kunashiri Island; Photo: World Air-Sea Service)"
        "Sightseeing pilot tour\n(October 31, Kunashiri Island; Photo: World Air-Sea Service)\n"
    )
    assert sec.captions == (
        "Sightseeing pilot tour (October 31, Kunashiri Island; Photo: World Air-Sea Service)",
    )
    assert sec.paragraphs == ("Some text.",)


def test_caption_without_the_word_photo_and_two_in_a_row() -> None:
    a = "Foreign Minister Kono visits France (January 11, Brest, France)"
    b = "Japan Year in Russia closing ceremony (June, Osaka)"
    sec = only_section(f"{a}{a}\n{b} {b}\n")
    assert sec.captions == (a, b)


def test_ordinary_lines_are_not_captions() -> None:
    assert doubled("The two leaders met. The two leaders met again.") is None
    assert doubled("abcabc") is None  # too short to be a caption
    sec = only_section("Japan and Russia. Japan and Russia.\n")
    assert sec.captions == ()
