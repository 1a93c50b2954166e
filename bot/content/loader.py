"""Load a content folder into a Snapshot, or report every problem in it.

The loader never stops at the first mistake: an editor fixing content wants the whole
list at once. It is linear in the number of files (one read and one front-matter parse per
section; quotes are checked only against their own section) so a reload of tens of
thousands of sections stays within seconds.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content.aliases import ALIASES, apply_aliases
from bot.content.document import read_document_meta
from bot.content.facts import collapse, read_facts
from bot.content.fields import Fields
from bot.content.model import Document, Fact, Section, Snapshot
from bot.content.pacing import Pacer
from bot.content.problems import Problem, Problems
from bot.content.reading import ReadRefused, read_bytes
from bot.content.sectionfile import FrontMatterError, SectionBody, parse_body, split_front_matter
from bot.content.yamlpos import LineDict, YamlSyntaxError, load_yaml

LONG_SECTION_CHARS = 20_000
SECTION_ID = re.compile(r"[a-z0-9-]+(?:/[a-z0-9-]+)*$")
_RECOVER_ID = re.compile(r"^id:[ \t]*[\"']?([^\"'\s#]+)", re.MULTILINE)
_SECTION_REQUIRED = ("id", "title", "order")
_SECTION_OPTIONAL = ("label", "aliases", "tags")


@dataclass(frozen=True)
class LoadResult:
    snapshot: Snapshot | None  # None when there is any error
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    elapsed_s: float

    @property
    def ok(self) -> bool:
        return not self.errors


def load_content(root: Path) -> LoadResult:
    """Load `root` (a folder of document folders, or one document folder)."""
    started = time.perf_counter()
    problems = Problems()
    documents = _Loader(Path(root), problems).load()
    key = _sort_key
    errors = tuple(sorted(problems.errors, key=key))
    warnings = tuple(sorted(problems.warnings, key=key))
    snapshot = None
    if not errors:
        snapshot = Snapshot.build(tuple(documents), tuple(str(w) for w in warnings))
    return LoadResult(snapshot, errors, warnings, time.perf_counter() - started)


def _sort_key(problem: Problem) -> tuple[str, int]:
    return (problem.path, problem.line)


@dataclass
class _SectionDraft:
    path: str
    id: str
    id_line: int
    title: str
    label: str
    order: int | None
    order_line: int
    aliases: tuple[str, ...]
    tags: tuple[str, ...]
    body: SectionBody = field(default_factory=SectionBody)


class _Loader:
    def __init__(self, root: Path, problems: Problems) -> None:
        self.root = root
        self.problems = problems
        self.real_root = os.path.realpath(root)
        # Ids of sections whose files are broken (recovered from their text), so that
        # references to them do not add "not found" noise to the real problem.
        self.broken_ids: set[str] = set()
        self._undecodable = ""
        self.pace = Pacer()

    # ---- files ----

    def _inside(self, path: str) -> bool:
        real = os.path.realpath(path)
        return real == self.real_root or real.startswith(self.real_root.rstrip(os.sep) + os.sep)

    def _link_ok(self, path: Path) -> bool:
        """A symlink must resolve to an existing place inside the content folder."""
        if not self._inside(str(path)):
            target = os.path.realpath(path)
            self.problems.error(path, 1, f"symlink points outside the content folder ({target})")
            return False
        if not os.path.exists(path):
            self.problems.error(path, 1, "symlink target does not exist")
            return False
        return True

    def _read_text(
        self, path: Path | str, allow_empty: bool = False, known_regular: bool = False
    ) -> str | None:
        try:
            data = read_bytes(path, known_regular=known_regular)
        except ReadRefused as exc:
            self.problems.error(path, 1, exc.message)
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            self._undecodable = data[:4096].decode("utf-8", "replace")
            self.problems.error(
                path, line, f"file is not UTF-8 (byte 0x{data[exc.start]:02x} cannot be decoded)"
            )
            return None
        if text.startswith("\ufeff"):
            text = text[1:]
        if not text.strip():
            if not allow_empty:
                self.problems.error(path, 1, "file is empty")
            return None
        return text

    def _yaml(self, text: str, path: Path | str, first_line: int = 1) -> tuple[bool, Any]:
        try:
            value, issues = load_yaml(text, first_line)
        except YamlSyntaxError as exc:
            self.problems.error(path, exc.line, exc.message)
            return False, None
        for line, message in issues:
            self.problems.error(path, line, message)
        return True, value

    def _entries(self, folder: Path) -> Iterator[os.DirEntry[str]]:
        """Visible entries of a folder, sorted by name; hidden ('.', '_') ones skipped."""
        try:
            with os.scandir(folder) as scan:
                entries = [e for e in scan if not e.name.startswith((".", "_"))]
        except OSError as exc:
            self.problems.error(folder, 1, f"cannot list folder: {exc.strerror or exc}")
            return iter(())
        entries.sort(key=lambda e: e.name)
        return iter(entries)

    # ---- folders ----

    def load(self) -> list[Document]:
        root = self.root
        if not root.is_dir():
            what = "is not a folder" if root.exists() else "does not exist"
            self.problems.error(root, 1, f"content folder {what}")
            return []
        if os.path.lexists(root / "document.yaml"):
            folders = [root]
        else:
            folders = []
            for entry in self._entries(root):
                if entry.is_symlink() and not self._link_ok(Path(entry.path)):
                    continue
                if entry.is_dir():
                    folders.append(Path(entry.path))
            if not folders:
                self.problems.error(
                    root, 1, "no documents found (expected folders holding a document.yaml)"
                )
        documents: list[Document] = []
        seen: dict[str, Path] = {}
        for folder in folders:
            loaded = self._load_document(folder, seen)
            if loaded is not None:
                documents.append(loaded)
        return documents

    def _load_document(self, folder: Path, seen: dict[str, Path]) -> Document | None:
        errors_before = len(self.problems.errors)
        doc_path = folder / "document.yaml"
        if not os.path.lexists(doc_path):
            self.problems.error(
                folder,
                1,
                "folder has no document.yaml (start its name with '_' to have it ignored)",
            )
            return None
        meta = None
        if os.path.islink(doc_path) and not self._link_ok(doc_path):
            text = None
        else:
            text = self._read_text(doc_path)
        if text is not None:
            parsed, data = self._yaml(text, doc_path)
            if parsed:
                meta = read_document_meta(data, doc_path, self.problems)
        doc_id = meta.id if meta is not None else ""
        if meta is not None:
            if meta.id in seen:
                self.problems.error(
                    doc_path,
                    meta.id_line,
                    f"duplicate document id '{meta.id}' (also in {seen[meta.id]})",
                )
            else:
                seen[meta.id] = doc_path

        sections = self._load_sections(folder, doc_id, doc_path)
        sections = self._load_aliases(folder, sections)
        facts = self._load_facts(folder, doc_id, sections)
        if meta is None or len(self.problems.errors) > errors_before:
            return None
        return Document(
            id=meta.id,
            title=meta.title,
            edition=meta.edition,
            chapter=meta.chapter,
            section=meta.section,
            source_url=meta.source_url,
            language=meta.language,
            sections=tuple(sections),
            facts=tuple(facts),
            source_path=str(folder),
        )

    # ---- sections ----

    def _load_sections(self, folder: Path, doc_id: str, doc_path: Path) -> list[Section]:
        self.broken_ids = set()
        sections_dir = folder / "sections"
        drafts: list[_SectionDraft] = []
        if os.path.islink(sections_dir) and not self._link_ok(sections_dir):
            return []
        if sections_dir.is_dir():
            for entry in self._entries(sections_dir):
                if not entry.name.endswith(".md"):
                    continue
                path = entry.path  # a str: Path objects cost more than the parse at 50,000 files
                if entry.is_symlink() and not self._link_ok(Path(path)):
                    continue
                if entry.is_dir():
                    continue  # anything else not a regular file (FIFO, socket...) is refused
                self.pace()
                draft = self._read_section(path, entry.is_file(follow_symlinks=False))
                if draft is not None:
                    drafts.append(draft)
        if not drafts:
            # A folder whose every section failed to load is not reported as empty too.
            if not sections_dir.is_dir() or not any(
                e.name.endswith(".md") for e in self._entries(sections_dir)
            ):
                self.problems.error(
                    doc_path, 1, "document has no sections (expected sections/*.md files)"
                )
            return []
        return self._build_tree(drafts, doc_id)

    def _broken(self, text: str) -> None:
        found = _RECOVER_ID.search(text[:4096])
        if found is not None:
            self.broken_ids.add(found.group(1))

    def _read_section(self, path: str, known_regular: bool) -> _SectionDraft | None:
        self._undecodable = ""
        text = self._read_text(path, known_regular=known_regular)
        if text is None:
            self._broken(self._undecodable)
            return None
        try:
            front, body_lines, body_line = split_front_matter(text)
        except FrontMatterError as exc:
            self.problems.error(path, exc.line, exc.message)
            self._broken(text)
            return None
        parsed, data = self._yaml(front, path, first_line=2)
        if not parsed:
            self._broken(front)
            return None
        if not isinstance(data, LineDict):
            self.problems.error(
                path,
                getattr(data, "line", 2),
                "front matter must be a mapping of fields (id, title, order, ...)",
            )
            return None
        fields = Fields(data, path, self.problems, "front matter")
        fields.check_keys(_SECTION_REQUIRED, _SECTION_OPTIONAL)
        section_id = fields.required_string("id")
        if section_id and SECTION_ID.match(section_id) is None:
            fields.error(
                fields.line("id"),
                f"section id '{section_id}' must be lower-case slug parts "
                "([a-z0-9-]) joined by '/'",
            )
            section_id = ""
        draft = _SectionDraft(
            path=path,
            id=section_id,
            id_line=fields.line("id"),
            title=fields.required_string("title"),
            label=fields.string("label", "", coerce_int=True) or "",
            order=fields.integer("order"),
            order_line=fields.line("order"),
            aliases=fields.string_list("aliases"),
            tags=fields.string_list("tags"),
        )
        draft.body = parse_body(body_lines, body_line)
        for line, message in draft.body.issues:
            self.problems.error(path, line, message)
        if not section_id:
            return None
        if not fields.ok:
            self.broken_ids.add(section_id)
        return draft

    def _build_tree(self, drafts: list[_SectionDraft], doc_id: str) -> list[Section]:
        by_id = self._unique_drafts(drafts)
        ordered = sorted(by_id.values(), key=lambda d: (d.order or 0, d.id))
        children = self._children(ordered, by_id)
        sections: list[Section] = []
        for draft in ordered:
            body = draft.body
            section = Section(
                id=draft.id,
                document_id=doc_id,
                label=draft.label,
                title=draft.title,
                level=draft.id.count("/") + 1,
                order=draft.order or 0,
                parent_id=draft.id.rpartition("/")[0] or None,
                paragraphs=tuple(body.paragraphs),
                footnotes=tuple(body.footnotes),
                footnote_refs=tuple(body.footnote_refs),
                captions=tuple(body.captions),
                aliases=draft.aliases,
                tags=draft.tags,
                children=tuple(children.get(draft.id, ())),
                source_path=draft.path,
            )
            sections.append(section)
            self._warn_size(draft, section)
        return sections

    def _unique_drafts(self, drafts: list[_SectionDraft]) -> dict[str, _SectionDraft]:
        """Drafts by id; a repeated id or order is an error at the later file."""
        by_id: dict[str, _SectionDraft] = {}
        orders: dict[int, _SectionDraft] = {}
        for draft in drafts:
            other = by_id.get(draft.id)
            if other is not None:
                also = os.path.basename(other.path)
                message = f"duplicate section id '{draft.id}' (also in {also})"
                self.problems.error(draft.path, draft.id_line, message)
                continue
            by_id[draft.id] = draft
            if draft.order is None:
                continue
            first = orders.setdefault(draft.order, draft)
            if first is not draft:
                also = os.path.basename(first.path)
                message = f"duplicate order {draft.order} (also in {also})"
                self.problems.error(draft.path, draft.order_line, message)
        return by_id

    def _children(
        self, ordered: list[_SectionDraft], by_id: dict[str, _SectionDraft]
    ) -> dict[str, list[str]]:
        """Parent id -> child ids in order; a missing parent is an error."""
        children: dict[str, list[str]] = {}
        for draft in ordered:
            parent = draft.id.rpartition("/")[0]
            if not parent:
                continue
            if parent not in by_id and parent not in self.broken_ids:
                message = f"parent section '{parent}' of '{draft.id}' not found in this document"
                self.problems.error(draft.path, draft.id_line, message)
            children.setdefault(parent, []).append(draft.id)
        return children

    def _warn_size(self, draft: _SectionDraft, section: Section) -> None:
        body = draft.body
        if not (body.paragraphs or body.footnotes or body.captions or section.children):
            message = f"section '{draft.id}' has neither text nor children"
            self.problems.warning(draft.path, draft.id_line, message)
            return
        length = sum(map(len, body.paragraphs))
        length += sum(len(f.text) for f in body.footnotes) + sum(map(len, body.captions))
        if length > LONG_SECTION_CHARS:
            message = (
                f"section '{draft.id}' is very long ({length:,} characters; "
                f"over {LONG_SECTION_CHARS:,})"
            )
            self.problems.warning(draft.path, draft.id_line, message)

    # ---- aliases ----

    def _load_aliases(self, folder: Path, sections: list[Section]) -> list[Section]:
        path = folder / ALIASES
        if not os.path.lexists(path):
            return sections
        if os.path.islink(path) and not self._link_ok(path):
            return sections
        text = self._read_text(path, allow_empty=True)
        if text is None:
            return sections
        parsed, data = self._yaml(text, path)
        if not parsed:
            return sections
        return apply_aliases(data, path, sections, self.problems)

    # ---- facts ----

    def _load_facts(self, folder: Path, doc_id: str, sections: list[Section]) -> list[Fact]:
        path = folder / "facts.yaml"
        if not os.path.lexists(path):
            return []
        if os.path.islink(path) and not self._link_ok(path):
            return []
        text = self._read_text(path, allow_empty=True)
        if text is None:
            return []
        parsed, data = self._yaml(text, path)
        if not parsed:
            return []
        entries = read_facts(data, path, doc_id, self.problems)
        by_id = {s.id: s for s in sections}
        collapsed: dict[str, str] = {}
        facts: list[Fact] = []
        for entry in entries:
            fact = entry.fact
            section = by_id.get(fact.section_id)
            if section is None:
                # With no sections loaded, or the section's own file broken, a "not found"
                # would only be noise.
                if sections and fact.section_id not in self.broken_ids:
                    self.problems.error(
                        path,
                        entry.section_line,
                        f"fact '{fact.id}': section '{fact.section_id}' not found in document",
                    )
                continue
            if section.id not in collapsed:
                collapsed[section.id] = collapse(section.text)
            haystack = collapsed[section.id]
            quote = collapse(fact.quote)
            if quote not in haystack:
                shown = quote if len(quote) <= 80 else quote[:77] + "..."
                self.problems.error(
                    path,
                    entry.quote_line,
                    f"fact quote not found in section '{section.id}': \"{shown}\"",
                )
                continue
            facts.append(fact)
        return facts
