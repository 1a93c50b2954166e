"""The loader's content hash must equal bot.model.content_hash: only the feeding differs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.content import hashing, load_content
from bot.model import Snapshot, content_hash
from tests.conftest import CONTENT_DIR


def test_loader_hash_equals_the_model_hash() -> None:
    result = load_content(CONTENT_DIR)
    assert result.snapshot is not None
    docs = result.snapshot.documents
    assert result.snapshot.content_hash == content_hash(docs)
    assert result.snapshot.content_hash == Snapshot.build(docs).content_hash


def test_hash_equal_across_block_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    result = load_content(CONTENT_DIR)
    assert result.snapshot is not None
    docs = result.snapshot.documents
    expected = content_hash(docs)
    for block in (1, 100, 4096):
        monkeypatch.setattr(hashing, "BLOCK_BYTES", block)
        assert hashing.content_hash(docs) == expected


def test_hash_changes_with_content() -> None:
    result = load_content(CONTENT_DIR)
    assert result.snapshot is not None
    docs = result.snapshot.documents
    first = docs[0]
    edited = replace(
        first, sections=(replace(first.sections[0], title="Edited"), *first.sections[1:])
    )
    assert hashing.content_hash((edited, *docs[1:])) != hashing.content_hash(docs)
    assert hashing.content_hash(()) == content_hash(())
