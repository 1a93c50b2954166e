"""Refuse what Discord refuses: message, embed, component and callback bodies over the limits
in `limits.py`, answered as Discord answers them (HTTP 400, code 50035, errors nested by
field path down to an `_errors` list). Hand-written: no library validates payloads against
Discord's limits, and discord.py checks only a few of them client-side.

    {"code": 50035, "message": "Invalid Form Body",
     "errors": {"embeds": {"0": {"title": {"_errors": [
         {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 256 or fewer in length."}]}}}}}
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from . import limits

Path = tuple[str | int, ...]

MAX_LENGTH = "BASE_TYPE_MAX_LENGTH"
BAD_LENGTH = "BASE_TYPE_BAD_LENGTH"
CHOICES = "BASE_TYPE_CHOICES"
EMBED_SIZE = "MAX_EMBED_SIZE_EXCEEDED"
DUPLICATED = "COMPONENT_CUSTOM_ID_DUPLICATED"

ROW, BUTTON = 1, 2
SELECTS = (3, 5, 6, 7, 8)
MESSAGE_CALLBACKS = (4, 7)  # CHANNEL_MESSAGE_WITH_SOURCE, UPDATE_MESSAGE
AUTOCOMPLETE_RESULT = 8
MODAL = 9


class FormErrors:
    """Errors collected by field path; `body()` is Discord's 400 answer."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def add(self, path: Path, code: str, message: str) -> None:
        node = self.tree
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def __bool__(self) -> bool:
        return bool(self.tree)

    def body(self) -> dict[str, Any]:
        return {"code": 50035, "message": "Invalid Form Body", "errors": self.tree}


def _too_long(errors: FormErrors, path: Path, value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        errors.add(path, MAX_LENGTH, f"Must be {limit} or fewer in length.")


def _between(errors: FormErrors, path: Path, value: Any, low: int, high: int) -> None:
    if isinstance(value, str) and not low <= len(value) <= high:
        errors.add(path, BAD_LENGTH, f"Must be between {low} and {high} in length.")


def _too_many(errors: FormErrors, path: Path, items: Any, limit: int) -> list[Any]:
    """`items` as a list (empty when not one), with an error when it holds over `limit`."""
    if not isinstance(items, list):
        return []
    if len(items) > limit:
        errors.add(path, MAX_LENGTH, f"Must be {limit} or fewer in length.")
    return items


def _dicts(items: Iterable[Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    return ((i, item) for i, item in enumerate(items) if isinstance(item, dict))


# -- messages -----------------------------------------------------------------------------


def check_message(body: Any, errors: FormErrors, at: Path = ()) -> FormErrors:
    """A message body (create or edit): only the parts present are checked."""
    if not isinstance(body, dict):
        return errors
    _too_long(errors, (*at, "content"), body.get("content"), limits.MESSAGE_CONTENT)
    embeds = _too_many(errors, (*at, "embeds"), body.get("embeds"), limits.EMBEDS_PER_MESSAGE)
    total = sum(_check_embed(errors, (*at, "embeds", i), e) for i, e in _dicts(embeds))
    if total > limits.EMBED_TOTAL:
        errors.add(
            (*at, "embeds"),
            EMBED_SIZE,
            f"Embed size exceeds maximum size of {limits.EMBED_TOTAL}",
        )
    _check_components(errors, (*at, "components"), body.get("components"))
    return errors


def _text(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def _check_embed(errors: FormErrors, at: Path, embed: dict[str, Any]) -> int:
    """Check one embed; return the characters it counts towards the 6,000 total."""
    title, description = embed.get("title"), embed.get("description")
    _too_long(errors, (*at, "title"), title, limits.EMBED_TITLE)
    _too_long(errors, (*at, "description"), description, limits.EMBED_DESCRIPTION)
    size = _text(title) + _text(description)
    fields = _too_many(errors, (*at, "fields"), embed.get("fields"), limits.EMBED_FIELDS)
    for i, field in _dicts(fields):
        name, value = field.get("name"), field.get("value")
        _too_long(errors, (*at, "fields", i, "name"), name, limits.EMBED_FIELD_NAME)
        _too_long(errors, (*at, "fields", i, "value"), value, limits.EMBED_FIELD_VALUE)
        size += _text(name) + _text(value)
    footer, author = embed.get("footer"), embed.get("author")
    if isinstance(footer, dict):
        _too_long(errors, (*at, "footer", "text"), footer.get("text"), limits.EMBED_FOOTER)
        size += _text(footer.get("text"))
    if isinstance(author, dict):
        _too_long(errors, (*at, "author", "name"), author.get("name"), limits.EMBED_AUTHOR)
        size += _text(author.get("name"))
    return size


def _check_components(errors: FormErrors, at: Path, rows: Any) -> None:
    seen: set[str] = set()
    for r, row in _dicts(_too_many(errors, at, rows, limits.ACTION_ROWS)):
        if row.get("type") != ROW:
            continue
        children = row.get("components")
        buttons = [c for _, c in _dicts(children or []) if c.get("type") == BUTTON]
        if len(buttons) > limits.BUTTONS_PER_ROW:
            errors.add(
                (*at, r, "components"),
                MAX_LENGTH,
                f"Must be {limits.BUTTONS_PER_ROW} or fewer in length.",
            )
        for c, component in _dicts(children or []):
            _check_component(errors, (*at, r, "components", c), component, seen)


def _check_component(
    errors: FormErrors, at: Path, component: dict[str, Any], seen: set[str]
) -> None:
    custom_id = component.get("custom_id")
    if isinstance(custom_id, str):
        _between(errors, (*at, "custom_id"), custom_id, 1, limits.CUSTOM_ID)
        if custom_id in seen:
            errors.add((*at, "custom_id"), DUPLICATED, "Component custom id cannot be duplicated")
        seen.add(custom_id)
    options = component.get("options")
    if component.get("type") not in SELECTS or not isinstance(options, list):
        return
    if not 1 <= len(options) <= limits.SELECT_OPTIONS:
        errors.add(
            (*at, "options"),
            BAD_LENGTH,
            f"Must be between 1 and {limits.SELECT_OPTIONS} in length.",
        )


# -- interaction callbacks ------------------------------------------------------------------


def check_callback(body: dict[str, Any]) -> FormErrors:
    """An interaction response: a known type, and its data within the limits."""
    errors = FormErrors()
    kind = body.get("type")
    if kind not in limits.CALLBACK_TYPES:
        allowed = ", ".join(str(t) for t in limits.CALLBACK_TYPES)
        errors.add(("type",), CHOICES, f"Value must be one of {{{allowed}}}.")
        return errors
    data = body.get("data")
    if kind in MESSAGE_CALLBACKS:
        check_message(data, errors, ("data",))
    elif kind == AUTOCOMPLETE_RESULT:
        _check_choices(errors, data)
    elif kind == MODAL and isinstance(data, dict):
        _between(errors, ("data", "custom_id"), data.get("custom_id"), 1, limits.CUSTOM_ID)
        _check_components(errors, ("data", "components"), data.get("components"))
    return errors


def _check_choices(errors: FormErrors, data: Any) -> None:
    if not isinstance(data, dict):
        return
    at: Path = ("data", "choices")
    choices = _too_many(errors, at, data.get("choices"), limits.AUTOCOMPLETE_CHOICES)
    for i, choice in _dicts(choices):
        _between(errors, (*at, i, "name"), choice.get("name"), 1, limits.CHOICE_NAME)
        _too_long(errors, (*at, i, "value"), choice.get("value"), limits.CHOICE_VALUE)
