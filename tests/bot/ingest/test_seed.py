"""Ingest of the seed: the section tree the evaluation file expects, and the bundled copy."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.content.loader import load_content
from bot.content.model import Document, Snapshot
from bot.ingest import parse_bluebook
from tests.support.paths import CONTENT_DIR, EVAL_PUBLIC, SEED

DOC_ID = "bluebook-2020-russia"
SOURCE_URL = "https://www.mofa.go.jp/policy/other/bluebook/2020/html/chapter2/c020501.html"
BUNDLED = CONTENT_DIR / DOC_ID


@pytest.fixture(scope="module")
def seed_doc() -> Document:
    return parse_bluebook(SEED.read_text(encoding="utf-8"), DOC_ID, SOURCE_URL)


def test_seed_gives_the_sections_of_the_evaluation_file(seed_doc: Document) -> None:
    expected = yaml.safe_load(EVAL_PUBLIC.read_text(encoding="utf-8"))["sections"]
    got = [
        {"id": s.id, "level": s.level, "label": s.label, "title": s.title}
        for s in seed_doc.sections
    ]
    assert got == expected
    assert [s.order for s in seed_doc.sections] == list(range(1, 13))


def test_seed_document_fields(seed_doc: Document) -> None:
    assert seed_doc.title == "Diplomatic Bluebook 2020"
    assert seed_doc.edition == 2020
    assert seed_doc.chapter == (
        "Chapter 2 Japan's Foreign Policy that Takes a Panoramic Perspective of the World Map"
    )
    assert seed_doc.section == "Section 5 Russia, Central Asia and Caucasus"
    assert seed_doc.source_url == SOURCE_URL
    assert seed_doc.language == "en"


def test_seed_footnotes_attach_to_their_section_and_marker(seed_doc: Document) -> None:
    notes = {f.number: s.id.rsplit("/", 1)[-1] for s in seed_doc.sections for f in s.footnotes}
    assert notes == {
        "1": "the-northern-territories-and-negotiations-on-peace-treaty",
        "2": "the-northern-territories-and-negotiations-on-peace-treaty",
        "3": "japan-russia-economic-relations",
    }
    for section in seed_doc.sections:
        assert sorted(r.number for r in section.footnote_refs) == sorted(
            f.number for f in section.footnotes
        )
        for ref in section.footnote_refs:
            before = section.paragraphs[ref.paragraph][: ref.offset]
            assert before.endswith(("Islands.", "end of 2016,", "Arctic LNG 2 Project,"))
    northern = seed_doc.get(
        "russia/japan-russia-relations/the-northern-territories-and-negotiations-on-peace-treaty"
    )
    assert northern is not None
    first = northern.footnotes[0].text
    assert first.endswith("https://www.mofa.go.jp/region/europe/russia/territory/overview.html")
    # The indented repeat of the link text adds nothing, so it is not appended.
    assert first.count("the Japanese government's position regarding") == 1


def test_seed_keeps_numbers_that_are_not_markers(seed_doc: Document) -> None:
    text = "\n".join(p for s in seed_doc.sections for p in s.paragraphs)
    for kept in (
        "Arctic LNG 2 Project, in which",
        "end of 2016, a series",
        "Four Northern Islands.\n",
        "(New START)",
        "“2+2” Ministerial Meeting",
        "70th anniversary",
        "(2018: 1,334 people)",
        "approximately 2.3459 trillion yen",
    ):
        assert kept in text + "\n"


def test_seed_gives_five_captions_once_each(seed_doc: Document) -> None:
    captions = [c for s in seed_doc.sections for c in s.captions]
    assert captions == [
        "Japan-Russia Summit Meeting (September 5, Vladivostok, Russia; "
        "Photo: Cabinet Public Relations Office)",
        "Sightseeing pilot tour (October 31, Kunashiri Island; Photo: World Air-Sea Service)",
        "Japan-Russia Foreign Ministers' Meeting (December 19, Moscow, Russia)",
        "Japan-Russia Youth Forum 2019 (September 27, St. Petersburg, Russia; "
        "Photo: Japan-Russia Youth Exchange Center)",
        "Japan-Russia Youth Exchange Program (‘Hanagasa dance,' July, Moscow, Russia; "
        "Photo: Japan-Russia Youth Exchange Center)",
    ]
    body = " ".join(p for s in seed_doc.sections for p in s.paragraphs)
    assert "Sightseeing pilot tour" not in body
    assert "Photo:" not in body


def _ingest(out: Path) -> int:
    return main(["ingest", str(SEED), "--out", str(out), "--source-url", SOURCE_URL])


def test_bundled_content_is_a_fresh_ingest_of_the_seed(tmp_path: Path) -> None:
    out = tmp_path / DOC_ID
    assert _ingest(out) == 0
    hand_kept = ("facts.yaml", "aliases.yaml")  # written by people, never by ingest
    fresh = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    bundled = sorted(p.relative_to(BUNDLED).as_posix() for p in BUNDLED.rglob("*") if p.is_file())
    assert [p for p in fresh if p not in hand_kept] == [p for p in bundled if p not in hand_kept]
    for rel in fresh:
        if rel not in hand_kept:
            assert filecmp.cmp(out / rel, BUNDLED / rel, shallow=False), rel


def test_loader_reads_back_exactly_what_parse_produced(tmp_path: Path, seed_doc: Document) -> None:
    out = tmp_path / DOC_ID
    assert _ingest(out) == 0
    result = load_content(out)
    assert result.errors == ()
    assert result.warnings == ()
    assert result.snapshot is not None
    loaded = result.snapshot.documents[0]
    assert Snapshot.build((loaded,)).content_hash == Snapshot.build((seed_doc,)).content_hash


def test_bundled_content_loads_without_errors() -> None:
    result = load_content(BUNDLED)
    assert result.errors == ()
