"""Ingest on the variety real Bluebook text has: other editions, regions and chapters.

Each test pins one trap (exact ids, levels, titles, paragraph counts), because a single
missed or invented heading changes the id of every section after it. The property tests at
the end run over every raw sample: nothing is dropped, no title keeps a footnote digit, and
ingest is deterministic and blind to line endings, BOMs and odd spaces.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.content.model import Document, Section
from bot.ingest import parse_bluebook
from bot.ingest.captions import caption_at, shaped_caption
from bot.ingest.headings import looks_like_title
from bot.ingest.render import render
from tests.support.paths import DATA

RAW = DATA / "raw"
SAMPLES = sorted(RAW.glob("*.txt"))
HEADER = (
    "Diplomatic Bluebook 2022\n\nChapter 2\n\nJapan's Foreign Policy\n\nSection 2 North America\n\n"
)


def load(name: str) -> Document:
    return parse_bluebook((RAW / name).read_text(encoding="utf-8"), name.removesuffix(".txt"))


def parse(body: str) -> Document:
    return parse_bluebook(HEADER + body, "doc")


def outline(doc: Document) -> list[tuple[int, str, str]]:
    return [(s.level, s.label, s.id) for s in doc.sections]


def section(doc: Document, section_id: str) -> Section:
    found = doc.get(section_id)
    assert found is not None, section_id
    return found


# --- the new samples, whole ------------------------------------------------------------


def test_asia_sample_crlf_bom_nbsp_etc_and_numbers_above_nine() -> None:
    raw = (RAW / "bluebook-2021-asia-oceania.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and "\u00a0".encode() in raw
    doc = load("bluebook-2021-asia-oceania.txt")
    assert (doc.edition, doc.section) == (2021, "Section 1 Asia and Oceania")
    china = "china-mongolia-etc"
    sea = "southeast-asia"
    countries = [
        "indonesia",
        "cambodia",
        "singapore",
        "thailand",
        "timor-leste",
        "philippines",
        "brunei",
        "viet-nam",
        "malaysia",
        "myanmar",
        "laos",
    ]
    assert outline(doc) == [
        (1, "", "asia-and-oceania"),
        (1, "1", "overview"),
        (2, "(1)", "overview/situation-in-the-asia-oceania-region"),
        (2, "(2)", "overview/japan-s-diplomacy-in-the-asia-oceania-region"),
        (1, "2", china),
        (2, "(1)", f"{china}/situation-of-china"),
        (3, "A", f"{china}/situation-of-china/domestic-affairs"),
        (3, "B", f"{china}/situation-of-china/economy"),
        (2, "(2)", f"{china}/japan-china-relations-overview"),
        (
            3,
            "Column",
            f"{china}/japan-china-relations-overview/"
            "japan-s-support-for-access-to-covid-19-vaccines",
        ),
        (2, "(3)", f"{china}/mongolia"),
        (1, "3", sea),
        *[(2, f"({n})", f"{sea}/{c}") for n, c in enumerate(countries, start=1)],
    ]
    assert section(doc, china).title == "China/Mongolia, etc."
    assert section(doc, f"{sea}/thailand").label == "(4)"
    # Two paragraphs on consecutive lines before the first heading stay two paragraphs.
    assert len(doc.sections[0].paragraphs) == 2
    # A heading followed by text on the very next line; a body line starting with a year.
    region = doc.sections[2]
    assert region.paragraphs[0].startswith("2020 was a year in which")
    assert len(region.paragraphs) == 2
    # No-break spaces are plain spaces in the text.
    column = doc.sections[9]
    assert column.title == "Japan's Support for Access to COVID-19 Vaccines"
    assert "about 8.9 million doses" in column.paragraphs[0]
    assert len(column.paragraphs) == 2
    assert section(doc, f"{china}/mongolia").paragraphs[0].startswith("Japan and Mongolia")


def test_asia_sample_footnote_numbers_restart_per_section() -> None:
    doc = load("bluebook-2021-asia-oceania.txt")
    china = "china-mongolia-etc"
    region = doc.sections[2]
    domestic = section(doc, f"{china}/situation-of-china/domestic-affairs")
    economy = section(doc, f"{china}/situation-of-china/economy")
    relations = section(doc, f"{china}/japan-china-relations-overview")
    assert [(f.number, f.text[:20]) for f in region.footnotes] == [("1", "Signed by the 10 ASE")]
    # Printed after "B Economy", it marks "October.1" in "A Domestic Affairs".
    assert [(f.number, f.text[:20]) for f in domestic.footnotes] == [("1", "The session adopted ")]
    assert domestic.paragraphs[0].endswith("was held in October.")
    assert economy.footnotes == ()
    assert [f.number for f in relations.footnotes] == ["1"]
    assert relations.paragraphs[0].startswith("China's development is an opportunity for Japan. ")
    assert [(r.paragraph, r.number) for r in relations.footnote_refs] == [(0, "1")]


def test_north_america_sample() -> None:
    doc = load("bluebook-2022-north-america.txt")
    us = "united-states"
    sec = f"{us}/japan-u-s-security-arrangements"
    realign = f"{sec}/realignment-of-u-s-forces-in-japan"
    econ = f"{us}/japan-u-s-economic-relations"
    assert outline(doc) == [
        (1, "1", us),
        (2, "(1)", f"{us}/situation-in-the-u-s"),
        (3, "A", f"{us}/situation-in-the-u-s/politics"),
        (3, "B", f"{us}/situation-in-the-u-s/economy"),
        (2, "(2)", f"{us}/japan-u-s-political-relations"),
        (2, "(3)", sec),
        (3, "A", f"{sec}/the-2-2-meeting"),
        (3, "B", realign),
        (4, "(A)", f"{realign}/okinawa"),
        (5, "", f"{realign}/okinawa/futenma-replacement-facility"),
        (5, "", f"{realign}/okinawa/return-of-land"),
        (4, "(B)", f"{realign}/host-nation-support"),
        (2, "(4)", econ),
        (3, "", f"{econ}/japan-u-s-trade-agreement"),
        (
            4,
            "Special Feature",
            f"{econ}/japan-u-s-trade-agreement/"
            "japan-u-s-competitiveness-and-resilience-core-partnership",
        ),
        (1, "2", "canada"),
        (2, "(1)", "canada/situation-in-canada"),
        (2, "(2)", "canada/japan-canada-relations"),
    ]
    assert section(doc, f"{us}/situation-in-the-u-s").title == "Situation in the U.S."
    # "(2)  Japan-U.S.  Political Relations  ": double and trailing spaces.
    political = section(doc, f"{us}/japan-u-s-political-relations")
    assert political.title == "Japan-U.S. Political Relations"
    assert section(doc, f"{sec}/the-2-2-meeting").title == "The 2+2 Meeting"
    economy = section(doc, f"{us}/situation-in-the-u-s/economy")
    assert economy.paragraphs == (
        "2021 was a year of recovery for the U.S. economy, with real GDP growth of 5.7% "
        "(U.S. Department of Commerce).",
        "The unemployment rate fell to 3.9% in December.",
    )


def test_north_america_lists_and_numbered_points_are_paragraphs() -> None:
    doc = load("bluebook-2022-north-america.txt")
    political = section(doc, "united-states/japan-u-s-political-relations")
    assert political.paragraphs[1:] == (
        "• Strengthening the Japan-U.S. Alliance",
        "• Realizing a Free and Open Indo-Pacific",
        "• Cooperation on climate change and COVID-19",
        "The two leaders also confirmed three points:",
        "(1) the importance of peace and stability across the Taiwan Strait;",
        "(2) the complete denuclearization of North Korea; and",
        "(3) the immediate resolution of the abductions issue.",
    )
    assert political.footnotes == ()
    canada = section(doc, "canada/japan-canada-relations")
    assert canada.paragraphs[1:] == (
        "- the rule of law at sea",
        "- trade, including the CPTPP",
        "- energy security",
    )


def test_north_america_sentences_that_start_like_headings() -> None:
    doc = load("bluebook-2022-north-america.txt")
    meeting = section(doc, "united-states/japan-u-s-security-arrangements/the-2-2-meeting")
    assert meeting.paragraphs == (
        "The Japan-U.S. Security Consultative Committee (“2+2”) was held in Tokyo in March.",
        "B-52 bombers flew with Air Self-Defense Force fighters over the Sea of Japan "
        "during the year.",
        "A total of 860 people took part in the bilateral exercise Resolute Dragon 21.",
    )
    # A footnote continued on a line that is not indented.
    assert [f.number for f in meeting.footnotes] == ["1"]
    assert meeting.footnotes[0].text.endswith(
        "Defense Minister Kishi, Secretary of State Blinken and Secretary of Defense Austin."
    )


def test_north_america_captions_once_and_broken_differently() -> None:
    doc = load("bluebook-2022-north-america.txt")
    political = section(doc, "united-states/japan-u-s-political-relations")
    assert political.captions == (
        "Japan-U.S. Summit Meeting (April 16, Washington, D.C.; "
        "Photo: Cabinet Public Relations Office)",
    )
    host = section(
        doc,
        "united-states/japan-u-s-security-arrangements/realignment-of-u-s-forces-in-japan/"
        "host-nation-support",
    )
    assert host.captions == (
        "Japan-U.S. Foreign and Defense Ministers' Meeting (“2+2”) "
        "(March 16, Tokyo; Photo: Ministry of Defense)",
    )
    assert len(host.paragraphs) == 1


def test_europe_2023_letters_beyond_h_slashes_and_running_footnotes() -> None:
    doc = load("bluebook-2023-europe.txt")
    rel = "overview/japan-europe-relations"
    cee = "central-and-eastern-europe/central-and-eastern-european-countries"
    assert [s.id for s in doc.sections if s.id.startswith(rel)] == [
        rel,
        f"{rel}/overview",
        f"{rel}/relations-with-the-eu-japan-eu-epa-spa",
        f"{rel}/japan-nato-relations",
    ]
    eu = section(doc, f"{rel}/relations-with-the-eu-japan-eu-epa-spa")
    assert eu.title == "Relations with the EU (Japan-EU EPA/SPA)"
    assert [f.number for f in eu.footnotes] == ["13"]
    assert eu.paragraphs[0].startswith("The Japan-EU EPA and SPA continued")
    assert eu.footnotes[0].text.endswith(
        "Affairs: https://www.mofa.go.jp/ecm/ie/page4e_000943.html"
    )
    nato = section(doc, f"{rel}/japan-nato-relations")
    assert nato.title == "Japan-NATO Relations"  # "Relations14": the marker is not the title's
    assert [(r.paragraph, r.offset, r.number) for r in nato.footnote_refs] == [(0, 0, "14")]
    situation = section(doc, "overview/the-european-situation")
    assert situation.paragraphs[0].endswith("support for Ukraine.")
    assert [r.number for r in situation.footnote_refs] == ["12"]
    letters = [(s.label, s.title) for s in doc.sections if s.parent_id == cee]
    assert [label for label, _ in letters] == list("ABCDEFGHIJ")
    assert letters[-2:] == [("I", "Bulgaria"), ("J", "Moldova")]
    romania = section(doc, f"{cee}/romania")
    assert romania.paragraphs[1].startswith("I am grateful for Japan's support")


def test_europe_2023_angles_under_a_paren_letter() -> None:
    doc = load("bluebook-2023-europe.txt")
    uk = "western-europe/united-kingdom/japan-uk-relations"
    assert [(s.level, s.label, s.id) for s in doc.sections if s.id.startswith(uk)] == [
        (3, "A", uk),
        (4, "(A)", f"{uk}/security"),
        (5, "", f"{uk}/security/reciprocal-access-agreement"),
        (5, "", f"{uk}/security/defence-equipment"),
        (4, "(B)", f"{uk}/economy"),
    ]


def test_economic_diplomacy_sample_lower_case_labels_and_level_one_above_nine() -> None:
    doc = load("bluebook-2020-economic-diplomacy.txt")
    g20 = "japan-s-efforts-for-g20-osaka-summit"
    track = f"{g20}/data-free-flow-with-trust-dfft/the-osaka-track"
    assert outline(doc)[:10] == [
        (1, "", "economic-diplomacy"),
        (1, "1", g20),
        (2, "(1)", f"{g20}/outcomes-of-the-summit"),
        (2, "(2)", f"{g20}/data-free-flow-with-trust-dfft"),
        (3, "A", track),
        (4, "(A)", f"{track}/launch-of-the-track"),
        (5, "(a)", f"{track}/launch-of-the-track/participants"),
        (5, "(b)", f"{track}/launch-of-the-track/wto-e-commerce-negotiations"),
        (4, "(B)", f"{track}/next-steps"),
        (
            5,
            "Special Feature",
            f"{track}/next-steps/g20-osaka-summit-what-was-achieved",
        ),
    ]
    assert [(s.label, s.level) for s in doc.sections[10:]] == [(str(n), 1) for n in range(2, 12)]
    assert doc.sections[1].title == "Japan's Efforts for G20 Osaka Summit"
    assert section(doc, "food-security").label == "10"
    assert section(doc, "attracting-tourists-and-investment-to-japan").label == "11"
    assert section(doc, f"{track}").title == "The “Osaka Track”"
    assert section(doc, f"{track}/launch-of-the-track/participants").paragraphs == (
        "24 countries and regions signed the Osaka Declaration on Digital Economy.",
    )
    business = section(doc, "promotion-of-japanese-companies-overseas-business")
    assert business.paragraphs[0].startswith("10 countries and regions lifted")
    assert section(doc, f"{track}/next-steps/g20-osaka-summit-what-was-achieved").title == (
        "G20 Osaka Summit: What Was Achieved?"
    )


def test_chapter_with_several_sections_nests_under_each_section() -> None:
    doc = load("bluebook-2019-middle-east-africa.txt")
    me = "the-middle-east-and-north-africa"
    assert outline(doc) == [
        (1, "Section 6", me),
        (2, "1", f"{me}/overview"),
        (3, "(1)", f"{me}/overview/situation-in-the-middle-east"),
        (3, "(2)", f"{me}/overview/japan-s-efforts"),
        (2, "2", f"{me}/middle-east-peace-process"),
        (3, "(1)", f"{me}/middle-east-peace-process/situation-of-the-middle-east-peace-process"),
        (3, "(2)", f"{me}/middle-east-peace-process/japan-s-efforts"),
        (1, "Section 7", "africa"),
        (2, "1", "africa/overview"),
        (3, "(1)", "africa/overview/situation-in-africa"),
        (3, "(2)", "africa/overview/japan-s-efforts"),
        (4, "A", "africa/overview/japan-s-efforts/toward-ticad7"),
        (4, "B", "africa/overview/japan-s-efforts/peace-and-stability"),
        (2, "2", "africa/east-africa"),
        (3, "(1)", "africa/east-africa/kenya"),
    ]
    assert doc.section == "Section 6 The Middle East and North Africa"
    africa = section(doc, "africa")
    assert africa.title == "Africa"
    assert africa.paragraphs[0].startswith("Africa, with a population of 1.2 billion")
    # Footnote 1 of each Section stays in its own Section.
    me_note = section(doc, f"{me}/overview/situation-in-the-middle-east").footnotes
    af_note = section(doc, "africa/overview/situation-in-africa").footnotes
    assert [f.text[:7] for f in me_note] == ["Source:"]
    assert [f.text[:10] for f in af_note] == ["The region"]


# --- single traps ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "label", "title", "slug"),
    [
        (
            "(3) Japan-U.S. Security Arrangements",
            "(3)",
            "Japan-U.S. Security Arrangements",
            "japan-u-s-security-arrangements",
        ),
        (
            "(3) Japan-China Relations: Overview",
            "(3)",
            "Japan-China Relations: Overview",
            "japan-china-relations-overview",
        ),
        (
            "(3) Relations with the EU (Japan-EU EPA/SPA)",
            "(3)",
            "Relations with the EU (Japan-EU EPA/SPA)",
            "relations-with-the-eu-japan-eu-epa-spa",
        ),
        (
            "(3) Japan's Efforts for G20 Osaka Summit",
            "(3)",
            "Japan's Efforts for G20 Osaka Summit",
            "japan-s-efforts-for-g20-osaka-summit",
        ),
        (
            "(3) The “Central Asia plus Japan” Dialogue",
            "(3)",
            "The “Central Asia plus Japan” Dialogue",
            "the-central-asia-plus-japan-dialogue",
        ),
        ("(3)\u00a0China/Mongolia, etc.", "(3)", "China/Mongolia, etc.", "china-mongolia-etc"),
        ("(3)  The  2+2  Meeting   ", "(3)", "The 2+2 Meeting", "the-2-2-meeting"),
        ("(3) What Is the FOIP?", "(3)", "What Is the FOIP?", "what-is-the-foip"),
    ],
)
def test_heading_titles_with_punctuation(line: str, label: str, title: str, slug: str) -> None:
    doc = parse(f"1 United States\n\n(1) A\n\nText.\n\n(2) B\n\nText.\n\n{line}\n\nText.\n")
    last = doc.sections[-1]
    assert (last.label, last.title, last.id, last.level) == (
        label,
        title,
        f"united-states/{slug}",
        2,
    )
    assert last.paragraphs == ("Text.",)


def test_sentences_ending_in_an_abbreviation_are_still_checked_for_sentence_breaks() -> None:
    assert looks_like_title("China/Mongolia, etc.")
    assert looks_like_title("Relations with the U.S.")
    assert not looks_like_title("Japan and the U.S. met. Then they agreed.")
    assert not looks_like_title("The leaders met in Tokyo.")


def test_the_pronoun_i_after_h_is_not_a_heading() -> None:
    letters = "".join(f"{c} Part {c}\n\nText.\n\n" for c in "ABCDEFGH")
    doc = parse(f"1 Europe\n\n{letters}I think the alliance matters.\n\nI Ireland\n\nText.\n")
    assert [s.label for s in doc.sections] == ["1", *"ABCDEFGHI"]
    assert doc.sections[-2].paragraphs == ("Text.", "I think the alliance matters.")
    assert doc.sections[-1].id == "europe/ireland"


def test_numbered_heading_after_an_angle_is_not_its_child() -> None:
    doc = parse("1 Canada\n\nA Politics\n\n<Election>\n\nText.\n\n(A) Parties\n\nText.\n")
    assert outline(doc) == [
        (1, "1", "canada"),
        (2, "A", "canada/politics"),
        (3, "", "canada/politics/election"),
        (3, "(A)", "canada/politics/parties"),
    ]


def test_column_without_a_title_line_and_text_after_it() -> None:
    doc = parse(
        "1 Canada\n\n(1) Trade\n\nText.\n\nColumn\n\n"
        "Japanese companies employ about 50,000 people in Canada, mainly in the auto sector.\n\n"
        "(2) Security\n\nText.\n"
    )
    assert outline(doc) == [
        (1, "1", "canada"),
        (2, "(1)", "canada/trade"),
        (3, "Column", "canada/trade/column"),
        (2, "(2)", "canada/security"),
    ]
    assert doc.sections[2].title == "Column"
    assert len(doc.sections[2].paragraphs) == 1


def test_column_title_on_the_same_line_and_angle_title() -> None:
    doc = parse(
        "1 Canada\n\nText.\n\nColumn: Maple Leaf Diplomacy\n\nText.\n\n"
        "Column 2\n<The Japan-Canada Youth Exchange>\nText.\n\n2 Mexico\n\nText.\n"
    )
    assert outline(doc) == [
        (1, "1", "canada"),
        (2, "Column", "canada/maple-leaf-diplomacy"),
        (2, "Column 2", "canada/the-japan-canada-youth-exchange"),
        (1, "2", "mexico"),
    ]


def test_box_never_takes_a_numbered_headings_slug() -> None:
    doc = parse("1 Canada\n\nColumn\n\nMexico\n\nText.\n\n2 Mexico\n\nText.\n")
    # The column is under "1 Canada", so there is no clash; with the overview there can be.
    assert [s.id for s in doc.sections] == ["canada", "canada/mexico", "mexico"]
    doc = parse_bluebook("Diplomatic Bluebook 2022\n\nIntro text.\n\n1 Overview\n\nText.\n", "d")
    assert [(s.label, s.id) for s in doc.sections] == [("", "overview-2"), ("1", "overview")]


def test_excerpt_that_starts_deep_keeps_shallower_headings() -> None:
    doc = parse_bluebook(
        "Diplomatic Bluebook 2022\n\nB Economy\n\nText.\n\n(4) Canada\n\nText.\n\n"
        "A Politics\n\nText.\n\n3 Latin America\n\nText.\n",
        "d",
    )
    assert outline(doc) == [
        (1, "B", "economy"),
        (1, "(4)", "canada"),
        (2, "A", "canada/politics"),
        (1, "3", "latin-america"),
    ]


def test_footnote_continuations_flush_left() -> None:
    doc = parse(
        "1 Canada\n\nThe CPTPP entered into force.1 Trade grew.2 Investment rose.3\n\n"
        "  • 1 Comprehensive and Progressive Agreement for\n"
        "Trans-Pacific Partnership, signed in March 2018.\n"
        "  • 2 For details, see:\n"
        "https://www.mofa.go.jp/a_o/na/ca/\n"
        "  • 3 Complete sentence.\n"
        "Body paragraph right after the footnote block.\n\n"
        "2 Mexico\n\nText.\n"
    )
    canada = doc.sections[0]
    assert [f.text for f in canada.footnotes] == [
        "Comprehensive and Progressive Agreement for Trans-Pacific Partnership, "
        "signed in March 2018.",
        "For details, see: https://www.mofa.go.jp/a_o/na/ca/",
        "Complete sentence.",
    ]
    assert canada.paragraphs[-1] == "Body paragraph right after the footnote block."


def test_caption_shapes() -> None:
    assert shaped_caption("Japan-Canada Summit Meeting (May 20, Hiroshima)") is not None
    assert shaped_caption("Visit by Minister Hayashi (Photo: MOFA)") is not None
    assert shaped_caption("Prices rose (Source: Statistics Canada)") is None
    assert shaped_caption("The leaders met in Tokyo (May 20, Tokyo).") is None
    assert shaped_caption("(May 20, Tokyo)") is None
    lines = ["Summit Meeting (May 20,", "Hiroshima)Summit", "Meeting (May 20, Hiroshima)"]
    assert caption_at(lines, 0) == ("Summit Meeting (May 20, Hiroshima)", 3)


def test_a_shaped_caption_printed_twice_on_separate_lines_is_one_caption() -> None:
    caption = (
        "Japan-Mexico Summit Meeting (December 9, Tokyo; Photo: Cabinet Public Relations Office)"
    )
    doc = parse(f"1 Mexico\n\nText.\n\n{caption}\n\n{caption}\n\nMore text.\n")
    assert doc.sections[0].captions == (caption,)
    assert doc.sections[0].paragraphs == ("Text.", "More text.")


def test_a_caption_shaped_line_inside_a_paragraph_stays_text() -> None:
    doc = parse("1 Mexico\n\nThe meeting was followed by a ceremony\nSigning (May 2, Tokyo)\n")
    assert doc.sections[0].captions == ()
    assert doc.sections[0].paragraphs == (
        "The meeting was followed by a ceremony Signing (May 2, Tokyo)",
    )


# --- properties over every sample ----------------------------------------------------------


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _items(doc: Document) -> list[str]:
    """Every place a raw line can end up, with footnote markers put back as digits."""
    items = [doc.title, doc.chapter, doc.section]
    for s in doc.sections:
        for heading in (f"{s.label} {s.title}", f"{s.label}.{s.title}", f"<{s.title}>"):
            items.append(heading)
            items.extend(heading + f.number for f in s.footnotes)
        for p, paragraph in enumerate(s.paragraphs):
            refs = sorted(
                ((r.offset, r.number) for r in s.footnote_refs if r.paragraph == p), reverse=True
            )
            for offset, number in refs:
                paragraph = paragraph[:offset] + number + paragraph[offset:]
            items.append(paragraph)
            items.append(s.paragraphs[p])
        items.extend(c + c for c in s.captions)
        items.extend(f"• {f.number} {f.text}" for f in s.footnotes)
    return [_squeeze(i) for i in items]


# Digits glued to a word or bracket: a marker whose note is not in the text is dropped.
_GLUED_DIGITS = re.compile(r"(?<=[^\s\d])\d{1,3}(?!\d)")


@pytest.mark.parametrize("raw", SAMPLES, ids=lambda p: p.name)
def test_every_line_ends_up_somewhere(raw: Path) -> None:
    text = raw.read_text(encoding="utf-8")
    doc = parse_bluebook(text, "d")
    items = _items(doc)
    unglued = [_GLUED_DIGITS.sub("", item) for item in items]
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if line.strip():
            squeezed = _squeeze(line)
            found = any(squeezed in item for item in items)
            found = found or any(_GLUED_DIGITS.sub("", squeezed) in item for item in unglued)
            assert found, f"{raw.name}:{number}: {line!r}"


@pytest.mark.parametrize("raw", SAMPLES, ids=lambda p: p.name)
def test_no_title_ends_with_a_footnote_number(raw: Path) -> None:
    text = raw.read_text(encoding="utf-8")
    defined = set(re.findall(r"^\s*•\s*(\d{1,3})\s", text, flags=re.MULTILINE))
    doc = parse_bluebook(text, "d")
    for s in doc.sections:
        assert s.title == s.title.strip() and "  " not in s.title, s.title
        m = re.search(r"(?<=[^\d\s+\-])(\d{1,3})$", s.title)
        assert m is None or m.group(1) not in defined, s.title


@pytest.mark.parametrize("raw", SAMPLES, ids=lambda p: p.name)
def test_ingest_is_deterministic_and_blind_to_line_endings(raw: Path) -> None:
    text = raw.read_text(encoding="utf-8").lstrip("\ufeff")
    first = render(parse_bluebook(text, "d"))
    assert render(parse_bluebook(text, "d")) == first
    lf = text.replace("\r\n", "\n")
    crlf = "\ufeff" + lf.replace("\n", "\r\n")
    assert render(parse_bluebook(lf, "d")) == first
    assert render(parse_bluebook(crlf, "d")) == first
    assert render(parse_bluebook(lf.replace(" ", "\u00a0", 3), "d")) == first


def test_section_title_on_the_next_line_single_and_several() -> None:
    doc = parse_bluebook(
        "Diplomatic Bluebook 2021\n\nChapter 2\n\nJapan's Foreign Policy\n\nSection 2\n\n"
        "North America\n\nIntro.\n\n1 United States\n\nText.\n",
        "d",
    )
    assert doc.section == "Section 2 North America"
    assert outline(doc) == [(1, "", "north-america"), (1, "1", "united-states")]
    doc = parse_bluebook(
        "Diplomatic Bluebook 2021\n\nSection 2\nNorth America\n\n1 United States\n\nText.\n\n"
        "Section 3\nLatin America and the Caribbean\n\n1 Overview\n\nText.\n",
        "d",
    )
    assert outline(doc) == [
        (1, "Section 2", "north-america"),
        (2, "1", "north-america/united-states"),
        (1, "Section 3", "latin-america-and-the-caribbean"),
        (2, "1", "latin-america-and-the-caribbean/overview"),
    ]


def test_column_title_on_the_column_line_and_sentences_that_start_with_column() -> None:
    doc = parse(
        "1 Canada\n\nText.\n\nColumn Japan-Canada Space Cooperation\n\nText.\n\n"
        "Special Features of the agreement were discussed.\n\n2 Mexico\n\nText.\n"
    )
    assert outline(doc) == [
        (1, "1", "canada"),
        (2, "Column", "canada/japan-canada-space-cooperation"),
        (1, "2", "mexico"),
    ]
    assert doc.sections[1].paragraphs[-1] == "Special Features of the agreement were discussed."
