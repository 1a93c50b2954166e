"""Problems found in content, each pinned to a file and line so an editor can jump to it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def display_path(path: Path | str) -> str:
    """Relative to the working directory when below it, so output is short and clickable."""
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


@dataclass
class Problems:
    """Collects every problem of a load; paths are rendered only when a problem occurs."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(self, path: Path | str, line: int, message: str) -> None:
        self.errors.append(Problem(display_path(path), max(line, 1), message))

    def warning(self, path: Path | str, line: int, message: str) -> None:
        self.warnings.append(Problem(display_path(path), max(line, 1), message, "warning"))
