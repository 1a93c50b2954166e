"""YAML that a hostile file cannot blow up: anchors (&name) and aliases (*name) are refused.

Aliases let ~350 bytes stand for a billion values ("billion laughs"); anything that walks the
loaded value (the content validator, the config checker) then runs out of memory and time.
Neither content nor the config needs them, so the first anchor or alias is an error at its
line, found by a scan of the parser's events (linear, stops at the first one) before anything
is built. The content loader (bot/content/yamlpos.py) and the config loader both use this.
"""

from __future__ import annotations

from typing import Any

import yaml

Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

REFUSED = "YAML anchors and aliases (&name, *name) are not allowed"


class YamlRefused(yaml.MarkedYAMLError):
    """A YAML text this project refuses to load; `problem_mark.line` is 0-based, as in PyYAML."""


def refuse_references(text: str) -> None:
    """Raise YamlRefused at the first anchor or alias in `text` (or a YAMLError if malformed)."""
    if "&" not in text and "*" not in text:
        return  # neither can occur: skip the scan (the common case)
    loader = Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise YamlRefused(problem=REFUSED, problem_mark=event.start_mark)
    finally:
        loader.dispose()


def safe_load(text: str) -> Any:
    """`yaml.safe_load` without anchors and aliases; every failure is a `yaml.YAMLError`."""
    refuse_references(text)
    try:
        return yaml.load(text, Loader=Loader)  # Loader is a safe loader
    except RecursionError:
        # The pure-Python loader (used when libyaml is missing) recurses per nesting level.
        raise YamlRefused(problem="YAML nested too deeply") from None
