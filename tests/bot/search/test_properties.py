"""Properties of the query path over any text a user can type (hypothesis).

Whatever the query (any Unicode, control characters, emoji, right-to-left text, Markdown and
mentions, very long words, far over the 300-character limit), every command returns a
well-formed answer and never raises. Examples: 200 per property, the same on every run (the
`ci` profile of tests/support/properties.py); for more, run locally with
`HYPOTHESIS_PROFILE=thorough pytest -q tests/bot/search/test_properties.py`.
"""

from __future__ import annotations

import math
import random

from hypothesis import event, example, given
from hypothesis import strategies as st

from bot.search.answer import MAX_RESULTS, MAX_SUGGESTIONS, Answer
from bot.search.ask import (
    TEXT_COMMANDS,
    answer,
    fact_lookup,
    find_section,
    search,
    summit_timeline,
    trade_figures,
)
from bot.search.autocomplete import section_choices, topic_choices
from bot.search.excerpt import MAX_EXCERPT
from bot.search.facts import MAX_ALTERNATIVES
from bot.search.query import MAX_QUERY_CHARS, QueryError, check_query
from bot.search.summit import MAX_EVENTS
from bot.search.trade import MAX_FIGURES, TRADE_TAGS
from tests.support.properties import INDEX, MAX_OPTION, QUERIES, SEEDS

STATUSES = {"ok", "choices", "none", "error"}
CHOICES = {"limit": 25, "width": 100}  # Discord's autocomplete limits


def _typed(query: str) -> str:
    return " ".join(query.split())


def _check_text_answer(ans: Answer, query: str, command: str) -> None:
    assert ans.command == command
    assert ans.status in STATUSES
    refused: str | None = None
    try:
        check_query(query)
    except QueryError as exc:
        refused = str(exc)
    # the query check alone decides what is an error, with its message
    assert (ans.status == "error") == (refused is not None)
    if refused is not None:
        assert (ans.message, ans.results, ans.suggestions) == (refused, (), ())
        if len(_typed(query)) > MAX_QUERY_CHARS:
            assert "too long" in ans.message
        return
    if ans.status == "none":
        assert ans.message and not ans.results
        assert len(ans.suggestions) <= MAX_SUGGESTIONS
        return
    assert 1 <= len(ans.results) <= MAX_RESULTS
    keys = [r.key for r in ans.results]
    assert len(set(keys)) == len(keys)
    for r in ans.results:
        assert INDEX.section_idx(r.key) is not None
        assert r.title and r.breadcrumb.endswith(r.title)
        assert len(r.excerpt) <= MAX_EXCERPT
        assert r.excerpt.count("**") % 2 == 0  # bold opened is bold closed
        assert math.isfinite(r.score)


@given(query=QUERIES, command=st.sampled_from(TEXT_COMMANDS))
@example(query="北方領土", command="search")
@example(query="🇯🇵🇷🇺🔥", command="section")
@example(query="@everyone " + "x" * MAX_OPTION, command="search")
@example(query="", command="section")
def test_search_and_section_answer_anything(query: str, command: str) -> None:
    ans = answer(INDEX, command, query)
    event(f"{command}: {ans.status}")  # --hypothesis-show-statistics: how answers spread
    _check_text_answer(ans, query, command)
    direct = search(INDEX, query) if command == "search" else find_section(INDEX, query)
    assert direct == ans  # `answer` is the command, and a second run (memos warm) agrees
    if command == "search" and ans.results:
        scores = [r.score for r in ans.results]
        assert scores == sorted(scores, reverse=True)


