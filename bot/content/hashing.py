"""The content hash, computed without starving the event loop.

It is byte for byte the digest of `bot.model.content_hash` (the same JSON of every
document head, section and fact, each followed by a NUL byte); only the way the bytes
reach sha256 differs. `hashlib` releases the GIL for every update of 2 KiB or more, and a
worker thread that drops and retakes the GIL every few microseconds starves the event
loop: each switch resets the loop thread's 5 ms wait for the GIL, so its "drop it now"
request is never made, and the worker, already running, wins the race back. Measured on
50,000 sections: event-loop stalls of 100–360 ms while hashing. So the JSON is buffered
and hashed in 1 MiB blocks: between blocks the worker runs plain bytecode, which the
interpreter preempts every switch interval, and each block leaves the GIL free for long
enough (about a millisecond) that the waiting loop thread takes it.
"""

from __future__ import annotations

import hashlib
import json

from bot.model import Document, _jsonable

BLOCK_BYTES = 1 << 20
_HEAD_SKIP = frozenset({"sections", "facts", "source_path", "_by_id"})
# json.dumps with these options builds this encoder on every call; build it once.
_encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode


def content_hash(documents: tuple[Document, ...]) -> str:
    """The same digest as `bot.model.content_hash(documents)`."""
    digest = hashlib.sha256()
    pending: list[bytes] = []
    size = 0
    for doc in documents:
        head = {
            name: getattr(doc, name) for name in doc.__dataclass_fields__ if name not in _HEAD_SKIP
        }
        for item in (head, *doc.sections, *doc.facts):
            data = item if isinstance(item, dict) else _jsonable(item)
            piece = _encode(data).encode("utf-8")
            pending.append(piece)
            pending.append(b"\x00")
            size += len(piece) + 1
            if size >= BLOCK_BYTES:
                digest.update(b"".join(pending))
                pending.clear()
                size = 0
    digest.update(b"".join(pending))
    return digest.hexdigest()
