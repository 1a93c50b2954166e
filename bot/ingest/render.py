"""Turn a Document into the exact bytes of its content files (docs/content-format.md).

Rendering is separate from writing so that the same bytes can be compared, hashed and
tested without a disk; every choice here (key order, quoting, one line per paragraph) is
fixed so that re-ingesting the same text reproduces the files byte for byte.
"""

from __future__ import annotations

import re

import yaml

from bot.content.model import Document, Section

_PLAIN_FIRST = re.compile(r"^[A-Za-z0-9(]")
_FLOW_UNSAFE = set(",[]{}")
MAX_NAME_SLUG = 80


def scalar(value: str | int, flow: bool = False) -> str:
    """A YAML scalar: plain when it reads back as the same string, else double-quoted."""
    if isinstance(value, int):
        return str(value)
    plain_ok = (
        value != ""
        and _PLAIN_FIRST.match(value) is not None
        and value == value.strip()
        and ": " not in value
        and " #" not in value
        and not value.endswith(":")
        and not (flow and _FLOW_UNSAFE.intersection(value))
    )
    if plain_ok:
        try:
            plain_ok = yaml.safe_load(f"k: {value}") == {"k": value}
        except yaml.YAMLError:
            plain_ok = False
    if plain_ok:
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def flow_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(scalar(v, flow=True) for v in values) + "]"


def document_yaml(doc: Document) -> str:
    fields: list[tuple[str, str | int]] = [
        ("id", doc.id),
        ("title", doc.title),
        ("edition", doc.edition),
        ("chapter", doc.chapter),
        ("section", doc.section),
        ("source_url", doc.source_url),
        ("language", doc.language),
    ]
    return "".join(f"{key}: {scalar(value)}\n" for key, value in fields)


def with_markers(paragraph: str, offsets: list[tuple[int, str]]) -> str:
    """Put `[^N]` back at each marker's offset (last first, so offsets stay valid)."""
    for offset, number in sorted(offsets, reverse=True):
        paragraph = f"{paragraph[:offset]}[^{number}]{paragraph[offset:]}"
    return paragraph


def section_markdown(section: Section) -> str:
    lines = [
        "---",
        f"id: {scalar(section.id)}",
        f"title: {scalar(section.title)}",
        f"label: {scalar(section.label)}",
        f"order: {section.order}",
        f"aliases: {flow_list(section.aliases)}",
        f"tags: {flow_list(section.tags)}",
        "---",
    ]
    blocks: list[str] = []
    for p, paragraph in enumerate(section.paragraphs):
        offsets = [(r.offset, r.number) for r in section.footnote_refs if r.paragraph == p]
        blocks.append(with_markers(paragraph, offsets))
    blocks.extend(f"> Photo: {caption}" for caption in section.captions)
    blocks.extend(f"[^{note.number}]: {note.text}" for note in section.footnotes)
    head = "\n".join(lines) + "\n"
    return head + "\n\n".join(blocks) + ("\n" if blocks else "")


def section_filename(section: Section, count: int) -> str:
    width = max(3, len(str(count)))
    # The id keeps the whole slug; the file name is cut so it stays within file system limits.
    last = section.id.rsplit("/", 1)[-1][:MAX_NAME_SLUG].rstrip("-")
    return f"sections/{section.order:0{width}d}-{last}.md"


def render(doc: Document) -> dict[str, str]:
    """Relative path -> file text, for every file ingest owns (not facts.yaml)."""
    files = {"document.yaml": document_yaml(doc)}
    for section in doc.sections:
        files[section_filename(section, len(doc.sections))] = section_markdown(section)
    return files
