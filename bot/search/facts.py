"""/fact: a fact about a topic, or a random one (the random source is injected for tests)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.search.answer import Status
from bot.search.factview import FactView, topic_score, view
from bot.search.index import SearchIndex
from bot.search.query import MAX_QUERY_CHARS, too_long, unsearchable

MATCH = 0.6
MAX_ALTERNATIVES = 5


@dataclass(frozen=True, slots=True)
class FactAnswer:
    query: str
    status: Status  # ok, none or error
    fact: FactView | None
    alternatives: tuple[FactView, ...] = ()  # other facts on the same topic, best first
    message: str = ""


def fact_lookup(
    index: SearchIndex, topic: str = "", rng: random.Random | None = None
) -> FactAnswer:
    """The best fact for `topic`; with no topic, one at random from `rng`."""
    q = " ".join(topic.split())
    if len(q) > MAX_QUERY_CHARS:
        return FactAnswer(q, "error", None, message=too_long(len(q), "topic"))
    problem = unsearchable(q) if q else ""
    if problem:  # one fact about a topic: a topic without words cannot pick one
        return FactAnswer(q, "error", None, message=problem)
    facts = sorted(index.snapshot.facts(), key=lambda f: (f.document_id, f.id))
    if not facts:
        return FactAnswer(q, "none", None, message="No facts are loaded.")
    if not q:
        pick = (rng or random.Random()).choice(facts)
        return FactAnswer(q, "ok", view(index, pick))
    scored = [(topic_score(index, q, f), f) for f in facts]
    good = sorted(((s, f) for s, f in scored if s >= MATCH), key=lambda x: -x[0])
    if not good:
        return FactAnswer(q, "none", None, message=f"No fact about '{q}'.")
    best = good[0][0]
    top = [f for s, f in good if s >= best - 1e-9]
    first = (rng or random.Random()).choice(top) if rng is not None and len(top) > 1 else top[0]
    rest = tuple(view(index, f) for _, f in good if f is not first)[:MAX_ALTERNATIVES]
    return FactAnswer(q, "ok", view(index, first), rest)
