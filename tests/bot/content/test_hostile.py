"""Hostile content: YAML alias bombs and paths that are not regular files are refused at
once with `path:line`, in bounded memory, instead of exhausting memory or hanging."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.content import LoadResult, Problem, load_content
from tests.support.paths import DATA, REPO

GOOD = DATA / "content" / "good"
DOC = Path("content/bluebook-test")
SECTION = DOC / "sections" / "004-northern-territories.md"
REFUSED = "YAML anchors and aliases (&name, *name) are not allowed"
# Address space for a `validate` subprocess: the good fixture needs ~150 MB (mostly shared
# libraries), expanding the full alias bomb needs gigabytes.
VALIDATE_AS_BYTES = 300 << 20


def laughs(levels: int = 9, indent: str = "") -> str:
    """A "billion laughs": each level lists the previous one nine times (9**levels values)."""
    lines = [f'{indent}a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{indent}{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(GOOD, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    return Path("content")


def only_error(result: LoadResult) -> Problem:
    assert result.snapshot is None
    assert len(result.errors) == 1, [str(e) for e in result.errors]
    return result.errors[0]


# ---- YAML anchors and aliases ----
# The in-process cases use a small bomb (9**4 values), so that a regression fails the test
# instead of exhausting the machine's memory; the full one runs in a limited subprocess below.


@pytest.mark.parametrize("name", ["document.yaml", "facts.yaml", "aliases.yaml"])
def test_alias_bomb_in_a_yaml_file_is_refused_at_its_line(content: Path, name: str) -> None:
    path = DOC / name
    (DOC / "facts.yaml").write_text("", encoding="utf-8")  # no facts left to check
    original = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(original + laughs(4), encoding="utf-8")
    error = only_error(load_content(content))
    line = len(original.splitlines()) + 1  # the first anchor
    assert str(error) == f"{path}:{line}: {REFUSED} in content"


def test_alias_bomb_in_front_matter_is_refused_at_its_file_line(content: Path) -> None:
    text = SECTION.read_text(encoding="utf-8")
    SECTION.write_text(text.replace("order: 4\n", "order: 4\n" + laughs(4), 1), encoding="utf-8")
    error = only_error(load_content(content))
    line = text.splitlines().index("order: 4") + 2
    assert (error.path, error.line) == (str(SECTION), line)
    assert error.message == f"{REFUSED} in content"


def test_a_single_alias_is_refused_where_it_is_used(content: Path) -> None:
    path = DOC / "document.yaml"
    text = path.read_text(encoding="utf-8")
    # no anchor: an alias to nothing is refused at the alias
    path.write_text(text.replace("language: en", "language: *lang"), encoding="utf-8")
    error = only_error(load_content(content))
    assert (error.path, error.line) == (str(path), text.splitlines().index("language: en") + 1)
    assert REFUSED in error.message


def test_ampersand_and_asterisk_in_values_are_plain_text(content: Path) -> None:
    path = DOC / "document.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("language: en", 'language: "en & *ru*"'), encoding="utf-8")
    result = load_content(content)
    assert result.ok and result.snapshot is not None
    assert result.snapshot.documents[0].language == "en & *ru*"


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (VALIDATE_AS_BYTES, VALIDATE_AS_BYTES))


def validate(cwd: Path) -> subprocess.CompletedProcess[str]:
    """`briefing-bot validate content` in a subprocess with its address space limited."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "validate", "content"],
        capture_output=True,
        text=True,
        timeout=120,  # a bound on a hang, not a speed assertion
        cwd=cwd,
        env=env,
        preexec_fn=_limit_address_space,
    )


def test_full_billion_laughs_is_refused_in_bounded_memory(content: Path, tmp_path: Path) -> None:
    good = validate(tmp_path)
    assert good.returncode == 0, good.stderr  # the limit leaves room for a normal run
    (DOC / "facts.yaml").write_text(laughs(9), encoding="utf-8")
    bad = validate(tmp_path)
    assert "MemoryError" not in bad.stderr and "Traceback" not in bad.stderr, bad.stderr[-2000:]
    assert bad.returncode == 1
    assert bad.stdout.splitlines() == [f"{DOC / 'facts.yaml'}:1: {REFUSED} in content"]


# ---- paths that are not regular files ----


@contextlib.contextmanager
def unblocking(fifo: Path) -> Iterator[None]:
    """Guard for the old behaviour: a reader stuck opening `fifo` gets end-of-file at once
    (so a regression fails the test rather than hanging it)."""
    done = threading.Event()

    def release() -> None:
        for _ in range(600):  # at most 30 s
            if done.wait(0.05):
                return
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # succeeds only with a reader
            except OSError:
                continue
            os.close(fd)

    thread = threading.Thread(target=release, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(timeout=5)


NOT_REGULAR = "not a regular file (a FIFO (named pipe)); content files must be plain files"


@pytest.mark.parametrize(
    "name", ["document.yaml", "facts.yaml", "aliases.yaml", "sections/004-northern-territories.md"]
)
def test_fifo_is_refused_without_opening_it(content: Path, name: str) -> None:
    path = DOC / name
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    with unblocking(path):
        result = load_content(content)
    assert f"{path}:1: {NOT_REGULAR}" in [str(e) for e in result.errors]
    assert result.snapshot is None


def test_symlink_to_a_fifo_is_refused(content: Path) -> None:
    fifo = DOC / "_pipe"  # hidden from the loader itself by its leading '_'
    os.mkfifo(fifo)
    link = DOC / "facts.yaml"
    link.unlink()
    link.symlink_to("_pipe")
    with unblocking(fifo):
        error = only_error(load_content(content))
    assert str(error) == f"{link}:1: {NOT_REGULAR}"


def test_socket_is_refused(content: Path) -> None:
    path = DOC / "sections" / "005-socket.md"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        error = only_error(load_content(content))
    assert str(error) == (
        f"{path}:1: not a regular file (a socket); content files must be plain files"
    )


def test_validate_does_not_hang_on_a_fifo(content: Path, tmp_path: Path) -> None:
    facts = DOC / "facts.yaml"
    facts.unlink()
    os.mkfifo(facts)
    result = validate(tmp_path)  # the old loader blocked here until the timeout
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"{facts}:1: {NOT_REGULAR}"]
