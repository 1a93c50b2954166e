"""pydantic's validation errors as the config's own lines: `<dotted.key>: <message>`.

Operators read these, so no pydantic URLs, error codes or type dumps: each error type we can
meet in a YAML mapping gets a sentence, our validators' ValueErrors keep their own text.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

_EXPECTED = {
    "bool_type": "true or false",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "string_type": "a string",
}


def dotted(loc: tuple[int | str, ...]) -> str:
    """('admin', 'owner_ids', 0) -> 'admin.owner_ids[0]'; () -> 'config'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "config"


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class that validates the mapping at `loc`, when there is one."""
    for part in loc:
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field is not None else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model


def known_keys(model: type[BaseModel]) -> list[str]:
    """The keys a config file may use: fields that are not marked excluded (the token)."""
    return sorted(name for name, f in model.model_fields.items() if not f.exclude)


def _message(error: ErrorDetails, root: type[BaseModel]) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        model = _model_at(root, error["loc"][:-1])
        known = f" (known: {', '.join(known_keys(model))})" if model is not None else ""
        return f"unknown key{known}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {value!r}"
    if kind == "list_type":
        return f"expected a list, got {type(value).__name__}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping, got {type(value).__name__}"
    if kind == "value_error":
        return str((error.get("ctx") or {}).get("error", error["msg"]))
    return str(error["msg"])


def problems_of(exc: ValidationError, root: type[BaseModel]) -> list[str]:
    """One `<dotted.key>: <message>` line per error, in the order pydantic found them."""
    lines: list[str] = []
    for error in exc.errors(include_url=False):
        loc: Any = error["loc"]
        lines.append(f"{dotted(tuple(loc))}: {_message(error, root)}")
    return list(dict.fromkeys(lines))
