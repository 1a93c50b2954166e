"""discord.py's own zlib-stream decompression context, for forcing zlib-stream on a client.

discord.py only defines this class when `zstandard` is not importable; with it installed the
client always asks for zstd-stream. The gateway test and the e2e benchmark swap this in to
exercise (or measure) the zlib-stream path in the same environment.
"""

from __future__ import annotations

import zlib


class ZlibStreamContext:
    COMPRESSION_TYPE = "zlib-stream"

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.context = zlib.decompressobj()

    def decompress(self, data: bytes, /) -> str | None:
        self.buffer.extend(data)
        if len(data) < 4 or data[-4:] != b"\x00\x00\xff\xff":
            return None
        msg = self.context.decompress(self.buffer)
        self.buffer = bytearray()
        return msg.decode("utf-8")
