"""Footnote markers glued to words, and the numbers that must stay text."""

from __future__ import annotations

import pytest

from bot.content.model import Section
from bot.ingest import parse_bluebook

HEADER = "Diplomatic Bluebook 2020\n\n1 Russia\n\n"


def section(body: str, notes: str) -> Section:
    doc = parse_bluebook(HEADER + body + "\n\n" + notes + "\n", "doc")
    return doc.sections[0]


@pytest.mark.parametrize(
    ("raw", "display", "before"),
    [
        ("the Four Northern Islands.1", "the Four Northern Islands.", "Islands."),
        ("at the end of 2016,1 a series", "at the end of 2016, a series", "2016,"),
        ("on the Arctic LNG 2 Project,1 in which", "on the Arctic LNG 2 Project, in which", ","),
        ("signed the Japan-EU EPA1 and the SPA.", "signed the Japan-EU EPA and the SPA.", "EPA"),
        ("the organisation (MERCOSUR)1 met.", "the organisation (MERCOSUR) met.", ")"),
        ("the “business models”1 for tourism.", "the “business models” for tourism.", "”"),
        ("cooperation in cyber defense1 and more.", "cooperation in cyber defense and more.", "se"),
        ("was it a success?1 It was.", "was it a success? It was.", "success?"),
    ],
)
def test_glued_markers_become_references(raw: str, display: str, before: str) -> None:
    sec = section(raw, "  • 1 A note.")
    assert sec.paragraphs == (display,)
    (ref,) = sec.footnote_refs
    assert ref.number == "1" and ref.paragraph == 0
    assert display[: ref.offset].endswith(before)
    assert sec.footnotes[0].text == "A note."


@pytest.mark.parametrize(
    "text",
    [
        "the Arctic LNG 2 Project is large.",
        "the G7 and the G20 met, with C5 observers.",
        "an extension of the New START is undetermined.",
        "the fourth “2+2” Ministerial Meeting was held.",
        "the 70th anniversary was celebrated.",
        "a total of 860 people (2018: 1,334 people) took part.",
        "approximately 2.3459 trillion yen, down 7.2% year-on-year.",
        "the Japan-Russia Youth Forum 2019 was held.",
        "growth of 1.3% and 2.5 million visitors.",
    ],
)
def test_numbers_in_names_and_figures_stay_text(text: str) -> None:
    notes = "\n".join(f"  • {n} Note {n}." for n in ("2", "3", "4", "5", "7", "20", "334", "3459"))
    sec = section("Body: " + text, notes)
    assert sec.paragraphs[0] == "Body: " + text
    assert sec.footnote_refs == ()


def test_only_defined_footnote_numbers_are_markers() -> None:
    # Text follows the notes, so the block was printed whole: it does not define 2.
    sec = section(
        "the Four Northern Islands.1 Then at the end of 2016,2 more.", "  • 1 One.\n\nEnd."
    )
    assert sec.paragraphs == ("the Four Northern Islands. Then at the end of 2016,2 more.", "End.")
    assert [r.number for r in sec.footnote_refs] == ["1"]


def test_footnote_block_with_continuation_lines_and_heading_right_after() -> None:
    doc = parse_bluebook(
        HEADER
        + "(1) Relations\n\nSee the website.1 And the statement.2\n\n\n"
        + "  • 1 Please refer to the website: https://example.org/overview.html\n"
        + "    Please refer to the website\n"
        + "  • 2 The joint statement\n"
        + "    includes cooperation in human resources.\n"
        + "(2) Next Heading\n\nText.\n",
        "doc",
    )
    relations = doc.sections[1]
    assert [f.text for f in relations.footnotes] == [
        "Please refer to the website: https://example.org/overview.html",
        "The joint statement includes cooperation in human resources.",
    ]
    assert [s.title for s in doc.sections] == ["Russia", "Relations", "Next Heading"]
    assert doc.sections[2].footnotes == ()


def test_heading_glued_to_a_marker() -> None:
    doc = parse_bluebook(
        HEADER + "(1) Common Market of the South (MERCOSUR)2\n\nA customs union.\n\n"
        "  • 2 Venezuela's membership is suspended.\n",
        "doc",
    )
    mercosur = doc.sections[1]
    assert mercosur.title == "Common Market of the South (MERCOSUR)"
    assert mercosur.id == "russia/common-market-of-the-south-mercosur"
    assert mercosur.aliases == ("MERCOSUR",)
    assert [(r.paragraph, r.offset, r.number) for r in mercosur.footnote_refs] == [(0, 0, "2")]
    assert mercosur.footnotes[0].text == "Venezuela's membership is suspended."


def test_footnote_printed_after_the_next_subheading_moves_to_its_marker() -> None:
    doc = parse_bluebook(
        HEADER + "<First>\n\nThe EPA1 entered into force.\n\n<Second>\n\nOther text.\n\n"
        "  • 1 The Economic Partnership Agreement.\n",
        "doc",
    )
    first, second = doc.sections[1], doc.sections[2]
    assert [f.number for f in first.footnotes] == ["1"]
    assert [r.number for r in first.footnote_refs] == ["1"]
    assert second.footnotes == () and second.footnote_refs == ()
