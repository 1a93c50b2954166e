"""Indexes over the real seed text and the bundled content, built once per test session."""

from __future__ import annotations

from bot.content.model import Document, Section, Snapshot
from bot.ingest import parse_bluebook
from bot.search import SearchIndex, build_index
from tests.support.paths import SEED

_CACHE: dict[str, SearchIndex] = {}


def seed_index() -> SearchIndex:
    if "seed" not in _CACHE:
        doc = parse_bluebook(SEED.read_text(encoding="utf-8"), "bluebook-2020-russia")
        _CACHE["seed"] = build_index(Snapshot.build((doc,)))
    return _CACHE["seed"]


def content_index() -> SearchIndex:
    if "content" not in _CACHE:
        from bot.content import load_content
        from tests.support.paths import CONTENT_DIR

        result = load_content(CONTENT_DIR)
        assert result.snapshot is not None, result.errors
        _CACHE["content"] = build_index(result.snapshot)
    return _CACHE["content"]


def paragraph_snapshot(paragraphs: list[str], title: str) -> Snapshot:
    """One document whose sections each hold one of `paragraphs`, titled `title i`."""
    sections = tuple(
        Section(
            id=f"s{i}",
            document_id="d",
            label=str(i + 1),
            title=f"{title} {i}",
            level=1,
            order=i,
            parent_id=None,
            paragraphs=(p,),
        )
        for i, p in enumerate(paragraphs)
    )
    return Snapshot.build((Document("d", "Doc", 2020, "", "", "", "en", sections),))
