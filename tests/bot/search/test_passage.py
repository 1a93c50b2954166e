"""The precomputed passage analysis gives exactly what scoring the text directly gives.

`excerpt.Passage` caches sentence boundaries, per-sentence terms, figures and dates so that
queries do not re-tokenise passages; these tests hold it to the plain functions over the text
of every passage of the seed document, for queries of each intent.
"""

from __future__ import annotations

import pytest

from bot.search import tokens as tx
from bot.search.ask import search
from bot.search.excerpt import (
    Passage,
    Scorer,
    analyse,
    bold,
    counts_concept,
    sentence_scores,
    split_sentences,
)
from bot.search.fulltext import prepare
from bot.search.memo import LRU
from bot.search.query import check_query
from tests.support.search import seed_index

QUERIES = (
    "how many people visited",  # count intent, a number before a query word
    "how many events",
    "how much did trade drop",  # count intent, figures
    "when did the northern territories visit happen",  # when intent
    "maritime security cooperation",  # a phrase alternative
    "japan russia relations",  # boilerplate words
    "Arctic LNG 2",  # glued letters and digits
    "disqualified athletes",  # related (prefix) alternatives
)


@pytest.mark.parametrize("query", QUERIES)
def test_passage_scores_equal_direct_scoring(query: str) -> None:
    index = seed_index()
    q = prepare(index, check_query(query))
    concepts, intent = q.scorer.concepts, q.scorer.intent
    for u in range(index.n_units):
        text = index.unit_text(u)
        p = Passage(text)
        sentences = split_sentences(text) or [text]
        assert list(p.sentences) == sentences
        assert p.scores(q.scorer) == sentence_scores(sentences, concepts, intent)
        direct = any(counts_concept(s, concepts) for s in split_sentences(text))
        assert p.counts(q.scorer) == direct


@pytest.mark.parametrize("query", QUERIES)
def test_passage_bold_equals_bold_of_the_joined_sentences(query: str) -> None:
    index = seed_index()
    highlight = prepare(index, check_query(query)).plan.highlight
    for u in range(index.n_units):
        p = Passage(index.unit_text(u))
        n = len(p.sentences)
        for lo, hi in {(0, n - 1), (0, 0), (n - 1, n - 1), (n // 2, n - 1)}:
            joined = " ".join(p.sentences[lo : hi + 1])
            assert p.bold(lo, hi, highlight) == bold(joined, highlight)


def test_bold_of_sentences_keeps_urls_plain_and_merges_neighbours() -> None:
    p = Passage("See https://www.mofa.go.jp/trade now. Trade rose. Trade fell in 2019.")
    highlight = {tx.term("trade"), tx.term("rose")}
    out = p.bold(0, 2, highlight)
    assert "https://www.mofa.go.jp/trade" in out
    assert "**Trade rose**" in out
    assert out == bold(" ".join(p.sentences), highlight)


def test_scorer_intent_bonus_needs_a_figure() -> None:
    p = Passage("Trade grew. Trade reached 2.3459 trillion yen.")
    scorer = Scorer([[((tx.term("trade"),), 1.0)]], "count")
    first, second = p.scores(scorer)
    assert second > first > 0


def test_analyse_is_cached_per_text() -> None:
    text = "Mr. Abe met the U.S. envoy. They talked."
    assert analyse(text) is analyse(text)


def test_lru_is_bounded_and_keeps_the_recently_used() -> None:
    cache: LRU[int, int] = LRU(2)
    assert cache.get_or_make(1, lambda: 10) == 10
    assert cache.get_or_make(2, lambda: 20) == 20
    assert cache.get_or_make(1, lambda: -1) == 10  # hit: 1 is now the most recent
    assert cache.get_or_make(3, lambda: 30) == 30  # evicts 2
    assert len(cache) == 2
    assert cache.get_or_make(2, lambda: 21) == 21
    assert (cache.hits, cache.misses) == (1, 4)


def test_repeated_query_uses_the_plan_cache_and_answers_the_same() -> None:
    index = seed_index()
    query = "  gas   pipeline  "
    first = search(index, query)
    hits = index.query_cache.hits
    again = search(index, query)
    assert index.query_cache.hits == hits + 1
    assert again == first
    assert prepare(index, check_query(query)) is prepare(index, check_query(query))