@given(query=QUERIES)
@example(query="the of")
@example(query="!!!")
@example(query="北方領土 2019")
@example(query="x" * (MAX_QUERY_CHARS + 1))
def test_summit_answers_anything(query: str) -> None:
    t = summit_timeline(INDEX, query)
    event(f"summit: {t.status}{' (ignored)' if t.ignored else ''}")
    assert t.status in {"ok", "none", "error"}
    assert t.query == _typed(query)
    if len(t.query) > MAX_QUERY_CHARS:
        assert t.status == "error" and "too long" in t.message
    if t.status != "ok":
        assert t.message and not t.events and not t.ignored
        return
    assert 1 <= len(t.events) <= MAX_EVENTS and t.total >= len(t.events)
    assert all(e.kind for e in t.events)
    order = [(e.date is None, e.date or "") for e in t.events]
    assert order == sorted(order)
    if t.ignored:  # said so, and nothing was filtered
        assert t.message and t.events == summit_timeline(INDEX, "").events
    assert summit_timeline(INDEX, query) == t


@given(query=QUERIES)
@example(query="the of")
@example(query="北方領土 investment")
def test_trade_answers_anything(query: str) -> None:
    tr = trade_figures(INDEX, query)
    event(f"trade: {tr.status}{' (ignored)' if tr.ignored else ''}")
    assert tr.status in {"ok", "none", "error"}
    assert tr.query == _typed(query)
    if len(tr.query) > MAX_QUERY_CHARS:
        assert tr.status == "error" and "too long" in tr.message
    if tr.status != "ok":
        assert tr.message and not tr.figures and not tr.ignored
        return
    assert 1 <= len(tr.figures) <= MAX_FIGURES
    assert all(TRADE_TAGS & set(f.fact.tags) for f in tr.figures)
    with_figure = [f.fact.figure is not None for f in tr.figures]
    assert with_figure == sorted(with_figure, reverse=True)  # figures first
    assert all(f.excerpt.count("**") % 2 == 0 for f in tr.figures)
    if tr.ignored:
        assert tr.message and tr.figures == trade_figures(INDEX, "").figures


@given(topic=QUERIES, seed=SEEDS)
@example(topic="", seed=0)
@example(topic="the of", seed=0)
def test_fact_answers_anything(topic: str, seed: int) -> None:
    fa = fact_lookup(INDEX, topic, random.Random(seed))
    event(f"fact: {fa.status}")
    assert fa.status in {"ok", "none", "error"}
    assert fa.query == _typed(topic)
    if len(fa.query) > MAX_QUERY_CHARS:
        assert fa.status == "error" and "too long" in fa.message
    if fa.status != "ok":
        assert fa.message and fa.fact is None and not fa.alternatives
        return
    assert fa.fact is not None
    assert len(fa.alternatives) <= MAX_ALTERNATIVES
    assert fa.fact.id not in {a.id for a in fa.alternatives}
    assert fact_lookup(INDEX, topic, random.Random(seed)) == fa  # the seed decides


@given(prefix=QUERIES)
@example(prefix="")
@example(prefix="x" * MAX_OPTION)
def test_section_autocomplete_offers_what_section_opens(prefix: str) -> None:
    choices = section_choices(INDEX, prefix, **CHOICES)
    assert len(choices) <= CHOICES["limit"]
    assert len({c.value for c in choices}) == len(choices)
    for c in choices:
        assert 0 < len(c.name) <= CHOICES["width"] and 0 < len(c.value) <= CHOICES["width"]
        opened = find_section(INDEX, c.value)  # what Discord sends back when it is picked
        assert opened.status in ("ok", "choices"), (c, opened.message)
        if INDEX.section_idx(c.value) is not None:
            assert opened.status == "ok" and opened.results[0].key == c.value


@given(prefix=QUERIES)
@example(prefix="")
def test_topic_autocomplete_offers_topics_that_have_a_fact(prefix: str) -> None:
    choices = topic_choices(INDEX, prefix, **CHOICES)
    assert len(choices) <= CHOICES["limit"]
    for c in choices:
        assert 0 < len(c.name) <= CHOICES["width"] and 0 < len(c.value) <= CHOICES["width"]
        assert fact_lookup(INDEX, c.value, random.Random(0)).status == "ok", c
