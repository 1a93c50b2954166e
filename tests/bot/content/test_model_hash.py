"""The content hash: fed to sha256 in blocks (so reload threads never stall the event loop),
yet the same digest as hashing every piece's JSON one by one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pytest

from bot.content import load_content, model
from bot.content.model import Document, Snapshot, content_hash
from tests.support.paths import CONTENT_DIR


def reference_hash(documents: tuple[Document, ...]) -> str:
    """The definition, written plainly: JSON of each head, section and fact, then NUL."""
    digest = hashlib.sha256()
    for doc in documents:
        head = {
            name: getattr(doc, name)
            for name in doc.__dataclass_fields__
            if name not in ("sections", "facts", "source_path", "_by_id")
        }
        for item in (head, *doc.sections, *doc.facts):
            data = item if isinstance(item, dict) else model._jsonable(item)
            digest.update(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8"))
            digest.update(b"\x00")
    return digest.hexdigest()


def bundled() -> tuple[Document, ...]:
    result = load_content(CONTENT_DIR)
    assert result.snapshot is not None
    return result.snapshot.documents


def test_loader_hash_is_the_model_hash() -> None:
    result = load_content(CONTENT_DIR)
    assert result.snapshot is not None
    docs = result.snapshot.documents
    assert result.snapshot.content_hash == reference_hash(docs)
    assert result.snapshot.content_hash == Snapshot.build(docs).content_hash


def test_hash_equal_across_block_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = bundled()
    expected = reference_hash(docs)
    for block in (1, 100, 4096, 1 << 20):
        monkeypatch.setattr(model, "_HASH_BLOCK_BYTES", block)
        assert content_hash(docs) == expected


def test_hash_changes_with_content() -> None:
    docs = bundled()
    first = docs[0]
    edited = replace(
        first, sections=(replace(first.sections[0], title="Edited"), *first.sections[1:])
    )
    assert content_hash((edited, *docs[1:])) != content_hash(docs)
    assert content_hash(()) == reference_hash(())
