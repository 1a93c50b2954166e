"""Every kind of content mistake is reported as `path:line: message` at the right line."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.content import LoadResult, Problem, load_content
from tests.support.paths import DATA

GOOD = DATA / "content" / "good"
DOC = Path("content/bluebook-test")
SECTIONS = DOC / "sections"


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the good fixture at ./content, with the working directory at tmp_path."""
    shutil.copytree(GOOD, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    return Path("content")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line of the `occurrence`-th line containing `needle`."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in {path}")


def only_error(result: LoadResult) -> Problem:
    assert result.snapshot is None
    assert len(result.errors) == 1, [str(e) for e in result.errors]
    return result.errors[0]


def assert_error(content: Path, path: Path, line: int, fragment: str) -> Problem:
    error = only_error(load_content(content))
    assert (error.path, error.line) == (str(path), line), str(error)
    assert fragment in error.message, str(error)
    assert str(error) == f"{path}:{line}: {error.message}"
    return error


def test_good_fixture_has_no_problems(content: Path) -> None:
    result = load_content(content)
    assert result.ok and result.errors == () and result.warnings == ()
    assert result.snapshot is not None


# ---- YAML and files ----


def test_yaml_syntax_error_in_document_yaml(content: Path) -> None:
    edit(DOC / "document.yaml", "edition: 2020", "edition: [2020")
    error = only_error(load_content(content))
    assert error.path == str(DOC / "document.yaml")
    assert error.line in (3, 4)  # the mark libyaml puts on the unclosed flow sequence
    assert error.message.startswith("YAML syntax error")


def test_yaml_syntax_error_in_front_matter_uses_file_lines(content: Path) -> None:
    path = SECTIONS / "003-japan-russia-relations.md"
    edit(path, "tags: [diplomacy]", "tags: [diplomacy\n  bad: : x")
    error = only_error(load_content(content))
    assert error.path == str(path) and error.message.startswith("YAML syntax error")
    assert error.line in (6, 7)


def test_yaml_syntax_error_in_facts(content: Path) -> None:
    path = DOC / "facts.yaml"
    edit(path, "    quote: Moscow skyline", '    quote: "Moscow skyline')
    error = only_error(load_content(content))
    assert error.path == str(path) and error.message.startswith("YAML syntax error")
    assert error.line >= line_of(path, '"Moscow skyline')


def test_not_utf8_reports_line_of_first_bad_byte(content: Path) -> None:
    path = SECTIONS / "004-northern-territories.md"
    data = path.read_bytes().replace(b"greatest", b"gr\xe9atest")
    path.write_bytes(data)
    assert_error(content, path, 7, "not UTF-8")


def test_front_matter_without_closing_line(content: Path) -> None:
    path = SECTIONS / "004-northern-territories.md"
    edit(path, "order: 4\n---\n", "order: 4\n")
    assert_error(content, path, 1, "not closed")


def test_section_without_front_matter(content: Path) -> None:
    path = SECTIONS / "004-northern-territories.md"
    path.write_text("Just text.\n", encoding="utf-8")
    assert_error(content, path, 1, "front matter")


def test_empty_file(content: Path) -> None:
    path = SECTIONS / "004-northern-territories.md"
    path.write_text("", encoding="utf-8")
    assert_error(content, path, 1, "file is empty")


def test_empty_document_yaml(content: Path) -> None:
    (DOC / "document.yaml").write_text("\n\n", encoding="utf-8")
    assert_error(content, DOC / "document.yaml", 1, "file is empty")


def test_empty_facts_yaml_means_no_facts(content: Path) -> None:
    (DOC / "facts.yaml").write_text("", encoding="utf-8")
    result = load_content(content)
    assert result.ok and result.snapshot is not None
    assert list(result.snapshot.facts()) == []


def test_file_over_5_mb(content: Path) -> None:
    path = SECTIONS / "005-big.md"
    with open(path, "wb") as handle:
        handle.write(b"---\nid: russia/big\ntitle: Big\norder: 9\n---\n")
        handle.write(b"word " * (1024 * 1024 + 10))
    error = assert_error(content, path, 1, "too large")
    assert "5 MB" in error.message


