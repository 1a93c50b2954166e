"""Search core: the index, query planning, ranking, excerpts and name lookup (no Discord here).

    index = build_index(snapshot)              # pure; may run in a worker thread
    answer(index, "search", "lng sakhalin")    # -> Answer (status, results, message)

The other commands (/summit, /trade, /fact) and autocomplete are in `bot.search.ask` and
`bot.search.autocomplete`; docs/search.md describes what each returns.
"""

from bot.search.answer import Answer, Result, Status
from bot.search.ask import answer
from bot.search.build import build_index
from bot.search.index import SearchIndex

__all__ = ["Answer", "Result", "SearchIndex", "Status", "answer", "build_index"]
