"""`briefing-bot ingest`: determinism, protection of hand edits, and clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.support.paths import REPO, SEED

SMALL = "Diplomatic Bluebook 2020\n\n1 Russia\n\n(1) One\n\nText one.\n\n(2) Two\n\nText two.\n"


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def ingest(raw: Path, out: Path, *extra: str) -> int:
    return main(["ingest", str(raw), "--out", str(out), *extra])


def test_ingest_twice_gives_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "doc", tmp_path / "b" / "doc"
    assert ingest(SEED, first) == 0
    assert ingest(SEED, second) == 0
    assert files(first) == files(second)
    # Re-running into the same untouched folder is allowed and changes nothing.
    before = files(first)
    assert ingest(SEED, first) == 0
    assert files(first) == before


def test_folder_layout_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "my-doc"
    assert ingest(SEED, out, "--source-url", "https://example.org/x") == 0
    assert (out / "facts.yaml").read_text() == "facts: []\n"
    doc_yaml = (out / "document.yaml").read_text()
    assert doc_yaml.startswith("id: my-doc\ntitle: Diplomatic Bluebook 2020\nedition: 2020\n")
    assert "source_url: https://example.org/x\nlanguage: en\n" in doc_yaml
    manifest = json.loads((out / ".ingest.json").read_text())
    written = sorted(p for p in files(out) if p not in ("facts.yaml", ".ingest.json"))
    assert sorted(manifest["files"]) == written
    assert written[1] == "sections/001-russia.md"
    assert len(written) == 13


def test_id_option_overrides_folder_name(tmp_path: Path) -> None:
    assert ingest(SEED, tmp_path / "folder", "--id", "other-id") == 0
    assert (tmp_path / "folder" / "document.yaml").read_text().startswith("id: other-id\n")


def test_existing_facts_are_never_touched(tmp_path: Path) -> None:
    out = tmp_path / "doc"
    out.mkdir()
    (out / "facts.yaml").write_text("facts:\n  - id: curated\n")
    assert ingest(SEED, out) == 0
    assert ingest(SEED, out, "--force") == 0
    assert (out / "facts.yaml").read_text() == "facts:\n  - id: curated\n"
    assert "facts.yaml" not in json.loads((out / ".ingest.json").read_text())["files"]


def test_hand_edited_file_is_protected_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "doc"
    assert ingest(SEED, out) == 0
    edited = out / "sections" / "001-russia.md"
    edited.write_text(edited.read_text() + "My own note.\n")
    capsys.readouterr()
    assert ingest(SEED, out) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "001-russia.md was edited by hand; use --force" in err
    assert "My own note." in edited.read_text()
    assert ingest(SEED, out, "--force") == 0
    assert "My own note." not in edited.read_text()


def test_non_empty_folder_without_manifest_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "doc"
    (out / "sections").mkdir(parents=True)
    (out / "sections" / "001-mine.md").write_text("mine\n")
    assert ingest(SEED, out) == 1
    assert "has no .ingest.json" in capsys.readouterr().err
    assert ingest(SEED, out, "--force") == 0
    # --force overwrites but removes only files ingest itself recorded.
    assert (out / "sections" / "001-mine.md").read_text() == "mine\n"


def test_file_added_by_hand_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "doc"
    assert ingest(SEED, out) == 0
    (out / "sections" / "099-extra.md").write_text("extra\n")
    assert ingest(SEED, out) == 1
    assert "099-extra.md was not written by ingest" in capsys.readouterr().err


def test_stale_sections_from_a_previous_ingest_are_removed(tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "doc"
    assert ingest(raw, out) == 0
    assert (out / "sections" / "003-two.md").exists()
    raw.write_text(SMALL.replace("(2) Two\n\nText two.\n", ""), encoding="utf-8")
    assert ingest(raw, out) == 0
    assert sorted(p.name for p in (out / "sections").iterdir()) == ["001-russia.md", "002-one.md"]
    assert "sections/003-two.md" not in json.loads((out / ".ingest.json").read_text())["files"]


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (None, 2, "no such file"),
        (b"Diplomatic Bluebook 2020\n\n1 R\xe9sum\xe9\n", 2, "not UTF-8"),
        (b"Diplomatic Bluebook 2020\n\nOnly a paragraph.\n", 1, "no headings found"),
        (b"Diplomatic Bluebook\n\n1 Russia\n\nText.\n", 1, "no edition year"),
    ],
)
def test_bad_input_gives_one_clear_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    code: int,
    message: str,
) -> None:
    raw = tmp_path / "raw.txt"
    if content is not None:
        raw.write_bytes(content)
    assert ingest(raw, tmp_path / "doc") == code
    err = capsys.readouterr().err
    assert message in err
    assert err.startswith("briefing-bot ingest: ") and err.count("\n") == 1
    assert not (tmp_path / "doc" / "document.yaml").exists()


def test_invalid_document_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ingest(SEED, tmp_path / "Bad_Name") == 2
    assert "invalid document id 'Bad_Name'" in capsys.readouterr().err


def test_config_option_is_accepted_and_ignored(tmp_path: Path) -> None:
    assert ingest(SEED, tmp_path / "doc", "--config", str(tmp_path / "none.yaml")) == 0


def test_command_line_entry_point_has_no_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "ingest", str(tmp_path / "missing.txt"), "--out", "x"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "missing.txt: no such file" in proc.stderr


def test_long_titles_give_short_file_names_but_full_ids(tmp_path: Path) -> None:
    title = "Cooperation " + "and Partnership " * 5 + "in Many Fields"
    raw = tmp_path / "raw.txt"
    raw.write_text(f"Diplomatic Bluebook 2020\n\n1 {title}\n\nText.\n", encoding="utf-8")
    out = tmp_path / "doc"
    assert ingest(raw, out) == 0
    (path,) = (out / "sections").iterdir()
    assert len(path.name) <= len("001-.md") + 80
    assert f"id: {title.lower().replace(' ', '-')}\n" in path.read_text()


# ---- ingest writes only inside --out ----


def test_symlinked_sections_folder_is_refused_even_with_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, elsewhere = tmp_path / "doc", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "sections").symlink_to(elsewhere)
    for extra in ((), ("--force",)):
        assert ingest(SEED, out, *extra) == 1
        err = capsys.readouterr().err
        assert err == (
            f"briefing-bot ingest: {out / 'sections'} is a symlink; ingest writes only inside "
            f"{out} and follows no links there (remove it; --force does not override this)\n"
        )
        assert list(elsewhere.iterdir()) == []  # nothing written outside
        assert sorted(p.name for p in out.iterdir()) == ["sections"]  # nor inside


def test_planted_temporary_symlink_cannot_overwrite_a_file_outside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, secret = tmp_path / "doc", tmp_path / "secret.txt"
    assert ingest(SEED, out) == 0
    secret.write_text("keep me\n")
    planted = out / "sections" / ".001-russia.md.tmp"
    planted.symlink_to(secret)
    assert ingest(SEED, out, "--force") == 1
    assert f"{planted} is a symlink" in capsys.readouterr().err
    assert secret.read_text() == "keep me\n"


def test_out_itself_may_be_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "doc").symlink_to(real)
    assert ingest(SEED, tmp_path / "doc") == 0
    assert (real / "document.yaml").read_text().startswith("id: real\n")  # the resolved name