def test_symlink_outside_content_folder(content: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.md"
    shutil.copy(SECTIONS / "004-northern-territories.md", outside)
    link = SECTIONS / "005-link.md"
    os.symlink(outside, link)
    assert_error(content, link, 1, "outside the content folder")


def test_symlink_inside_content_folder_is_followed(content: Path) -> None:
    target = DOC / "_drafts" / "005-extra.md"
    target.parent.mkdir()
    target.write_text(
        "---\nid: russia/extra\ntitle: Extra\norder: 5\n---\nSome text.\n", encoding="utf-8"
    )
    os.symlink(Path("..") / "_drafts" / "005-extra.md", SECTIONS / "005-extra.md")
    result = load_content(content)
    assert result.ok, [str(e) for e in result.errors]
    assert result.snapshot is not None
    assert result.snapshot.section("bluebook-test#russia/extra") is not None


def test_symlinked_document_folder_outside(content: Path, tmp_path: Path) -> None:
    shutil.copytree(content / "bluebook-test", tmp_path / "other")
    os.symlink(tmp_path / "other", content / "other")
    assert_error(content, Path("content/other"), 1, "outside the content folder")


# ---- fields ----


def test_missing_required_field_in_front_matter(content: Path) -> None:
    path = SECTIONS / "003-japan-russia-relations.md"
    edit(path, "title: Japan-Russia Relations\n", "")
    assert_error(content, path, 2, "missing required field 'title'")


def test_unknown_field_in_front_matter(content: Path) -> None:
    path = SECTIONS / "003-japan-russia-relations.md"
    edit(path, "order: 3\n", "order: 3\nsummary: nope\n")
    assert_error(content, path, 6, "unknown field 'summary'")


def test_unknown_field_in_document_yaml(content: Path) -> None:
    edit(DOC / "document.yaml", "language: en", "language: en\nauthor: someone")
    assert_error(content, DOC / "document.yaml", 8, "unknown field 'author'")


def test_missing_field_in_document_yaml(content: Path) -> None:
    edit(DOC / "document.yaml", "edition: 2020\n", "")
    assert_error(content, DOC / "document.yaml", 1, "missing required field 'edition'")


def test_missing_and_unknown_field_in_fact(content: Path) -> None:
    path = DOC / "facts.yaml"
    edit(path, "    text: Abe and Putin met in Vladivostok.\n", "    summary: x\n")
    result = load_content(content)
    found = {(e.path, e.line, e.message.split(" (")[0]) for e in result.errors}
    assert found == {
        (
            str(path),
            line_of(path, "summit-2019-09-vladivostok"),
            "missing required field 'text' in fact",
        ),
        (str(path), line_of(path, "summary: x"), "unknown field 'summary' in fact"),
    }


def test_wrong_type_order(content: Path) -> None:
    path = SECTIONS / "003-japan-russia-relations.md"
    edit(path, "order: 3", "order: three")
    assert_error(content, path, 5, "'order' must be an integer, not a string")


def test_wrong_type_edition(content: Path) -> None:
    edit(DOC / "document.yaml", "edition: 2020", "edition: twenty")
    assert_error(content, DOC / "document.yaml", 3, "'edition' must be an integer")


def test_wrong_type_list_item(content: Path) -> None:
    path = SECTIONS / "002-situation-in-russia.md"
    edit(path, "tags: [politics]", "tags:\n  - politics\n  - {a: 1}")
    assert_error(content, path, 9, "'tags' item 2 must be a string, not a mapping")


def test_wrong_type_tags_string(content: Path) -> None:
    path = SECTIONS / "002-situation-in-russia.md"
    edit(path, "tags: [politics]", "tags: politics")
    assert_error(content, path, 7, "'tags' must be a list of strings, not a string")


def test_wrong_type_figure_value(content: Path) -> None:
    path = DOC / "facts.yaml"
    edit(path, 'figure: {value: 60, unit: "%"}', "figure:\n      value: sixty\n      unit: '%'")
    assert_error(content, path, line_of(path, "value: sixty"), "figure 'value' must be a number")


def test_facts_yaml_not_a_list(content: Path) -> None:
    (DOC / "facts.yaml").write_text("# facts\nfacts: nope\n", encoding="utf-8")
    assert_error(content, DOC / "facts.yaml", 2, "'facts' must be a list")


# ---- ids, order and references ----


def test_duplicate_section_id_reports_later_file(content: Path) -> None:
    path = SECTIONS / "004-northern-territories.md"
    edit(
        path,
        "id: russia/japan-russia-relations/northern-territories",
        "id: russia/japan-russia-relations",
    )
    error = assert_error(content, path, 2, "duplicate section id 'russia/japan-russia-relations'")
    assert "003-japan-russia-relations.md" in error.message


def test_duplicate_order(content: Path) -> None:
    path = SECTIONS / "004-northern-territories.md"
    edit(path, "order: 4", "order: 3")
    assert_error(content, path, 5, "duplicate order 3")


def test_duplicate_fact_id_reports_later_occurrence(content: Path) -> None:
    path = DOC / "facts.yaml"
    edit(path, "id: caption-fact", "id: approval-rating")
    assert_error(content, path, line_of(path, "id: approval-rating", 2), "duplicate fact id")


def test_duplicate_document_id_across_folders(content: Path) -> None:
    shutil.copytree(content / "bluebook-test", content / "copy-of-test")
    # folders load in name order: bluebook-test first, so the copy is the later one
    assert_error(content, content / "copy-of-test" / "document.yaml", 1, "duplicate document id")


def test_duplicate_key_in_yaml(content: Path) -> None:
    path = SECTIONS / "003-japan-russia-relations.md"
    edit(path, "order: 3\n", "order: 3\norder: 5\n")
    assert_error(content, path, 6, "duplicate key 'order'")


def test_fact_section_not_found(content: Path) -> None:
    path = DOC / "facts.yaml"
    edit(path, "section: russia/japan-russia-relations\n", "section: russia/nowhere\n")
    assert_error(
        content, path, line_of(path, "russia/nowhere"), "section 'russia/nowhere' not found"
    )


def test_section_parent_not_found(content: Path) -> None:
    path = SECTIONS / "004-northern-territories.md"
    edit(path, "id: russia/japan-russia-relations/", "id: russia/japan-relations/")
    assert_error(content, path, 2, "parent section 'russia/japan-relations'")


@pytest.mark.parametrize(
    "bad_id", ["Russia/Economy", "russia//economy", "russia/economy/", "russia economy", "/russia"]
)
def test_section_id_shape(content: Path, bad_id: str) -> None:
    path = SECTIONS / "004-northern-territories.md"
    edit(path, "id: russia/japan-russia-relations/northern-territories", f"id: '{bad_id}'")
    assert_error(content, path, 2, "must be lower-case slug parts")


def test_document_id_shape(content: Path) -> None:
    edit(DOC / "document.yaml", "id: bluebook-test", "id: Bluebook_Test")
    assert_error(content, DOC / "document.yaml", 1, "document id 'Bluebook_Test'")


# ---- facts ----


def test_quote_not_found(content: Path) -> None:
    path = DOC / "facts.yaml"
    edit(
        path, 'quote: "approval rating remained in the 60% range."', 'quote: "approval rating rose"'
    )
    error = assert_error(
        content, path, line_of(path, "approval rating rose"), "fact quote not found in section"
    )
    assert "russia/situation-in-russia" in error.message


def test_quote_is_searched_only_in_its_own_section(content: Path) -> None:
    path = DOC / "facts.yaml"
    edit(path, "    quote: Moscow skyline", "    quote: Northern Territories issue")
    assert_error(content, path, line_of(path, "Northern Territories issue"), "fact quote not found")


def test_quote_does_not_match_footnote_marker_text(content: Path) -> None:
    path = DOC / "facts.yaml"
    edit(path, "    quote: Moscow skyline", '    quote: "range.[^1]"')
    assert_error(content, path, line_of(path, "range.[^1]"), "fact quote not found")


@pytest.mark.parametrize(
    "bad", ['"2019-02-30"', '"2019-13"', '"19-09-05"', "2019-09-05 10:00:00", '"soon"']
)
def test_invalid_date(content: Path, bad: str) -> None:
    path = DOC / "facts.yaml"
    edit(path, 'date: "2019"', f"date: {bad}")
    assert_error(content, path, 3, "invalid date")


def test_unknown_kind(content: Path) -> None:
    path = DOC / "facts.yaml"
    edit(path, "kind: summit", "kind: sumit")
    assert_error(content, path, line_of(path, "kind: sumit"), "unknown fact kind 'sumit'")


# ---- documents and folders ----


def test_empty_document(content: Path) -> None:
    shutil.rmtree(SECTIONS)
    (DOC / "facts.yaml").unlink()
    assert_error(content, DOC / "document.yaml", 1, "document has no sections")


def test_content_folder_without_documents(content: Path) -> None:
    shutil.rmtree(DOC)
    (content / "_template").mkdir()
    (content / "README.md").write_text("notes\n", encoding="utf-8")
    assert_error(content, content, 1, "no documents found")


def test_folder_without_document_yaml(content: Path) -> None:
    (content / "stray").mkdir()
    assert_error(content, content / "stray", 1, "no document.yaml")


def test_footnote_marker_without_footnote(content: Path) -> None:
    path = SECTIONS / "004-northern-territories.md"
    edit(path, "issue.", "issue.[^7]")
    assert_error(content, path, 7, "footnote marker [^7] has no footnote")


def test_footnote_without_marker(content: Path) -> None:
    path = SECTIONS / "004-northern-territories.md"
    edit(path, "issue.\n", "issue.\n\n[^3]: An orphan footnote.\n")
    assert_error(content, path, 9, "footnote [^3] has no marker")


def test_hidden_and_underscore_files_are_skipped(content: Path) -> None:
    (SECTIONS / ".005-hidden.md").write_text("not front matter", encoding="utf-8")
    (SECTIONS / "_006-draft.md").write_text("not front matter", encoding="utf-8")
    (content / ".git").mkdir()
    (content / "_drafts").mkdir()
    (DOC / ".ingest.json").write_text("{}", encoding="utf-8")
    result = load_content(content)
    assert result.ok, [str(e) for e in result.errors]


# ---- many at once ----


def test_every_error_is_reported_in_one_run(content: Path) -> None:
    edit(DOC / "document.yaml", "edition: 2020", "edition: twenty")
    edit(SECTIONS / "003-japan-russia-relations.md", "order: 3", "order: three")
    edit(SECTIONS / "004-northern-territories.md", "issue.", "issue.[^9]")
    edit(DOC / "facts.yaml", "kind: summit", "kind: sumit")
    result = load_content(content)
    assert result.snapshot is None
    locations = [(e.path, e.line) for e in result.errors]
    assert locations == sorted(locations)
    assert set(locations) == {
        (str(DOC / "document.yaml"), 3),
        (str(DOC / "facts.yaml"), line_of(DOC / "facts.yaml", "kind: sumit")),
        (str(SECTIONS / "003-japan-russia-relations.md"), 5),
        (str(SECTIONS / "004-northern-territories.md"), 7),
    }


def test_absolute_paths_outside_working_directory(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = SECTIONS / "003-japan-russia-relations.md"
    edit(path, "order: 3", "order: three")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    error = only_error(load_content(tmp_path / "content"))
    assert error.path == str(tmp_path / path)
    assert error.line == 5


def test_missing_root_is_an_error_not_an_exception(tmp_path: Path) -> None:
    result = load_content(tmp_path / "nope")
    assert not result.ok and "does not exist" in result.errors[0].message
