"""The import-linter contracts in pyproject.toml: each one holds on the code, and each one
fails when broken (checked on a copy of the code with one offending import planted)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support.paths import REPO

CONTRACTS = {
    c["name"]: c
    for c in tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"][
        "contracts"
    ]
}
# contract type -> (module file, the import that breaks it)
PLANTED = {
    "forbidden-core": ("bot/search/tokens.py", "import discord"),
    "forbidden-cogs": ("bot/app/errors.py", "import cogs.meta"),
    "independence": ("cogs/lookup/cog.py", "import cogs.meta.cog"),
    "layers": ("bot/app/errors.py", "import bot.cli.run"),
    "acyclic_siblings": ("bot/content/model.py", "import bot.content.manager"),
}


def _kind(contract: dict[str, object]) -> str:
    kind = str(contract["type"])
    if kind == "forbidden":
        return "forbidden-cogs" if contract["source_modules"] == ["bot"] else "forbidden-core"
    return kind


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    script = Path(sys.executable).parent / "lint-imports"
    return subprocess.run(
        [str(script), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_code(tmp_path: Path) -> Path:
    root = tmp_path / "code"
    ignore = shutil.ignore_patterns("__pycache__", "static")
    for package in ("bot", "cogs"):
        shutil.copytree(REPO / package, root / package, ignore=ignore)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def test_every_contract_type_has_a_planted_violation() -> None:
    assert {_kind(c) for c in CONTRACTS.values()} == set(PLANTED)


def test_the_contracts_hold(tmp_path: Path) -> None:
    result = lint(copy_code(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_a_planted_import_breaks_the_contract(tmp_path: Path, name: str) -> None:
    root = copy_code(tmp_path)
    module, line = PLANTED[_kind(CONTRACTS[name])]
    path = root / module
    path.write_text(path.read_text("utf-8") + f"\n{line}  # planted\n", "utf-8")
    result = lint(root)
    assert result.returncode != 0
    report = " ".join(result.stdout.split())  # the report wraps long names
    assert f"{name} BROKEN" in report, result.stdout
