"""/summit: the timeline of meetings and visits, optionally filtered by place, person or date."""

from __future__ import annotations

from dataclasses import dataclass

from bot.search import tokens as tx
from bot.search.answer import Status
from bot.search.factview import MONTH_NAMES, FactView, topic_score, view
from bot.search.index import SearchIndex
from bot.search.query import MAX_QUERY_CHARS, NOT_ENGLISH, ignored_note, too_long, unsearchable

MATCH = 0.6
MAX_EVENTS = 25


@dataclass(frozen=True, slots=True)
class Timeline:
    query: str
    status: Status  # ok (events listed), none (no event matches), error
    events: tuple[FactView, ...]  # sorted by date, undated last
    message: str = ""  # why nothing or an error; for `ignored`, that the query was not used
    total: int = 0  # matching events before the MAX_EVENTS cut
    ignored: bool = False  # the query had no word to filter by ("the of", "!!!"): all events


def _date_filter(query: str) -> tuple[str | None, str | None, str]:
    """Pull a year and a month out of the query; return what is left for the topic match."""
    year = month = None
    rest: list[str] = []
    for raw, _, _ in tx.tokens(query):
        word = tx.normalize_word(raw)
        if tx.is_year(word):
            year = word
            continue
        name = tx.MONTH_FORMS.get(word, word)
        if name in MONTH_NAMES:
            month = MONTH_NAMES[name]
            continue
        rest.append(raw)
    return year, month, " ".join(rest)


def summit_timeline(index: SearchIndex, query: str = "") -> Timeline:
    q = " ".join(query.split())
    if len(q) > MAX_QUERY_CHARS:
        return Timeline(q, "error", (), too_long(len(q)))
    problem = unsearchable(q) if q else ""
    if problem == NOT_ENGLISH:
        return Timeline(q, "error", (), problem)
    events = [f for f in index.snapshot.facts() if f.is_event]
    year, month, rest = _date_filter(q)
    topical = any(_searchable(r) for r, _, _ in tx.tokens(rest))
    matched = []
    for fact in events:
        date = fact.date or ""
        if year and not date.startswith(year):
            continue
        if month and date[5:7] != month:
            continue
        if topical and topic_score(index, rest, fact) < MATCH:
            continue
        matched.append(fact)
    matched.sort(key=lambda f: (f.date is None, f.date or "", f.document_id, f.id))
    views = tuple(view(index, f) for f in matched[:MAX_EVENTS])
    if not views:
        what = f" matching '{q}'" if q else ""
        return Timeline(q, "none", (), f"No meetings or visits{what} in the loaded documents.")
    if problem:  # nothing of the query was used: say so rather than seem to have filtered
        note = ignored_note(q, "all meetings and visits")
        return Timeline(q, "ok", views, note, len(matched), ignored=True)
    return Timeline(q, "ok", views, total=len(matched))


def _searchable(raw: str) -> bool:
    """A word the topic match can use (another script folds to "", and stop words go)."""
    word = tx.normalize_word(raw)
    return bool(word) and not tx.is_stop(word)
