from __future__ import annotations

import dataclasses

import pytest

from bot.content.model import Document, Fact, Section, Snapshot


def make_doc(text: str = "Body text.") -> Document:
    root = Section(
        id="russia",
        document_id="doc",
        label="1",
        title="Russia",
        level=1,
        order=1,
        parent_id=None,
        children=("russia/economy",),
    )
    child = Section(
        id="russia/economy",
        document_id="doc",
        label="(1)",
        title="Economy",
        level=2,
        order=2,
        parent_id="russia",
        paragraphs=(text,),
    )
    fact = Fact(
        id="f1", document_id="doc", section_id="russia/economy", text="A fact.", quote="Body"
    )
    return Document(
        id="doc",
        title="Bluebook",
        edition=2020,
        chapter="",
        section="",
        source_url="",
        language="en",
        sections=(root, child),
        facts=(fact,),
    )


def test_snapshot_is_immutable_and_hash_follows_content() -> None:
    snap = Snapshot.build((make_doc(),))
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.content_hash = "x"  # type: ignore[misc]
    assert Snapshot.build((make_doc(),)).content_hash == snap.content_hash
    assert Snapshot.build((make_doc("Other text."),)).content_hash != snap.content_hash


def test_lookup_and_breadcrumb() -> None:
    snap = Snapshot.build((make_doc(),))
    section = snap.section("doc#russia/economy")
    assert section is not None and section.key == "doc#russia/economy"
    doc = snap.document("doc")
    assert doc is not None
    assert [s.title for s in doc.breadcrumb("russia/economy")] == ["Russia", "Economy"]
    assert [f.id for f in snap.facts()] == ["f1"]
    assert snap.section("doc#missing") is None
