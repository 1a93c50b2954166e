"""Queries with nothing the index can search: other scripts, emoji, stop words (issue #11).

The content is the English edition, so a query in Japanese or Russian gets a message saying
so, not "only 'the', 'of'"; emoji and punctuation get their own message; a query that mixes
English words with another script is searched for its English words. /summit and /trade
list everything for a query with no words, and say the query was not used.
"""

from __future__ import annotations

import random

import pytest

from bot.search.ask import fact_lookup, find_section, search, summit_timeline, trade_figures
from bot.search.query import NO_WORDS, NOT_ENGLISH, ONLY_STOP_WORDS, TOO_SHORT, unsearchable
from tests.support.search import content_index

OTHER_SCRIPTS = ["北方領土", "北", "Москва", "Ελλάδα", "مرحبا", "the 北方領土", "北方領土 🔥 !"]
NO_WORD_QUERIES = ["🇯🇵🇷🇺🔥", "🔥", "!!!", "?!", "** ||"]
STOP_ONLY = ["the of", "what is the", "how many"]


def _messages(query: str) -> dict[str, tuple[str, str]]:
    """(status, message) of every command for `query`."""
    index = content_index()
    timeline = summit_timeline(index, query)
    trade = trade_figures(index, query)
    fact = fact_lookup(index, query, random.Random(0))
    return {
        "search": (search(index, query).status, search(index, query).message),
        "section": (find_section(index, query).status, find_section(index, query).message),
        "summit": (timeline.status, timeline.message),
        "trade": (trade.status, trade.message),
        "fact": (fact.status, fact.message),
    }


@pytest.mark.parametrize("query", OTHER_SCRIPTS)
def test_a_query_in_another_script_says_only_english_is_searched(query: str) -> None:
    assert unsearchable(query) == NOT_ENGLISH
    for command, got in _messages(query).items():
        assert got == ("error", NOT_ENGLISH), command
    assert "English" in NOT_ENGLISH and "Northern Territories" in NOT_ENGLISH


@pytest.mark.parametrize("query", NO_WORD_QUERIES)
def test_emoji_and_punctuation_say_there_are_no_words(query: str) -> None:
    got = _messages(query)
    for command in ("search", "section", "fact"):
        assert got[command] == ("error", NO_WORDS), command
    assert "emoji" in NO_WORDS


@pytest.mark.parametrize("query", STOP_ONLY)
def test_stop_words_alone_still_ask_for_a_word(query: str) -> None:
    got = _messages(query)
    for command in ("search", "section", "fact"):
        assert got[command] == ("error", ONLY_STOP_WORDS), command


def test_too_short_stays_too_short() -> None:
    index = content_index()
    for query in ("", " ", "a", "x"):
        assert search(index, query).message == TOO_SHORT, query


def test_a_mixed_query_searches_its_english_words() -> None:
    index = content_index()
    mixed = search(index, "北方領土 Northern Territories")
    plain = search(index, "Northern Territories")
    assert mixed.status == plain.status == "ok"
    assert [r.key for r in mixed.results] == [r.key for r in plain.results]
    assert find_section(index, "Northern Territories 北方領土").status == "ok"
    in_2019 = summit_timeline(index, "2019")
    assert in_2019.status == "ok"
    assert summit_timeline(index, "北方領土 2019").events == in_2019.events
    assert trade_figures(index, "北方領土 investment").figures == (
        trade_figures(index, "investment").figures
    )


@pytest.mark.parametrize("query", ["the of", "!!!", "🔥🔥", "what is the"])
def test_summit_and_trade_say_a_query_without_words_was_ignored(query: str) -> None:
    index = content_index()
    everything = summit_timeline(index, "")
    timeline = summit_timeline(index, query)
    assert (timeline.status, timeline.ignored) == ("ok", True)
    assert timeline.events == everything.events and timeline.total == everything.total
    assert timeline.message == f"'{query}' has no words to search for, so all meetings and " + (
        "visits are listed."
    )
    trade = trade_figures(index, query)
    assert (trade.status, trade.ignored) == ("ok", True)
    assert trade.figures == trade_figures(index, "").figures
    assert "has no words to search for" in trade.message
    assert not summit_timeline(index, "2019").ignored  # a query that filtered is no note


def test_fact_refuses_a_topic_without_words_instead_of_finding_no_fact() -> None:
    index = content_index()
    answer = fact_lookup(index, "the of", random.Random(0))
    assert (answer.status, answer.message) == ("error", ONLY_STOP_WORDS)
    assert fact_lookup(index, "", random.Random(0)).status == "ok"  # empty: a random fact
