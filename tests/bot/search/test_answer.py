import pytest

from bot.search.ask import search
from tests.support.search import seed_index


@pytest.mark.parametrize(
    "query", ["olympic medal table", "covid vaccine", "navalny", "world cup 2018", "2018 cup"]
)
def test_off_topic_queries_answer_none(query):
    ans = search(seed_index(), query)
    assert ans.status == "none"
    assert ans.results == ()


def test_lone_year_is_not_relevant_but_a_year_with_topic_is():
    index = seed_index()
    assert search(index, "tennis 2019").status == "none"
    assert search(index, "protests 2019").status in ("ok", "choices")


@pytest.mark.parametrize("query", ["", "a", "the of", "?!", "x" * 301])
def test_bad_queries_are_errors_with_a_message(query):
    ans = search(seed_index(), query)
    assert ans.status == "error"
    assert ans.message


def test_results_carry_breadcrumb_and_excerpt():
    ans = search(seed_index(), "arctic lgn")
    assert ans.status in ("ok", "choices")
    top = ans.results[0]
    assert top.breadcrumb == "Russia › Japan-Russia Relations › Japan-Russia Economic Relations"
    assert "Arctic LNG 2 Project" in top.excerpt.replace("**", "")
    assert len(ans.results) <= 5
    assert [r.score for r in ans.results] == sorted((r.score for r in ans.results), reverse=True)
