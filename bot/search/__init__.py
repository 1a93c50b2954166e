"""Search core: index, query planning, ranking, excerpts and name lookup (no Discord here)."""

from bot.search.answer import Answer, Result, Status
from bot.search.index import SearchIndex, build_index

__all__ = ["Answer", "Result", "SearchIndex", "Status", "build_index"]
