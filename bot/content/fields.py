"""Typed access to a YAML mapping that reports each bad field at its own line."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from bot.content.problems import Problems
from bot.content.yamlpos import LineDict, LineList

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, dt.date):
        return "a date"
    return type(value).__name__


def check_date(value: Any) -> str | None:
    """ISO 8601 YYYY, YYYY-MM or YYYY-MM-DD with a real calendar date, else None."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return str(value)
    if not isinstance(value, str):
        return None
    m = _DATE.match(value)
    if m is None:
        return None
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return value


class Fields:
    """Reads fields of one mapping (a document, a section's front matter, a fact)."""

    def __init__(self, data: LineDict, path: Path | str, problems: Problems, what: str) -> None:
        self.data = data
        self.path = path
        self.problems = problems
        self.what = what
        self.ok = True

    def error(self, line: int, message: str) -> None:
        self.ok = False
        self.problems.error(self.path, line, message)

    def line(self, key: str) -> int:
        return self.data.line_of(key)

    def check_keys(self, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
        allowed = (*required, *optional)
        for key in self.data:
            if key not in allowed:
                self.error(
                    self.line(key),
                    f"unknown field '{key}' in {self.what} (allowed: {', '.join(allowed)})",
                )
        for key in required:
            if key not in self.data:
                self.error(self.data.line, f"missing required field '{key}' in {self.what}")

    def string(self, key: str, default: str | None = "", coerce_int: bool = False) -> str | None:
        """The string value; `default` when absent or empty (YAML null)."""
        value = self.data.get(key)
        if value is None:
            return default
        if coerce_int and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.error(self.line(key), f"'{key}' must be a string, not {_type_name(value)}")
            return default
        return value

    def required_string(self, key: str) -> str:
        """A required non-empty string ('' after reporting when missing or wrong)."""
        if key not in self.data:
            return ""  # reported by check_keys
        value = self.string(key, None)
        if value is None:
            if self.data.get(key) is None:
                self.error(self.line(key), f"'{key}' must not be empty")
            return ""
        if not value.strip():
            self.error(self.line(key), f"'{key}' must not be empty")
        return value

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if key not in self.data:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(self.line(key), f"'{key}' must be an integer, not {_type_name(value)}")
            return None
        return value

    def string_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            self.error(self.line(key), f"'{key}' must be a list of strings, not a string")
            return ()
        if not isinstance(value, LineList):
            self.error(
                self.line(key), f"'{key}' must be a list of strings, not {_type_name(value)}"
            )
            return ()
        out: list[str] = []
        for index, item in enumerate(value):
            if isinstance(item, str):
                out.append(item)
            else:
                self.error(
                    value.line_of(index),
                    f"'{key}' item {index + 1} must be a string, not {_type_name(item)}",
                )
        return tuple(out)
