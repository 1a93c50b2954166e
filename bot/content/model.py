"""The content model: documents, their section trees and the facts grounded in them.

Everything the bot says comes from these objects. They are frozen so that a loaded
snapshot can be shared between the event loop and worker threads and swapped
atomically on reload without anyone seeing a half-updated state.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# Kinds of fact that count as events for /summit and "on this day".
EVENT_KINDS: tuple[str, ...] = (
    "summit",
    "foreign-ministers-meeting",
    "2+2",
    "ministerial-meeting",
    "visit",
    "exercise",
    "talks",
    "agreement",
    "event",
)


@dataclass(frozen=True, slots=True)
class FootnoteRef:
    """Where a footnote marker stood in a paragraph (the marker itself is not display text)."""

    paragraph: int  # index into Section.paragraphs
    offset: int  # character offset in that paragraph's display text, just after the word
    number: str  # footnote number as printed


@dataclass(frozen=True, slots=True)
class Footnote:
    number: str
    text: str


@dataclass(frozen=True, slots=True)
class Section:
    """One heading of a document and the text directly under it.

    `id` is the slug path (`russia/japan-russia-relations`), unique within the document;
    `parent_id` is None for top-level sections; `children` lists child ids in order.
    """

    id: str
    document_id: str
    label: str
    title: str
    level: int
    order: int
    parent_id: str | None
    paragraphs: tuple[str, ...] = ()
    footnotes: tuple[Footnote, ...] = ()
    footnote_refs: tuple[FootnoteRef, ...] = ()
    captions: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    source_path: str = ""

    @property
    def key(self) -> str:
        """Globally unique key `doc#section` as used in evaluation targets and custom ids."""
        return f"{self.document_id}#{self.id}"

    @property
    def heading(self) -> str:
        return f"{self.label} {self.title}".strip()

    @property
    def text(self) -> str:
        """All the words a reader could see in this section, for quotes and search."""
        parts = [*self.paragraphs, *(f.text for f in self.footnotes), *self.captions]
        return "\n\n".join(parts)


@dataclass(frozen=True, slots=True)
class Figure:
    value: float
    unit: str


@dataclass(frozen=True, slots=True)
class Fact:
    """A short statement backed by `quote`, words found verbatim in its section."""

    id: str
    document_id: str
    section_id: str
    text: str
    quote: str
    tags: tuple[str, ...] = ()
    date: str | None = None  # ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD
    place: str | None = None
    participants: tuple[str, ...] = ()
    figure: Figure | None = None
    kind: str | None = None  # set for events (summit, visit, ...)

    @property
    def is_event(self) -> bool:
        return self.kind is not None

    @property
    def section_key(self) -> str:
        return f"{self.document_id}#{self.section_id}"


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    title: str
    edition: int
    chapter: str
    section: str
    source_url: str
    language: str
    sections: tuple[Section, ...] = ()  # in document order
    facts: tuple[Fact, ...] = ()
    source_path: str = ""
    _by_id: Mapping[str, Section] = field(
        default_factory=lambda: MappingProxyType({}), compare=False, repr=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", MappingProxyType({s.id: s for s in self.sections}))

    def get(self, section_id: str) -> Section | None:
        return self._by_id.get(section_id)

    def roots(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.parent_id is None)

    def breadcrumb(self, section_id: str) -> tuple[Section, ...]:
        """The chain of sections from the top level down to `section_id`."""
        chain: list[Section] = []
        current = self._by_id.get(section_id)
        while current is not None:
            chain.append(current)
            current = self._by_id.get(current.parent_id) if current.parent_id else None
        return tuple(reversed(chain))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Document | Section | Fact | Footnote | FootnoteRef | Figure):
        return {
            name: _jsonable(getattr(value, name))
            for name in value.__dataclass_fields__
            if not name.startswith("_") and name != "source_path"
        }
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


_HASH_BLOCK_BYTES = 1 << 20
_HEAD_SKIP = frozenset({"sections", "facts", "source_path", "_by_id"})
# json.dumps with these options builds an encoder on every call; build it once.
_encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode


def content_hash(documents: tuple[Document, ...]) -> str:
    """A sha256 over every document head, section and fact, each as JSON then a NUL byte.

    Built so that a reload hashing 50,000 sections in a worker thread never stalls the
    event loop: each piece is encoded separately (no single C call over everything), and
    the bytes reach sha256 in 1 MiB blocks. hashlib releases the GIL on every update of
    2 KiB or more, and a worker that drops and retakes the GIL every few microseconds
    starves the loop thread (each switch resets its 5 ms wait). Between blocks the worker
    runs plain bytecode, which the interpreter preempts.
    """
    digest = hashlib.sha256()
    pending: list[bytes] = []
    size = 0
    for doc in documents:
        head = {
            name: getattr(doc, name) for name in doc.__dataclass_fields__ if name not in _HEAD_SKIP
        }
        for item in (head, *doc.sections, *doc.facts):
            data = item if isinstance(item, dict) else _jsonable(item)
            piece = _encode(data).encode("utf-8")
            pending.append(piece)
            pending.append(b"\x00")
            size += len(piece) + 1
            if size >= _HASH_BLOCK_BYTES:
                digest.update(b"".join(pending))
                pending.clear()
                size = 0
    digest.update(b"".join(pending))
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Snapshot:
    """All loaded documents, immutable, identified by a hash of their content."""

    documents: tuple[Document, ...]
    content_hash: str
    warnings: tuple[str, ...] = ()

    @classmethod
    def build(cls, documents: tuple[Document, ...], warnings: tuple[str, ...] = ()) -> Snapshot:
        docs = tuple(sorted(documents, key=lambda d: d.id))
        return cls(documents=docs, content_hash=content_hash(docs), warnings=warnings)

    def document(self, doc_id: str) -> Document | None:
        for doc in self.documents:
            if doc.id == doc_id:
                return doc
        return None

    def sections(self) -> Iterator[Section]:
        for doc in self.documents:
            yield from doc.sections

    def facts(self) -> Iterator[Fact]:
        for doc in self.documents:
            yield from doc.facts

    def section(self, key: str) -> Section | None:
        """Look up `doc#section`."""
        doc_id, _, section_id = key.partition("#")
        doc = self.document(doc_id)
        return doc.get(section_id) if doc else None

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]
