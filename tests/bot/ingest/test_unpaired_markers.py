"""Footnote markers whose notes are not in the text: shape, sequence and position."""

from __future__ import annotations

import pytest

from bot.content.model import Document, Section
from bot.ingest import parse_bluebook
from bot.ingest.markers import Spot, accept

HEADER = "Diplomatic Bluebook 2020\n\n1 Russia\n\n"


def parse(body: str) -> Document:
    return parse_bluebook(HEADER + body, "doc")


def text_of(doc: Document) -> str:
    return "\n".join(t for s in doc.sections for t in (s.title, *s.paragraphs))


def only(doc: Document) -> Section:
    assert len(doc.sections) == 1
    return doc.sections[0]


def test_markers_go_and_names_and_figures_stay() -> None:
    doc = parse(
        "The G7 and the G20 met in 2019.1 The Arctic LNG 2 Project went ahead.\n\n"
        "(1) Japan-Pacific Islands Relations2\n\n"
        "The Agency (IAEA)3 works under Resolution 2231 with the E3+3, the P5 and on 5G.\n\n"
        "The ASM3 met; the ASM3 meets again in FY2019 and FY20, see No. 2 and No.2.\n\n"
        "CO2 and PM2.5 at 10:30 and 3:1 during COVID-19, in July 2019,4 at TICAD 8.\n\n"
        "A The Eighth Conference (TICAD 8)5\n\n"
        "Held with the (PALM9) leaders.\n"
    )
    assert [(s.label, s.title, s.id) for s in doc.sections] == [
        ("1", "Russia", "russia"),
        ("(1)", "Japan-Pacific Islands Relations", "russia/japan-pacific-islands-relations"),
        (
            "A",
            "The Eighth Conference (TICAD 8)",
            "russia/japan-pacific-islands-relations/the-eighth-conference-ticad-8",
        ),
    ]
    assert doc.sections[0].paragraphs == (
        "The G7 and the G20 met in 2019. The Arctic LNG 2 Project went ahead.",
    )
    assert doc.sections[1].paragraphs == (
        "The Agency (IAEA) works under Resolution 2231 with the E3+3, the P5 and on 5G.",
        "The ASM3 met; the ASM3 meets again in FY2019 and FY20, see No. 2 and No.2.",
        "CO2 and PM2.5 at 10:30 and 3:1 during COVID-19, in July 2019, at TICAD 8.",
    )
    assert doc.sections[2].paragraphs == ("Held with the (PALM9) leaders.",)
    assert all(not s.footnote_refs and not s.footnotes for s in doc.sections)


def test_a_marker_missing_from_the_run_is_skipped_over() -> None:
    """A marker printed in a caption (or lost) leaves a gap of one or two numbers."""
    sec = only(parse("Met in May.1 Then the EPA2 and in June.4 Again in July.5 End.\n"))
    assert sec.paragraphs == ("Met in May. Then the EPA and in June. Again in July. End.",)


def test_glued_names_off_the_run_stay() -> None:
    sec = only(parse("Met in May.1 At the COP26 in Glasgow the CSP4 met.2 And Japan.3\n"))
    assert sec.paragraphs == ("Met in May. At the COP26 in Glasgow the CSP4 met. And Japan.",)


def test_a_name_printed_more_than_once_is_not_a_marker() -> None:
    """`ASM2` would fit the run 1, 2, 3, but it is printed twice: a name."""
    sec = only(parse("In May.1 The ASM2 met.\n\nAt the ASM2 it agreed.3\n"))
    assert sec.paragraphs == ("In May. The ASM2 met.", "At the ASM2 it agreed.")
    sec = only(parse("In May.1 The ASM2 met.\n\nAt the talks it agreed.3\n"))
    assert sec.paragraphs == ("In May. The ASM met.", "At the talks it agreed.")


def test_glued_numbers_without_a_run_stay() -> None:
    """Two numbers glued to letters, rising from 4: names (CSP4, CSP5), not markers."""
    sec = only(parse("The CSP4 was held in Tokyo and the CSP5 in Geneva.\n"))
    assert sec.paragraphs == ("The CSP4 was held in Tokyo and the CSP5 in Geneva.",)


def test_a_page_that_goes_on_with_its_chapters_numbers() -> None:
    """Numbers run through a chapter, so a page may start at 12: three markers in a row
    or markers glued after punctuation show the run."""
    sec = only(parse("Sanctions on Russia.12 The EPA13 and the SPA. NATO14 met.\n"))
    assert sec.paragraphs == ("Sanctions on Russia. The EPA and the SPA. NATO met.",)
    sec = only(parse("Hosted by Japan.5 Into force on February 1, 2019.6\n"))
    assert sec.paragraphs == ("Hosted by Japan. Into force on February 1, 2019.",)


