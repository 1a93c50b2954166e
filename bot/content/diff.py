"""What a reload changed: documents, sections and facts added, removed or edited, by id.

An operator who reloads wants to see that their edit landed and nothing else moved, so the
diff compares every item's content (not just the set of ids). Where a file lives
(`source_path`) is not content: renaming `003-x.md` to `010-x.md` changes nothing a reader
sees, so it is left out of the comparison. Sections and facts are keyed `doc#id` because ids
are only unique within their document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from bot.content.model import Document, Fact, Section, Snapshot

_DOC_SKIP = frozenset({"sections", "facts", "source_path", "_by_id"})


@dataclass(frozen=True, slots=True)
class Changes:
    """Ids added, removed and changed for one kind of item, each sorted."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def counts(self) -> str:
        return f"+{len(self.added)} −{len(self.removed)} ~{len(self.changed)}"


@dataclass(frozen=True, slots=True)
class SnapshotDiff:
    documents: Changes = Changes()
    sections: Changes = Changes()
    facts: Changes = Changes()

    @property
    def empty(self) -> bool:
        return self.documents.empty and self.sections.empty and self.facts.empty

    def summary(self) -> str:
        """One line: `documents +0 −0 ~0, sections +1 −0 ~2, facts +0 −0 ~0`."""
        if self.empty:
            return "no changes"
        return (
            f"documents {self.documents.counts()}, sections {self.sections.counts()}, "
            f"facts {self.facts.counts()}"
        )


def _section_content(section: Section) -> tuple[Any, ...]:
    return tuple(getattr(section, f.name) for f in fields(section) if f.name != "source_path")


def _fact_content(fact: Fact) -> Fact:
    return fact  # facts carry no file location: plain equality is content equality


def _document_content(doc: Document) -> tuple[Any, ...]:
    return tuple(getattr(doc, f.name) for f in fields(doc) if f.name not in _DOC_SKIP)


def _compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> Changes:
    added = sorted(k for k in new if k not in old)
    removed = sorted(k for k in old if k not in new)
    changed = sorted(k for k, v in new.items() if k in old and old[k] != v)
    return Changes(tuple(added), tuple(removed), tuple(changed))


def _sections(docs: Iterable[Document]) -> dict[str, tuple[Any, ...]]:
    return {s.key: _section_content(s) for d in docs for s in d.sections}


def _facts(docs: Iterable[Document]) -> dict[str, Fact]:
    return {f"{f.document_id}#{f.id}": _fact_content(f) for d in docs for f in d.facts}


def diff_snapshots(old: Snapshot | None, new: Snapshot) -> SnapshotDiff:
    """Compare two snapshots item by item; `old=None` (first load) reports everything as added.

    Equal content hashes mean nothing changed, which spares comparing 50,000 sections.
    """
    if old is not None and old.content_hash == new.content_hash:
        return SnapshotDiff()
    old_docs = old.documents if old is not None else ()
    return SnapshotDiff(
        documents=_compare(
            {d.id: _document_content(d) for d in old_docs},
            {d.id: _document_content(d) for d in new.documents},
        ),
        sections=_compare(_sections(old_docs), _sections(new.documents)),
        facts=_compare(_facts(old_docs), _facts(new.documents)),
    )
