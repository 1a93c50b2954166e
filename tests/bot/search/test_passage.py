"""The passage analysis gives exactly what scoring the text directly gives.

`passage.Passage` keeps sentence boundaries, per-sentence term masks, figures, dates and the
boldable words so that queries do not re-tokenise passages; these tests hold it to the plain
functions over the text (tests/bot/search/oracle.py) for every passage of the seed document,
for queries of each intent.
"""

from __future__ import annotations

import pytest

from bot.search import tokens as tx
from bot.search.excerpt import bold
from bot.search.hits import Prepared
from bot.search.passage import Passage, Scorer
from bot.search.query import check_query
from bot.text import split_sentences
from tests.bot.search import oracle
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
    "summit in vladivostok in september",  # anchors: a place and a month
    "the fourth 2+2 meeting",  # an ordinal word for `4th`, numbers as anchors
    "peace-keeping and counter terrorism",  # joined forms of words typed apart
)


@pytest.mark.parametrize("query", QUERIES)
def test_passage_scores_equal_direct_scoring(query: str) -> None:
    index = seed_index()
    q = Prepared(index, check_query(query))
    concepts, intent, anchors = q.scorer.concepts, q.scorer.intent, q.scorer.anchors
    counted = 0
    for u in range(index.n_units):
        text = index.unit_text(u)
        p = Passage(text)
        sentences = split_sentences(text) or [text]
        assert list(p.sentences) == sentences
        assert p.scores(q.scorer) == oracle.sentence_scores(sentences, concepts, intent, anchors)
        direct = any(oracle.counts_concept(s, concepts) for s in sentences)
        assert p.counts(q.scorer) == direct
        counted += direct
    if query.startswith("how many"):
        assert counted > 0


@pytest.mark.parametrize("query", QUERIES)
def test_passage_bold_equals_bold_of_the_joined_sentences(query: str) -> None:
    index = seed_index()
    highlight = Prepared(index, check_query(query)).plan.highlight
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


def test_the_index_keeps_each_passage_analysed() -> None:
    index = seed_index()
    assert index.passages[0] is index.passages[0]
    assert index.passages[0].sentences == Passage(index.unit_text(0)).sentences
