"""Escaping text typed by a user before it is echoed back.

Mentions are already disabled on every message (`AllowedMentions.none()`), but an echoed
`@everyone` still *reads* like a ping and echoed Markdown can break the layout of an embed,
so user text is escaped as well; content text is left to the renderers.
"""

from __future__ import annotations

import re
from functools import lru_cache

import discord

from bot.app.render import limits

# discord.py's escapes are long regexes, and the same queries are echoed again and again:
# short texts are kept (bounded).
CACHED_TEXT = 400
# Control characters (NUL, escapes) and bidirectional overrides, which can reverse how the
# rest of a line reads; emoji joiners and other format characters are kept.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escape_user_text(text: str, limit: int | None = None) -> str:
    """Markdown and mentions neutralised; clipped *before* escaping so no escape is cut."""
    if len(text) > CACHED_TEXT:
        return _escape_user_text(text, limit)
    return _escape_cached(text, limit)


def _escape_user_text(text: str, limit: int | None) -> str:
    clean = " ".join(_UNPRINTABLE.sub("", text).split())
    if limit is not None:
        clean = limits.clip(clean, max(1, limit // 2))
    escaped = discord.utils.escape_mentions(discord.utils.escape_markdown(clean))
    return escaped if limit is None else limits.clip(escaped, limit)


def escape_content(text: str) -> str:
    """Markdown in document text shown verbatim (a stray `*` must not start italics)."""
    return discord.utils.escape_markdown(text)


_escape_cached = lru_cache(maxsize=4096)(_escape_user_text)
