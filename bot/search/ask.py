"""The logic of the slash commands as pure functions over a SearchIndex (no Discord here).

See docs/search.md for the dataclasses each function returns.
"""

from __future__ import annotations

from bot.search.answer import Answer
from bot.search.facts import FactAnswer, fact_lookup
from bot.search.fulltext import search
from bot.search.index import SearchIndex
from bot.search.section import find_section
from bot.search.summit import Timeline, summit_timeline
from bot.search.trade import TradeAnswer, trade_figures

TEXT_COMMANDS = ("search", "section")


def answer(index: SearchIndex, command: str, query: str) -> Answer:
    """Run /search or /section; the evaluation and `ask` go through here like the cog does."""
    if command == "section":
        return find_section(index, query)
    return search(index, query)


__all__ = [
    "TEXT_COMMANDS",
    "Answer",
    "FactAnswer",
    "Timeline",
    "TradeAnswer",
    "answer",
    "fact_lookup",
    "find_section",
    "search",
    "summit_timeline",
    "trade_figures",
]
