"""`briefing-bot validate`: output lines, summary and exit codes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.support.paths import DATA

GOOD = DATA / "content" / "good"


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(GOOD, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    return Path("content")


def test_ok_summary(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "content"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    assert out[0].startswith("ok: 1 document, 4 sections, 4 facts, content hash ")
    assert len(out[0].rsplit(" ", 1)[1]) == 12


def test_default_folder_is_content(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.startswith("ok: 1 document")


def test_folder_from_config(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.move(str(content), str(tmp_path / "elsewhere"))
    config = tmp_path / "config.yaml"
    config.write_text("content:\n  path: elsewhere\n", encoding="utf-8")
    assert main(["validate", "--config", str(config)]) == 0
    assert capsys.readouterr().out.startswith("ok: 1 document")


def test_errors_then_warnings_exit_1(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sections = content / "bluebook-test" / "sections"
    (sections / "005-empty.md").write_text(
        "---\nid: russia/empty\ntitle: Empty\norder: 5\n---\n", encoding="utf-8"
    )
    path = sections / "003-japan-russia-relations.md"
    path.write_text(path.read_text().replace("order: 3", "order: three"), encoding="utf-8")
    doc = content / "bluebook-test" / "document.yaml"
    doc.write_text(doc.read_text().replace("edition: 2020", "edition: x"), encoding="utf-8")
    assert main(["validate", "content"]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "content/bluebook-test/document.yaml:3: 'edition' must be an integer, not a string",
        "content/bluebook-test/sections/003-japan-russia-relations.md:5: "
        "'order' must be an integer, not a string",
        "content/bluebook-test/sections/005-empty.md:2: warning: "
        "section 'russia/empty' has neither text nor children",
    ]
    assert "2 errors, 1 warning" in captured.err


def test_warnings_only_exit_0(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (content / "bluebook-test" / "sections" / "005-empty.md").write_text(
        "---\nid: russia/empty\ntitle: Empty\norder: 5\n---\n", encoding="utf-8"
    )
    assert main(["validate", "content"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("content/bluebook-test/sections/005-empty.md:2: warning: ")
    assert lines[1].startswith("ok: 1 document, 5 sections")


def test_missing_folder_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nope")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "not found" in lines[0] and "nope" in lines[0]


def test_subprocess(content: Path, tmp_path: Path) -> None:
    env_cmd = [sys.executable, "-m", "bot", "validate", "content"]
    good = subprocess.run(env_cmd, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith("ok: 1 document, 4 sections, 4 facts, content hash ")
    path = content / "bluebook-test" / "sections" / "004-northern-territories.md"
    path.write_bytes(path.read_bytes().replace(b"greatest", b"gr\xff"))
    bad = subprocess.run(env_cmd, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stdout.startswith(
        "content/bluebook-test/sections/004-northern-territories.md:7: file is not UTF-8"
    )
    assert "Traceback" not in bad.stderr
