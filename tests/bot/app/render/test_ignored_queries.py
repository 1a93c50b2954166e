"""A rendered /summit or /trade never claims a query it did not use (issue #11)."""

from __future__ import annotations

from bot.app.render import embeds
from bot.search.ask import summit_timeline, trade_figures
from tests.support.search import content_index

SUMMIT = "Summits and ministerial meetings"
TRADE = "Trade, investment and the economy"


def test_an_ignored_summit_query_is_not_in_the_title_and_the_description_says_why() -> None:
    index = content_index()
    for query in ("the of", "!!!", "🔥 the"):
        embed = embeds.timeline_embed(summit_timeline(index, query), index.snapshot.documents)
        assert embed.title == SUMMIT, query
        assert embed.description is not None
        assert "has no words to search for" in embed.description
    shown = embeds.timeline_embed(summit_timeline(index, "2019"))
    assert shown.title == f"{SUMMIT}: 2019" and shown.description is None


def test_an_ignored_trade_query_is_not_in_the_title_and_the_description_says_why() -> None:
    index = content_index()
    embed = embeds.trade_embed(trade_figures(index, "the of"), index.snapshot.documents)
    assert embed.title == TRADE
    assert embed.description is not None and "'the of' has no words" in embed.description
    shown = embeds.trade_embed(trade_figures(index, "investment"))
    assert shown.title == f"{TRADE}: investment" and shown.description is None


def test_the_note_escapes_the_query_it_quotes() -> None:
    index = content_index()
    timeline = summit_timeline(index, "** the __ @")
    assert timeline.ignored
    embed = embeds.timeline_embed(timeline)
    assert embed.description is not None
    assert "'\\*\\* the \\_\\_ @' has no words" in embed.description
