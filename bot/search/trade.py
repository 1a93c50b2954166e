"""/trade: trade, investment and economy figures, each with the passage it comes from."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.model import Fact
from bot.search import tokens as tx
from bot.search.answer import Status
from bot.search.excerpt import build_excerpt
from bot.search.factview import FactView, topic_score, view
from bot.search.index import SearchIndex
from bot.search.query import MAX_QUERY_CHARS, NOT_ENGLISH, ignored_note, too_long, unsearchable

TRADE_TAGS = frozenset({"trade", "investment", "economy"})
MATCH = 0.6
MAX_FIGURES = 10


@dataclass(frozen=True, slots=True)
class TradeFigure:
    fact: FactView
    excerpt: str  # the sentences of the section around the fact's quote (Markdown)


@dataclass(frozen=True, slots=True)
class TradeAnswer:
    query: str
    status: Status
    figures: tuple[TradeFigure, ...]  # facts with a figure first, then by date
    message: str = ""  # why nothing or an error; for `ignored`, that the query was not used
    ignored: bool = False  # the query had no word to filter by ("the of", "!!!"): all figures


def quote_excerpt(index: SearchIndex, fact: Fact) -> str:
    """The sentences around a fact's quote, the figure in bold."""
    entry = index.entry(fact.section_key)
    if entry is None:
        return fact.quote
    quote = " ".join(fact.quote.split())
    passage = next(
        (p for p in entry.section.text.split("\n\n") if quote in " ".join(p.split())),
        fact.quote,
    )
    words = [t for t in tx.terms(quote) if t not in tx.STOP_TERMS]
    concepts = [[((t,), 1.0)] for t in words]
    figure = set()
    if fact.figure is not None:
        figure = {tx.normalize_number(f"{fact.figure.value:g}")}
    return build_excerpt(" ".join(passage.split()), concepts, figure, target=500)


def trade_figures(index: SearchIndex, query: str = "") -> TradeAnswer:
    q = " ".join(query.split())
    if len(q) > MAX_QUERY_CHARS:
        return TradeAnswer(q, "error", (), too_long(len(q)))
    problem = unsearchable(q) if q else ""
    if problem == NOT_ENGLISH:
        return TradeAnswer(q, "error", (), problem)
    facts = [f for f in index.snapshot.facts() if TRADE_TAGS & set(f.tags)]
    if q and not problem:
        facts = [f for f in facts if topic_score(index, q, f) >= MATCH]
    facts.sort(key=lambda f: (f.figure is None, f.date or "9999", f.document_id, f.id))
    figures = tuple(TradeFigure(view(index, f), quote_excerpt(index, f)) for f in facts)
    if not figures:
        return TradeAnswer(q, "none", (), "No trade or economy figures found.")
    if problem:  # nothing of the query was used: say so rather than seem to have filtered
        note = ignored_note(q, "all figures")
        return TradeAnswer(q, "ok", figures[:MAX_FIGURES], note, ignored=True)
    return TradeAnswer(q, "ok", figures[:MAX_FIGURES])
