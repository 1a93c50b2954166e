"""Ingest is not tuned to the seed: other raw Bluebook parts give their expected trees."""

from __future__ import annotations

from pathlib import Path

from bot.cli import main
from bot.content.loader import load_content
from bot.content.model import Document
from bot.ingest import parse_bluebook
from tests.support.paths import DATA

RAW = DATA / "raw"


def load(name: str) -> Document:
    return parse_bluebook((RAW / name).read_text(encoding="utf-8"), name.removesuffix(".txt"))


def outline(doc: Document) -> list[tuple[int, str, str]]:
    return [(s.level, s.label, s.id) for s in doc.sections]


def test_europe_sample() -> None:
    doc = load("bluebook-2019-europe.txt")
    assert (doc.title, doc.edition, doc.section) == (
        "Diplomatic Bluebook 2019",
        2019,
        "Section 4 Europe",
    )
    assert outline(doc) == [
        (1, "", "europe"),
        (1, "1", "overview"),
        (2, "(1)", "overview/the-european-situation"),
        (3, "A", "overview/the-european-situation/unity-of-the-eu"),
        (3, "B", "overview/the-european-situation/relations-with-russia"),
        (2, "(2)", "overview/japan-europe-relations"),
        (3, "", "overview/japan-europe-relations/japan-eu-relations"),
        (3, "", "overview/japan-europe-relations/japan-nato-relations"),
        (1, "2", "western-europe"),
        (2, "(1)", "western-europe/france"),
        (2, "(2)", "western-europe/germany"),
    ]
    assert doc.sections[0].paragraphs[0].startswith("Europe is a partner")
    eu, nato, france = doc.sections[6], doc.sections[7], doc.sections[9]
    # Footnote 1 is printed under <Japan-NATO Relations> but marks "EPA1" above it.
    assert [f.number for f in eu.footnotes] == ["1"]
    assert eu.footnotes[0].text.endswith("page4e_000943.html (signed on July 17, 2018)")
    assert eu.paragraphs[0].startswith("The Japan-EU EPA and the SPA were signed")
    assert [f.number for f in nato.footnotes] == ["2"]
    assert "in maritime security and cyber defense. In 2018" in nato.paragraphs[0]
    assert eu.captions == (
        "Japan-EU Summit Meeting (July 17, Tokyo; Photo: Cabinet Public Relations Office)",
    )
    assert france.captions == ("Foreign Minister Kono visits France (January 11, Brest, France)",)
    assert france.paragraphs[0].startswith("A military parade was held")
    assert "“2+2”" in france.paragraphs[1]


def test_central_asia_sample() -> None:
    doc = load("bluebook-2020-central-asia.txt")
    base = "central-asia-and-caucasus"
    rel = f"{base}/japan-s-relations-with-central-asia-and-caucasus"
    assert outline(doc) == [
        (1, "2", base),
        (2, "(1)", f"{base}/overview"),
        (3, "A", f"{base}/overview/central-asia"),
        (3, "B", f"{base}/overview/caucasus"),
        (2, "(2)", rel),
        (3, "A", f"{rel}/the-central-asia-plus-japan-dialogue"),
        (3, "B", f"{rel}/bilateral-relations"),
    ]
    dialogue, bilateral = doc.sections[5], doc.sections[6]
    assert "Dialogue in 2004, and the Seventh" in dialogue.paragraphs[0]
    assert "C5+1" in dialogue.paragraphs[0]
    assert [f.number for f in dialogue.footnotes] == ["1"]
    assert bilateral.footnotes[0].text.endswith(
        "includes cooperation in human resources development."
    )
    assert "2,150 Uzbek students" in bilateral.paragraphs[0]
    assert "Youth Forum 2019 in Tashkent" in bilateral.paragraphs[0]
    assert bilateral.captions == (
        "Japan-Uzbekistan Summit Meeting "
        "(December 19, Tokyo; Photo: Cabinet Public Relations Office)",
    )


def test_latin_america_sample() -> None:
    doc = load("bluebook-2019-latin-america.txt")
    assert outline(doc) == [
        (1, "3", "regional-organizations"),
        (2, "(1)", "regional-organizations/pacific-alliance"),
        (2, "(2)", "regional-organizations/common-market-of-the-south-mercosur"),
        (2, "(3)", "regional-organizations/caribbean-community-caricom"),
    ]
    mercosur, caricom = doc.sections[2], doc.sections[3]
    assert mercosur.title == "Common Market of the South (MERCOSUR)"
    assert mercosur.aliases == ("MERCOSUR",)
    assert [(r.paragraph, r.offset, r.number) for r in mercosur.footnote_refs] == [(0, 0, "2")]
    assert "2.2 trillion" in mercosur.paragraphs[0]
    # "B ..." without an "A" before it is body text.
    assert caricom.paragraphs[-1].startswith("B Not a heading")


def test_every_sample_round_trips_through_the_loader(tmp_path: Path) -> None:
    for raw in sorted(RAW.glob("*.txt")):
        out = tmp_path / raw.stem
        assert main(["ingest", str(raw), "--out", str(out)]) == 0
        result = load_content(out)
        assert result.errors == (), raw.name
        assert result.snapshot is not None
        loaded = result.snapshot.documents[0]
        parsed = parse_bluebook(raw.read_text(encoding="utf-8"), raw.stem)
        for mine, theirs in zip(parsed.sections, loaded.sections, strict=True):
            assert (mine.id, mine.label, mine.title, mine.order) == (
                theirs.id,
                theirs.label,
                theirs.title,
                theirs.order,
            )
            assert mine.paragraphs == theirs.paragraphs
            assert mine.footnotes == theirs.footnotes
            assert mine.footnote_refs == theirs.footnote_refs
            assert mine.captions == theirs.captions
            assert mine.aliases == theirs.aliases
