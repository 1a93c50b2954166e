"""document.yaml: the identity and source of one document."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.content.fields import Fields
from bot.content.problems import Problems
from bot.content.yamlpos import LineDict

DOC_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*$")
_REQUIRED = ("id", "title", "edition")
_OPTIONAL = ("chapter", "section", "source_url", "language")


@dataclass(frozen=True)
class DocumentMeta:
    id: str
    title: str
    edition: int
    chapter: str
    section: str
    source_url: str
    language: str
    id_line: int


def read_document_meta(data: object, path: Path, problems: Problems) -> DocumentMeta | None:
    """Validate document.yaml's mapping; None when it is unusable (problems reported)."""
    if not isinstance(data, LineDict):
        line = getattr(data, "line", 1)
        problems.error(path, line, "document.yaml must be a mapping of fields (id, title, ...)")
        return None
    fields = Fields(data, path, problems, "document.yaml")
    fields.check_keys(_REQUIRED, _OPTIONAL)
    doc_id = fields.required_string("id")
    if doc_id and DOC_ID.match(doc_id) is None:
        fields.error(
            fields.line("id"),
            f"document id '{doc_id}' must be lower-case letters, digits and '-'",
        )
    title = fields.required_string("title")
    edition = fields.integer("edition")
    meta = DocumentMeta(
        id=doc_id,
        title=title,
        edition=edition or 0,
        chapter=fields.string("chapter") or "",
        section=fields.string("section") or "",
        source_url=fields.string("source_url") or "",
        language=fields.string("language", "en") or "en",
        id_line=fields.line("id"),
    )
    return meta if fields.ok else None
