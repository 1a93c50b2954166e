"""The model built from a good content folder, warnings, and the YAML line tracking."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from bot.content import load_content
from bot.content.model import Figure, Footnote, FootnoteRef
from bot.content.sectionfile import parse_body
from bot.content.yamlpos import LineDict, LineList, _fast_mapping, load_yaml
from tests.support.paths import DATA

GOOD = DATA / "content" / "good"


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(GOOD, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    return Path("content")


def test_document_and_tree(content: Path) -> None:
    result = load_content(content)
    assert result.ok and result.snapshot is not None
    assert result.elapsed_s >= 0
    (doc,) = result.snapshot.documents
    assert (doc.id, doc.title, doc.edition, doc.language) == (
        "bluebook-test",
        "Diplomatic Bluebook Test",
        2020,
        "en",
    )
    assert doc.chapter == "Chapter 2 Test Chapter"
    assert doc.source_url == "https://example.org/bluebook/2020"
    assert [s.id for s in doc.sections] == [
        "russia",
        "russia/situation-in-russia",
        "russia/japan-russia-relations",
        "russia/japan-russia-relations/northern-territories",
    ]
    levels = {s.id: (s.level, s.parent_id, s.children) for s in doc.sections}
    assert levels["russia"] == (
        1,
        None,
        ("russia/situation-in-russia", "russia/japan-russia-relations"),
    )
    assert levels["russia/japan-russia-relations"] == (
        2,
        "russia",
        ("russia/japan-russia-relations/northern-territories",),
    )
    assert levels["russia/japan-russia-relations/northern-territories"] == (
        3,
        "russia/japan-russia-relations",
        (),
    )
    top = doc.get("russia")
    assert top is not None and top.label == "1" and top.paragraphs == ()
    assert [s.id for s in doc.breadcrumb("russia/japan-russia-relations/northern-territories")] == [
        "russia",
        "russia/japan-russia-relations",
        "russia/japan-russia-relations/northern-territories",
    ]


def test_sections_are_ordered_by_order_not_file_name(content: Path) -> None:
    sections = content / "bluebook-test" / "sections"
    (sections / "001-russia.md").rename(sections / "zzz-russia.md")
    result = load_content(content)
    assert result.snapshot is not None
    assert result.snapshot.documents[0].sections[0].id == "russia"


def test_paragraphs_footnotes_and_captions(content: Path) -> None:
    result = load_content(content)
    assert result.snapshot is not None
    section = result.snapshot.section("bluebook-test#russia/situation-in-russia")
    assert section is not None
    assert section.label == "(1)" and section.title == "Situation in Russia"
    assert section.aliases == ("Russian situation",) and section.tags == ("politics",)
    assert section.paragraphs == (
        "President Putin's approval rating remained in the 60% range.",
        "The economy grew. It grew slowly.",
    )
    assert section.footnote_refs == (
        FootnoteRef(paragraph=0, offset=60, number="1"),
        FootnoteRef(paragraph=1, offset=17, number="2"),
    )
    # the offset is just after the word the marker belongs to
    assert section.paragraphs[0][:60].endswith("range.")
    assert section.paragraphs[1][:17].endswith("grew.")
    assert section.footnotes == (
        Footnote("1", "Source: a survey by a polling agency."),
        Footnote("2", "Preliminary figure."),
    )
    assert section.captions == ("Moscow skyline (Photo: Test Office)",)
    assert section.source_path.endswith("002-situation-in-russia.md")


def test_facts(content: Path) -> None:
    result = load_content(content)
    assert result.snapshot is not None
    facts = {f.id: f for f in result.snapshot.facts()}
    assert set(facts) == {
        "approval-rating",
        "summit-2019-09-vladivostok",
        "footnote-fact",
        "caption-fact",
    }
    summit = facts["summit-2019-09-vladivostok"]
    assert summit.is_event and summit.kind == "summit"
    assert summit.date == "2019-09-05"  # an unquoted YAML date becomes ISO text
    assert summit.participants == ("Prime Minister Abe", "President Putin")
    assert summit.place == "Vladivostok, Russia"
    assert summit.section_key == "bluebook-test#russia/japan-russia-relations"
    approval = facts["approval-rating"]
    assert approval.figure == Figure(60.0, "%") and approval.date == "2019"
    assert not approval.is_event and approval.tags == ("politics",)
    assert facts["caption-fact"].date == "2019-09"


def test_single_document_folder(content: Path) -> None:
    whole = load_content(content)
    single = load_content(content / "bluebook-test")
    assert single.ok and single.snapshot is not None and whole.snapshot is not None
    assert single.snapshot.content_hash == whole.snapshot.content_hash


def test_hash_changes_with_content(content: Path) -> None:
    before = load_content(content).snapshot
    path = content / "bluebook-test" / "sections" / "004-northern-territories.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more.\n", encoding="utf-8")
    after = load_content(content).snapshot
    assert before is not None and after is not None
    assert before.content_hash != after.content_hash


def test_two_documents(content: Path) -> None:
    other = content / "another"
    shutil.copytree(content / "bluebook-test", other)
    doc_yaml = other / "document.yaml"
    doc_yaml.write_text(
        doc_yaml.read_text(encoding="utf-8").replace("id: bluebook-test", "id: another-doc"),
        encoding="utf-8",
    )
    result = load_content(content)
    assert result.snapshot is not None
    assert [d.id for d in result.snapshot.documents] == ["another-doc", "bluebook-test"]


# ---- warnings ----


def test_warning_section_without_text_or_children(content: Path) -> None:
    path = Path("content/bluebook-test/sections/005-empty.md")
    path.write_text("---\nid: russia/empty\ntitle: Empty\norder: 5\n---\n", encoding="utf-8")
    result = load_content(content)
    assert result.ok and result.snapshot is not None
    (warning,) = result.warnings
    assert (warning.path, warning.line, warning.severity) == (str(path), 2, "warning")
    assert "neither text nor children" in warning.message
    assert result.snapshot.warnings == (str(warning),)


def test_warning_long_section(content: Path) -> None:
    path = Path("content/bluebook-test/sections/005-long.md")
    body = "\n\n".join(["word " * 100] * 45)  # about 22,500 characters
    path.write_text(f"---\ntitle: Long\nid: russia/long\norder: 5\n---\n{body}\n", encoding="utf-8")
    result = load_content(content)
    assert result.ok
    (warning,) = result.warnings
    assert (warning.path, warning.line) == (str(path), 3)
    assert "very long" in warning.message


# ---- the Markdown body ----


def test_body_footnote_continuation_and_multi_line_caption() -> None:
    lines = [
        "First line",
        "second line.[^a] More[^b]",
        "",
        "> Photo: A caption",
        "> continued",
        "",
        "[^a]: Note a",
        "    continued here.",
        "",
        "    And a second paragraph of a.",
        "[^b]: Note b",
    ]
    body = parse_body(lines, 10)
    assert body.issues == []
    assert body.paragraphs == ["First line second line. More"]
    assert body.footnote_refs == [FootnoteRef(0, 23, "a"), FootnoteRef(0, 28, "b")]
    assert body.captions == ["A caption continued"]
    assert body.footnotes == [
        Footnote("a", "Note a continued here. And a second paragraph of a."),
        Footnote("b", "Note b"),
    ]


def test_body_duplicate_footnote_definition() -> None:
    body = parse_body(["Text.[^1]", "", "[^1]: One", "[^1]: Again"], 7)
    assert body.issues == [(10, "footnote [^1] is defined twice")]


# ---- YAML with lines ----


def test_yaml_lines_of_keys_and_items() -> None:
    text = "# comment\nid: x\nlist:\n  - a\n  - b: 1\n    c: 2\nwhen: 2019-09-05\n"
    value, issues = load_yaml(text, first_line=2)
    assert issues == []
    assert isinstance(value, LineDict)
    assert value.key_lines == {"id": 3, "list": 4, "when": 8}
    items = value["list"]
    assert isinstance(items, LineList) and items.item_lines == [5, 6]
    assert value["when"] == dt.date(2019, 9, 5)
    assert items[1].key_lines == {"b": 6, "c": 7}


FAST_SAMPLES = [
    "id: russia\ntitle: Russia\norder: 1\n",
    'id: a/b\ntitle: "Japan-Russia: Relations"\nlabel: "(1)"\norder: 12\n',
    "title: It's 'quoted'\nlabel: (A)\naliases: [One, Two words, Three-3]\ntags: []\n",
    "label:\norder: -3\ntitle: 'Don''t'\n",
    "title: Nope # comment\n",
    "title: yes\n",
    "title: Off\n",
    "order: 010\n",
    "order: 0x1F\n",
    "order: 1_000\n",
    "title: 2+2 Dialogue\n",
    "aliases: [a, yes]\n",
    "aliases: [a, 'b']\n",
    "aliases: [a, b,]\n",
    "title: a: b\n",
    "title: ends with colon:\n",
    "title: Café Économie\n",
    "title: [bracket\n",
    "title: has [brackets] inside, and {braces}\n",
    "title: tab\there\n",
    "key: value\nkey: again\n",
    "title: x\n  continued: y\n",
    "title: 1.5\n",
    "date: 2019-09-05\n",
    "title: null\n",
    "on: 1\n",
    "title: ~\n",
    "title:     spaced    \n",
    "title: 'unterminated\n",
    'title: "esc \\" aped"\n',
    "title: with \u2028 separator\n",
    "\n\n# only comments\n",
]


@pytest.mark.parametrize("text", FAST_SAMPLES)
def test_fast_path_agrees_with_yaml(text: str) -> None:
    try:
        expected = yaml.safe_load(text)
    except yaml.YAMLError:
        expected = "error"
    fast = _fast_mapping(text, 1)
    if fast is not None:  # whenever the fast path answers, it answers as YAML would
        assert dict(fast) == expected
        assert all(isinstance(v, list | str | int | type(None)) for v in fast.values())
    try:
        full, _ = load_yaml(text)
    except Exception:
        full = "error"
    if expected != "error" and isinstance(expected, dict):
        assert dict(full) == expected


def test_fast_path_is_taken_for_plain_front_matter() -> None:
    fast = _fast_mapping("id: russia\ntitle: Russia\norder: 1\ntags: [a, b]\n", 2)
    assert fast is not None and fast.key_lines == {"id": 2, "title": 3, "order": 4, "tags": 5}
    assert isinstance(fast["tags"], LineList) and fast["tags"].item_lines == [5, 5]
