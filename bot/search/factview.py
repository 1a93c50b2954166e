"""Shared by /summit, /trade and /fact: a fact as plain data, and matching facts to a topic."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.model import Fact
from bot.search import tokens as tx
from bot.search.index import SearchIndex
from bot.search.lookup import prepare, score_name
from bot.search.names import Name, make_name

MONTH_NAMES = {m: f"{i:02d}" for i, m in enumerate(tx.MONTHS, start=1)}


@dataclass(frozen=True, slots=True)
class FactView:
    id: str
    document: str
    section_id: str
    breadcrumb: str
    text: str
    quote: str
    date: str | None
    place: str | None
    participants: tuple[str, ...]
    kind: str | None
    tags: tuple[str, ...]
    figure: str | None  # "2.3459 trillion yen"


def figure_text(fact: Fact) -> str | None:
    if fact.figure is None:
        return None
    value = fact.figure.value
    shown = f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"
    unit = fact.figure.unit
    return f"{shown}{unit}" if unit == "%" else f"{shown} {unit}".strip()


def view(index: SearchIndex, fact: Fact) -> FactView:
    entry = index.entry(fact.section_key)
    return FactView(
        id=fact.id,
        document=fact.document_id,
        section_id=fact.section_id,
        breadcrumb=entry.breadcrumb if entry else fact.section_id,
        text=fact.text,
        quote=fact.quote,
        date=fact.date,
        place=fact.place,
        participants=fact.participants,
        kind=fact.kind,
        tags=fact.tags,
        figure=figure_text(fact),
    )


def fact_names(fact: Fact) -> tuple[Name, ...]:
    """Everything a fact can be found by: place, people, tags, kind, date words, its text."""
    parts = [*(fact.participants), *(t.replace("-", " ") for t in fact.tags)]
    if fact.place:
        parts.append(fact.place)
        parts.extend(p.strip() for p in fact.place.split(","))
    if fact.kind:
        parts.append(fact.kind.replace("-", " "))
    if fact.date:
        parts.append(fact.date[:4])
        if len(fact.date) >= 7:
            month = tx.MONTHS[int(fact.date[5:7]) - 1]
            parts.append(month)
            parts.append(f"{month} {fact.date[:4]}")
    names = [make_name(p) for p in parts if p]
    names.append(make_name(fact.text))
    return tuple(names)


def topic_score(index: SearchIndex, query: str, fact: Fact) -> float:
    """How well `query` names this fact: whole-name matches first, then its text's words."""
    q = prepare(index, query)
    if not q.terms:
        return 0.0
    names = fact_names(fact)
    qs = set(q.terms)
    # every query word found somewhere among the fact's names, text included
    everything: set[str] = set()
    for n in names:
        everything |= n.terms
    best = max(score_name(q, n) for n in names[:-1]) if len(names) > 1 else 0.0
    covered = len(qs & everything) / len(qs)
    return max(best if best >= 0.75 else 0.0, 0.7 * covered if covered == 1.0 else 0.0)