def test_after_the_run_only_a_restart_near_one_is_taken() -> None:
    sec = only(parse("In May.1 In June.2 Later the Forum.9 met.\n"))
    assert sec.paragraphs == ("In May. In June. Later the Forum.9 met.",)


def test_numbering_restarts_in_each_part_of_a_chapter() -> None:
    doc = parse_bluebook(
        "Diplomatic Bluebook 2019\n\nSection 6 The Middle East\n\n1 Overview\n\n"
        "Oil imports.1 And the EPA2 too.\n\n"
        "Section 7 Africa\n\n1 Overview\n\nThe Sahel region.1 The TICAD2 was held.\n",
        "doc",
    )
    paragraphs = [p for s in doc.sections for p in s.paragraphs]
    assert paragraphs == ["Oil imports. And the EPA too.", "The Sahel region. The TICAD was held."]


def test_angle_and_numbered_headings_lose_their_markers() -> None:
    doc = parse(
        "<Election>1\n\nHeld in March.2\n\n2.Antarctica3\n\nText.\n\n3 Counter-terrorism\n\nMore.\n"
    )
    assert [(s.label, s.title, s.id) for s in doc.sections] == [
        ("1", "Russia", "russia"),
        ("", "Election", "russia/election"),
        ("2", "Antarctica", "antarctica"),
        ("3", "Counter-terrorism", "counter-terrorism"),
    ]
    assert doc.sections[1].paragraphs == ("Held in March.",)


def test_box_titles_lose_their_markers() -> None:
    doc = parse(
        "In May.1\n\nColumn\n\nRugby Diplomacy2\n\nText.3\n\n"
        "Column: What Is the FOIP?4\n\nWhy?5 More.\n"
    )
    assert [(s.label, s.title, s.id) for s in doc.sections][1:] == [
        ("Column", "Rugby Diplomacy", "russia/rugby-diplomacy"),
        ("Column", "What Is the FOIP?", "russia/what-is-the-foip"),
    ]
    assert [p for s in doc.sections for p in s.paragraphs] == ["In May.", "Text.", "Why? More."]


@pytest.mark.parametrize("line", ["2.Title", "2. Title", "2 Title", "2  Title"])
def test_numbered_heading_with_or_without_a_space_after_the_number(line: str) -> None:
    doc = parse(f"Text.\n\n{line}\n\nMore text.\n")
    assert [(s.label, s.title, s.id, s.level) for s in doc.sections][1] == (
        "2",
        "Title",
        "title",
        1,
    )


def test_a_sentence_that_starts_like_a_heading_and_ends_with_a_marker_is_text() -> None:
    """`A Japanese delegation visited.3` is a sentence: without its marker it ends in `.`."""
    doc = parse("(1) Relations\n\nText.1\n\nA Japanese delegation visited.2\n")
    assert [s.title for s in doc.sections] == ["Russia", "Relations"]
    assert doc.sections[1].paragraphs == ("Text.", "A Japanese delegation visited.")


def test_a_complete_note_block_says_which_numbers_are_markers() -> None:
    """Text after the block: it was printed whole, so 2 (not defined) stays; the text
    after it may still lose markers whose notes come later (cut off)."""
    sec = only(parse("In May.1 Then 2016,2 more.\n\n  • 1 One.\n\nLater in June.3\n"))
    assert sec.paragraphs == ("In May. Then 2016,2 more.", "Later in June.")
    assert [r.number for r in sec.footnote_refs] == ["1"]


def test_a_text_that_ends_in_its_notes_may_be_cut_inside_them() -> None:
    """Notes are printed in rising order: only numbers after the last one can be lost."""
    sec = only(parse("In May.1 In June.2 And 2019,3 end.\n\n  • 2 Two.\n"))
    assert sec.paragraphs == ("In May.1 In June. And 2019, end.",)
    assert [(r.number, r.offset) for r in sec.footnote_refs] == [("2", len("In May.1 In June."))]


def test_accept_keeps_sure_spots_and_the_run_only() -> None:
    spots = [
        Spot((0, 0, 0), "1", strong=True),
        Spot((0, 0, 5), "26"),
        Spot((0, 0, 9), "2", sure=True),
        Spot((0, 1, 0), "3"),
        Spot((0, 2, 0), "7"),
    ]
    assert accept(spots) == {(0, 0, 0), (0, 0, 9), (0, 1, 0)}
    assert accept([]) == set()
