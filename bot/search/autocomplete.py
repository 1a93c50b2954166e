"""Autocomplete choices for section titles and fact topics (Discord: <= 25, names <= 100).

Uses the same name scorer as /section, in prefix mode, so what autocomplete offers is what
the command would find. With an empty prefix it offers the most useful sections: top-level
ones and those with the most text, in document order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, cast

from bot.search.index import SearchIndex
from bot.search.lookup import best_names
from bot.search.memo import MemoPerOwner
from bot.search.names import Name, make_name
from bot.text import clip

MIN_SCORE = 0.5
# Autocomplete fires on every keystroke of every user typing the same few titles, and no reply
# cache stands in front of it: answers are kept per index and prefix (a reload builds a new
# index, and its answers go with the old one).
ANSWER_MEMO = 4096
MemoKey = tuple[str, str, int, int]  # (kind, prefix, limit, width)


@dataclass(frozen=True, slots=True)
class Choice:
    name: str  # shown to the user, at most `width` characters
    value: str  # sent back as the command's argument, at most `width` characters


def _section_choice(index: SearchIndex, si: int, width: int) -> Choice:
    entry = index.sections[si]
    section = entry.section
    parent = entry.breadcrumb.rsplit(" › ", 2)
    context = f" — {parent[-2]}" if len(parent) > 1 else ""
    name = clip(f"{section.heading}{context}", width)
    value = entry.key if len(entry.key) <= width else clip(section.title, width)
    return Choice(name, value)


def section_choices(
    index: SearchIndex, prefix: str, *, limit: int, width: int
) -> tuple[Choice, ...]:
    """Up to `limit` sections whose names start like `prefix`, name and value at most
    `width` characters (the caller passes the platform's limits)."""
    prefix = " ".join(prefix.split())[:200]
    found = _answers(index)[("section", prefix, limit, width)]
    return cast(tuple[Choice, ...], found)


def _section_choices(index: SearchIndex, prefix: str, limit: int, width: int) -> tuple[Choice, ...]:
    if not prefix:
        ranked = sorted(
            range(len(index.sections)),
            key=lambda i: (index.sections[i].section.level > 1, -index.sections[i].text_chars, i),
        )[:limit]
        return tuple(_section_choice(index, i, width) for i in sorted(ranked))
    ranked_names = best_names(index, prefix, index.name_index, prefix=True)
    out: list[Choice] = []
    seen: set[str] = set()
    for score, i in ranked_names:
        if score < MIN_SCORE or len(out) >= limit:
            break
        choice = _section_choice(index, i, width)
        if choice.value not in seen:
            seen.add(choice.value)
            out.append(choice)
    return tuple(out)


def fact_topics(index: SearchIndex) -> list[tuple[str, int]]:
    """Topics facts can be looked up by (tags, places, people), most common first."""
    counts: Counter[str] = Counter()
    for fact in index.snapshot.facts():
        for t in fact.tags:
            counts[t.replace("-", " ")] += 1
        for p in fact.participants:
            counts[p] += 1
        if fact.place:
            counts[fact.place] += 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def topic_choices(index: SearchIndex, prefix: str, *, limit: int, width: int) -> tuple[Choice, ...]:
    """Up to `limit` fact topics like `prefix`, at most `width` characters each."""
    prefix = " ".join(prefix.split())[:200]
    found = _answers(index)[("topic", prefix, limit, width)]
    return cast(tuple[Choice, ...], found)


def _topic_choices(index: SearchIndex, prefix: str, limit: int, width: int) -> tuple[Choice, ...]:
    topics, names = _topics(index)
    if not prefix:
        picked = topics[:limit]
    else:
        ranked = best_names(index, prefix, names, prefix=True)
        picked = [topics[i] for s, i in ranked if s >= MIN_SCORE][:limit]
    return tuple(Choice(clip(t, width), clip(t, width)) for t in picked)


def _topics(index: SearchIndex) -> tuple[list[str], list[tuple[Name]]]:
    """Fact topics and their names, made once per index."""
    found = _answers(index)[("topics", "", 0, 0)]
    return cast(tuple[list[str], list[tuple[Name]]], found)


def _make(index: SearchIndex, key: MemoKey) -> Any:
    kind, prefix, limit, width = key
    if kind == "section":
        return _section_choices(index, prefix, limit, width)
    if kind == "topic":
        return _topic_choices(index, prefix, limit, width)
    topics = [t for t, _ in fact_topics(index)]
    return topics, [(make_name(t),) for t in topics]


_answers: MemoPerOwner[SearchIndex, MemoKey, Any] = MemoPerOwner(ANSWER_MEMO, _make)
