"""The reload diff compares item content by id, across real loaded content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content import load_content
from bot.content.diff import diff_snapshots
from bot.content.model import Snapshot
from tests.support.paths import CONTENT_DIR

DOC = "bluebook-2020-russia"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def load(root: Path) -> Snapshot:
    result = load_content(root)
    assert result.ok, [str(e) for e in result.errors]
    assert result.snapshot is not None
    return result.snapshot


def section_file(root: Path, name: str) -> Path:
    return next((root / DOC / "sections").glob(f"*{name}.md"))


def test_same_content_is_no_change(content: Path) -> None:
    diff = diff_snapshots(load(content), load(content))
    assert diff.empty
    assert diff.summary() == "no changes"


def test_first_load_reports_everything_added(content: Path) -> None:
    snap = load(content)
    diff = diff_snapshots(None, snap)
    assert diff.documents.added == (DOC,)
    assert len(diff.sections.added) == sum(len(d.sections) for d in snap.documents)
    assert len(diff.facts.added) == sum(len(d.facts) for d in snap.documents)


def test_edited_paragraph_is_one_changed_section(content: Path) -> None:
    old = load(content)
    path = section_file(content, "russian-economy")
    path.write_text(path.read_text(encoding="utf-8") + "\nA new closing paragraph.\n", "utf-8")
    diff = diff_snapshots(old, load(content))
    assert diff.sections.changed == (f"{DOC}#russia/situation-in-russia/russian-economy",)
    assert not diff.sections.added and not diff.sections.removed
    assert diff.documents.empty and diff.facts.empty
    assert "sections +0 −0 ~1" in diff.summary()


def test_renamed_file_is_not_a_change(content: Path) -> None:
    old = load(content)
    path = section_file(content, "russian-economy")
    path.rename(path.with_name("zz-renamed.md"))
    assert diff_snapshots(old, load(content)).empty


def test_removed_fact_and_changed_title(content: Path) -> None:
    old = load(content)
    facts = content / DOC / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    start = text.index("  - id: protests-2019-size-50000")
    end = text.index("  - id:", start + 10)
    facts.write_text(text[:start] + text[end:], encoding="utf-8")
    doc = content / DOC / "document.yaml"
    doc.write_text(
        doc.read_text("utf-8").replace("title: Diplomatic Bluebook 2020", "title: DB 2020"),
        "utf-8",
    )
    diff = diff_snapshots(old, load(content))
    assert diff.facts.removed == (f"{DOC}#protests-2019-size-50000",)
    assert diff.documents.changed == (DOC,)
    assert diff.sections.empty
