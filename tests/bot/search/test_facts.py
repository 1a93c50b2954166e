import random

from bot.search.ask import fact_lookup, summit_timeline, trade_figures
from tests.support.search import content_index


def test_summit_timeline_sorted_and_filtered():
    index = content_index()
    all_events = summit_timeline(index, "")
    dates = [e.date or "9999" for e in all_events.events]
    assert dates == sorted(dates)
    sept = summit_timeline(index, "september 2019")
    assert sept.status == "ok"
    assert all((e.date or "").startswith("2019-09") for e in sept.events)
    vlad = summit_timeline(index, "vladivostk")
    assert vlad.status == "ok"
    assert all("Vladivostok" in (e.place or "") for e in vlad.events)
    assert summit_timeline(index, "atlantis").status == "none"


def test_trade_figures_are_tagged_and_have_excerpts():
    ans = trade_figures(content_index())
    assert ans.status == "ok"
    for f in ans.figures:
        assert {"trade", "investment", "economy"} & set(f.fact.tags)
        assert f.excerpt


def test_fact_random_is_reproducible_and_topic_matches():
    index = content_index()
    a = fact_lookup(index, "", random.Random(7)).fact
    b = fact_lookup(index, "", random.Random(7)).fact
    assert a == b
    lng = fact_lookup(index, "arctic lng")
    assert lng.status == "ok" and "LNG" in lng.fact.text
    assert fact_lookup(index, "zzzz qqqq").status == "none"
