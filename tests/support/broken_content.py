"""Ways to break a content folder, each with the file and line a reload must blame.

Shared by the admin end-to-end tests; each case edits a copy of the bundled content in
place (`root` is the content folder) and names the expected `relative/path:line:` and a
word of the message.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DOC = "bluebook-2020-russia"
ECONOMY = "004-russian-economy.md"
DIPLOMACY = "005-russian-diplomacy.md"
ECO = f"{DOC}/sections/{ECONOMY}"
DIP = f"{DOC}/sections/{DIPLOMACY}"


@dataclass(frozen=True)
class Broken:
    name: str
    mutate: Callable[[Path], None]
    where: str  # path relative to the content folder, or "" for the folder itself
    line: int
    words: str  # a fragment of the message, lower-case


def _sections(root: Path) -> Path:
    return root / DOC / "sections"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def yaml_syntax(root: Path) -> None:
    _edit(_sections(root) / ECONOMY, "title: Russian Economy", "title: [Russian Economy")


def missing_field(root: Path) -> None:
    _edit(_sections(root) / ECONOMY, "title: Russian Economy\n", "")


def duplicate_id(root: Path) -> None:
    text = (_sections(root) / ECONOMY).read_text(encoding="utf-8")
    (_sections(root) / "099-copy.md").write_text(text.replace("order: 4", "order: 99"), "utf-8")


def dangling_reference(root: Path) -> None:
    _edit(
        root / DOC / "facts.yaml",
        "    section: russia/situation-in-russia/internal-situation-in-russia\n",
        "    section: russia/no-such-section\n",
    )


def quote_not_in_section(root: Path) -> None:
    _edit(root / DOC / "facts.yaml", 'quote: "President Putin', 'quote: "Chancellor Putin')


def not_utf8(root: Path) -> None:
    path = _sections(root) / DIPLOMACY
    lines = path.read_bytes().split(b"\n")
    lines[8] = b"Sanctions \xff\xfe on Russia"
    path.write_bytes(b"\n".join(lines))


def empty_folder(root: Path) -> None:
    shutil.rmtree(root / DOC)


def unclosed_front_matter(root: Path) -> None:
    path = _sections(root) / ECONOMY
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("tags: []\n---\n", "tags: []\n", 1), encoding="utf-8")


def symlink_outside(root: Path) -> None:
    outside = root.parent / "outside.md"
    outside.write_text((_sections(root) / ECONOMY).read_text("utf-8"), encoding="utf-8")
    os.symlink(outside, _sections(root) / "050-link.md")


def huge_file(root: Path) -> None:
    with open(_sections(root) / "060-huge.md", "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: instant, takes no disk


def wrong_type(root: Path) -> None:
    _edit(_sections(root) / ECONOMY, "order: 4\n", "order: four\n")


def unknown_key(root: Path) -> None:
    _edit(_sections(root) / ECONOMY, "tags: []\n", "tags: []\ncolour: red\n")


def invalid_date(root: Path) -> None:
    _edit(root / DOC / "facts.yaml", '    date: "2019-08"\n', '    date: "2019-13-45"\n')


def duplicate_order(root: Path) -> None:
    _edit(_sections(root) / DIPLOMACY, "order: 5\n", "order: 4\n")


def marker_without_footnote(root: Path) -> None:
    _edit(_sections(root) / DIPLOMACY, "foreign ministerial levels.", "foreign levels.[^7]")


def dangling_parent(root: Path) -> None:
    _edit(
        _sections(root) / DIPLOMACY,
        "id: russia/situation-in-russia/russian-diplomacy",
        "id: russia/no-parent/russian-diplomacy",
    )


def document_missing_id(root: Path) -> None:
    _edit(root / DOC / "document.yaml", "id: bluebook-2020-russia\n", "")


def alias_for_unknown_section(root: Path) -> None:
    _edit(
        root / DOC / "aliases.yaml",
        "russia/japan-russia-relations/the-northern-territories-and-negotiations-on-peace-treaty:",
        "russia/the-kurils:",
    )


def alias_bomb(root: Path) -> None:
    # A small "billion laughs" (9**5 values): refused at its first anchor, never expanded.
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcd", "bcde", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    (root / DOC / "facts.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


CASES: tuple[Broken, ...] = (
    Broken("yaml-syntax", yaml_syntax, ECO, 4, "yaml"),
    Broken("missing-field", missing_field, ECO, 2, "title"),
    Broken("duplicate-id", duplicate_id, f"{DOC}/sections/099-copy.md", 2, "duplicate"),
    Broken("dangling-reference", dangling_reference, f"{DOC}/facts.yaml", 8, "no-such-section"),
    Broken("quote-not-in-section", quote_not_in_section, f"{DOC}/facts.yaml", 10, "quote"),
    Broken("not-utf8", not_utf8, DIP, 9, "utf-8"),
    Broken("empty-folder", empty_folder, "", 1, "no documents"),
    Broken("unclosed-front-matter", unclosed_front_matter, ECO, 1, "closed"),
    Broken("symlink-outside", symlink_outside, f"{DOC}/sections/050-link.md", 1, "outside"),
    Broken("huge-file", huge_file, f"{DOC}/sections/060-huge.md", 1, "too large"),
    Broken("wrong-type", wrong_type, ECO, 5, "order"),
    Broken("unknown-key", unknown_key, ECO, 8, "colour"),
    Broken("invalid-date", invalid_date, f"{DOC}/facts.yaml", 16, "date"),
    Broken("duplicate-order", duplicate_order, DIP, 5, "order"),
    Broken("marker-without-footnote", marker_without_footnote, DIP, 9, "[^7]"),
    Broken("dangling-parent", dangling_parent, DIP, 2, "parent"),
    Broken("document-missing-id", document_missing_id, f"{DOC}/document.yaml", 1, "id"),
    Broken("alias-unknown-section", alias_for_unknown_section, f"{DOC}/aliases.yaml", 6, "kurils"),
    Broken("alias-bomb", alias_bomb, f"{DOC}/facts.yaml", 1, "anchors and aliases"),
)
