"""Heading recognition: every form, and lines that look like headings but are body text."""

from __future__ import annotations

import pytest

from bot.content.model import Document
from bot.ingest import IngestError, parse_bluebook

HEADER = "Diplomatic Bluebook 2021\n\nChapter 2\n\nJapan's Foreign Policy\n\nSection 5 Russia\n\n"


def parse(body: str) -> Document:
    return parse_bluebook(HEADER + body, "doc")


def tree(doc: Document) -> list[tuple[int, str, str, str]]:
    return [(s.level, s.label, s.title, s.id) for s in doc.sections]


def test_all_numbered_forms_nest_by_rank() -> None:
    doc = parse(
        "1 Russia\n\n(1) Situation\n\nA Internal Situation\n\nText.\n\n"
        "(A) Security\n\nText.\n\n(B) Culture\n\nText.\n\nB Economy\n\nText.\n"
    )
    assert tree(doc) == [
        (1, "1", "Russia", "russia"),
        (2, "(1)", "Situation", "russia/situation"),
        (3, "A", "Internal Situation", "russia/situation/internal-situation"),
        (4, "(A)", "Security", "russia/situation/internal-situation/security"),
        (4, "(B)", "Culture", "russia/situation/internal-situation/culture"),
        (3, "B", "Economy", "russia/situation/economy"),
    ]
    russia = doc.get("russia")
    assert russia is not None
    assert russia.children == ("russia/situation",)
    assert doc.sections[3].parent_id == "russia/situation/internal-situation"


def test_number_dot_title_form() -> None:
    doc = parse("1.Overview\n\nText.\n\n2. Western Europe\n\nText.\n")
    assert tree(doc) == [
        (1, "1", "Overview", "overview"),
        (1, "2", "Western Europe", "western-europe"),
    ]


def test_angle_subheadings_sit_one_level_below_the_current_heading() -> None:
    doc = parse(
        "1 Europe\n\n(1) Relations\n\n<Japan-EU>\n\nText.\n\n<Japan-UK>\n\nText.\n\n(2) Next\n"
    )
    assert tree(doc) == [
        (1, "1", "Europe", "europe"),
        (2, "(1)", "Relations", "europe/relations"),
        (3, "", "Japan-EU", "europe/relations/japan-eu"),
        (3, "", "Japan-UK", "europe/relations/japan-uk"),
        (2, "(2)", "Next", "europe/next"),
    ]


def test_body_paragraph_starting_with_a_is_not_a_heading() -> None:
    doc = parse(
        "1 Russia\n\n(1) Defense\n\n"
        "A military parade was held in Red Square on May 9, attended by foreign leaders.\n\n"
        "A Military Situation\n\nText.\n"
    )
    assert [s.label for s in doc.sections] == ["1", "(1)", "A"]
    assert doc.sections[1].paragraphs[0].startswith("A military parade was held")


def test_headings_must_fit_the_numbering_sequence() -> None:
    doc = parse(
        "1 Russia\n\n(1) Situation\n\nA First\n\nText.\n\n"
        "C Skipped Letter\n\n(3) Skipped Number\n\nB Second\n\nText.\n"
    )
    assert [s.title for s in doc.sections] == ["Russia", "Situation", "First", "Second"]
    assert doc.sections[2].paragraphs == ("Text.", "C Skipped Letter", "(3) Skipped Number")


def test_sentences_and_long_lines_are_not_headings() -> None:
    long_title = "B " + "Word " * 30
    doc = parse(
        "1 Russia\n\nA Title\n\nText.\n\nB Russia grew, and the economy recovered.\n\n"
        f"{long_title}\n\nB Real. Title here\n\nB Next Title\n"
    )
    assert [s.title for s in doc.sections] == ["Russia", "Title", "Next Title"]


def test_overview_text_before_the_first_heading_gets_its_own_section() -> None:
    doc = parse("Europe is a partner that shares values.\n\n1 Overview\n\nText.\n")
    assert tree(doc) == [
        (1, "", "Russia", "russia"),
        (1, "1", "Overview", "overview"),
    ]
    assert doc.sections[0].paragraphs == ("Europe is a partner that shares values.",)


def test_document_header_lines() -> None:
    doc = parse("1 Russia\n\nText.\n")
    assert (doc.title, doc.edition) == ("Diplomatic Bluebook 2021", 2021)
    assert doc.chapter == "Chapter 2 Japan's Foreign Policy"
    assert doc.section == "Section 5 Russia"


def test_sibling_duplicates_get_numbered_ids() -> None:
    doc = parse(
        "1 Europe\n\n<Overview>\n\nText.\n\n<Overview>\n\nMore.\n\n<Overview>\n\nEven more.\n"
    )
    assert [s.id for s in doc.sections] == [
        "europe",
        "europe/overview",
        "europe/overview-2",
        "europe/overview-3",
    ]


def test_excerpt_may_start_at_any_number() -> None:
    doc = parse_bluebook("Diplomatic Bluebook 2020\n\n2 Central Asia\n\n(1) Overview\n\nT.\n", "d")
    assert tree(doc) == [
        (1, "2", "Central Asia", "central-asia"),
        (2, "(1)", "Overview", "central-asia/overview"),
    ]


def test_abbreviations_in_titles_become_aliases() -> None:
    doc = parse("1 Latin America\n\n(1) Common Market of the South (MERCOSUR)\n\nText.\n")
    assert doc.sections[1].aliases == ("MERCOSUR",)
    assert doc.sections[0].aliases == ()


def test_text_without_headings_is_an_error() -> None:
    with pytest.raises(IngestError, match="no headings"):
        parse("Just a paragraph.\n")


def test_text_without_title_line_is_an_error() -> None:
    with pytest.raises(IngestError, match="no title line"):
        parse_bluebook("1 Russia\n\nText.\n", "doc")
