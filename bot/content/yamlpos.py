"""YAML loading that remembers the line of every key and list item.

Plain `yaml.safe_load` forgets where things were, so a validator built on it can only say
*what* is wrong. Here mappings and lists carry their lines, taken from the composed nodes'
`start_mark`. Section front matter is almost always a handful of `key: value` lines, and
at 50,000 sections the full YAML machinery dominates load time, so such simple text is read
by a small exact parser first (it gives up, falling back to YAML, on anything it is not sure
of; tests check it agrees with YAML).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from bot.yamlsafe import Loader as _Loader
from bot.yamlsafe import YamlRefused, refuse_references

_MAX_DEPTH = 64


class LineDict(dict[Any, Any]):
    """A mapping that knows its own line and the line of each key (1-based file lines)."""

    __slots__ = ("key_lines", "line")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A list that knows its own line and the line of each item."""

    __slots__ = ("item_lines", "line")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class YamlSyntaxError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load_yaml(text: str, first_line: int = 1) -> tuple[Any, list[tuple[int, str]]]:
    """Parse one YAML document; return its value and non-fatal issues (duplicate keys).

    `first_line` is the file line of the text's first line (front matter starts at 2).
    Raises YamlSyntaxError with the file line of the YAML error mark, also for anchors and
    aliases (refused: see bot/yamlsafe.py), and for a text too deeply nested.
    """
    fast = _fast_mapping(text, first_line)
    if fast is not None:
        return fast, []  # the fast path never accepts '&' or '*' at the start of a value
    try:
        refuse_references(text)
    except YamlRefused as exc:
        line = exc.problem_mark.line + first_line if exc.problem_mark else first_line
        raise YamlSyntaxError(line, f"{exc.problem} in content") from None
    except yaml.YAMLError:
        pass  # malformed: the full parse below reports it with its usual message
    loader = _Loader(text)
    issues: list[tuple[int, str]] = []
    try:
        node = loader.get_single_node()
        if node is None:
            return None, issues
        return _convert(loader, node, issues, first_line, 0), issues
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark is not None else first_line
        message = exc.problem or exc.context or "invalid YAML"
        raise YamlSyntaxError(line, f"YAML syntax error: {message}") from None
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid YAML"
        raise YamlSyntaxError(first_line, f"YAML syntax error: {first}") from None
    except RecursionError:  # the pure-Python parser, when libyaml is missing
        raise YamlSyntaxError(first_line, "YAML nested too deeply") from None
    finally:
        loader.dispose()


def _convert(loader: Any, node: Any, issues: list[tuple[int, str]], base: int, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise YamlSyntaxError(node.start_mark.line + base, "YAML nested too deeply")
    if isinstance(node, yaml.MappingNode):
        out = LineDict(node.start_mark.line + base)
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + base
            if not isinstance(key_node, yaml.ScalarNode):
                issues.append((key_line, "a key must be a plain value"))
                continue
            key = loader.construct_object(key_node)
            if key in out:
                issues.append((key_line, f"duplicate key '{key}'"))
            out[key] = _convert(loader, value_node, issues, base, depth + 1)
            out.key_lines[key] = key_line
        return out
    if isinstance(node, yaml.SequenceNode):
        items = LineList(node.start_mark.line + base)
        for item in node.value:
            items.append(_convert(loader, item, issues, base, depth + 1))
            items.item_lines.append(item.start_mark.line + base)
        return items
    return loader.construct_object(node)


# ---- the fast path: `key: value` lines with values whose YAML meaning is unambiguous ----

_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?$")
_DOUBLE = re.compile(r'"([^"\\]*)"$')
_SINGLE = re.compile(r"'((?:[^']|'')*)'$")
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)$")
_PLAIN = re.compile(r"[A-Za-z(][^\t]*$")
_FLOW_ITEM = re.compile(r"[A-Za-z][^,\[\]{}#:\"'\t]*$")
# Characters outside this set (control characters, NEL, line/paragraph separators, ...) get
# special treatment in YAML, so text holding them takes the full parser.
_UNUSUAL = re.compile(r"[^\x20-\x7e\n\u00a0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPECIAL_WORDS = frozenset(
    word
    for base in ("yes", "no", "true", "false", "on", "off", "null")
    for word in (base, base.capitalize(), base.upper())
)


def _plain(value: str, pattern: re.Pattern[str]) -> bool:
    return (
        pattern.match(value) is not None
        and value not in _SPECIAL_WORDS
        and ": " not in value
        and " #" not in value
        and not value.endswith(":")
    )


def _fast_value(raw: str | None) -> tuple[bool, Any]:
    if raw is None:
        return True, None
    value = raw.rstrip(" ")
    if not value:
        return True, None
    first = value[0]
    if first == '"':
        m = _DOUBLE.match(value)
        return (True, m.group(1)) if m else (False, None)
    if first == "'":
        m = _SINGLE.match(value)
        return (True, m.group(1).replace("''", "'")) if m else (False, None)
    if first == "[":
        if not value.endswith("]"):
            return False, None
        inner = value[1:-1].strip(" ")
        if not inner:
            return True, []
        items = [item.strip(" ") for item in inner.split(",")]
        if all(_plain(item, _FLOW_ITEM) for item in items):
            return True, items
        return False, None
    if _INT.match(value):
        return True, int(value)
    if _plain(value, _PLAIN):
        return True, value
    return False, None


def _fast_mapping(text: str, first_line: int) -> LineDict | None:
    if _UNUSUAL.search(text):
        return None
    out = LineDict(first_line)
    for index, line in enumerate(text.split("\n")):
        if not line.strip(" ") or line.startswith("#"):
            continue
        m = _KEY_LINE.match(line)
        if m is None:
            return None
        key = m.group(1)
        if key in out or key in _SPECIAL_WORDS:
            return None
        ok, value = _fast_value(m.group(2))
        if not ok:
            return None
        line_no = first_line + index
        if isinstance(value, list):
            items = LineList(line_no)
            items.extend(value)
            items.item_lines.extend([line_no] * len(value))
            value = items
        out[key] = value
        out.key_lines[key] = line_no
    if not out:
        return None
    if out.key_lines:
        out.line = min(out.key_lines.values())
    return out
