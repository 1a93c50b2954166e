"""JSON for the emulator's wire: orjson when installed, else the standard library.

Encoding every gateway frame and REST answer with the stdlib encoder was the emulator's
largest single cost under bench/e2e.py (about an eighth of its CPU); orjson is roughly ten
times faster. Both produce JSON that discord.py parses identically. orjson refuses integers
beyond 64 bits and a few exotic types that the stdlib accepts, so those fall back to it:
a test that puts odd data in a payload still gets what the stdlib would have sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def _std_dumps(obj: Any) -> bytes:
    return json.dumps(obj).encode()


dumps: Callable[[Any], bytes]
loads: Callable[[str | bytes | bytearray], Any]

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency, but stay usable without it
    dumps = _std_dumps
    loads = json.loads
    LIBRARY = "stdlib"
else:
    _OPTIONS = orjson.OPT_NON_STR_KEYS

    def _orjson_dumps(obj: Any) -> bytes:
        try:
            return orjson.dumps(obj, option=_OPTIONS)
        except TypeError:  # orjson.JSONEncodeError: a >64-bit int, a set...; stdlib decides
            return _std_dumps(obj)

    dumps = _orjson_dumps
    loads = orjson.loads
    LIBRARY = "orjson"
