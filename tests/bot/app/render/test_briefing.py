"""The /briefing list layout: whole entries within Discord's description limit."""

from __future__ import annotations

from bot.app.render import limits
from bot.app.render.briefing import fit_entries


def test_everything_shown_when_it_fits() -> None:
    assert fit_entries(["a", "b", "c"], 100) == "a\n\nb\n\nc"
    assert fit_entries([], 100) == ""


def test_whole_entries_then_the_count_of_the_rest_within_the_limit() -> None:
    entries = [f"<#{i}> — 09:00 UTC, every day\nNext: <t:{i}:F>" + "x" * 200 for i in range(60)]
    text = fit_entries(entries, limits.EMBED_DESCRIPTION)
    assert len(text) <= limits.EMBED_DESCRIPTION
    parts = text.split("\n\n")
    shown, tail = parts[:-1], parts[-1]
    assert shown == entries[: len(shown)] and len(shown) > 10
    assert tail == f"{limits.ELLIPSIS} and {len(entries) - len(shown)} more"


def test_the_tail_always_fits_even_at_the_edge() -> None:
    for size in range(1, 40):
        entries = ["y" * size] * 7
        for limit in range(20, 120):
            text = fit_entries(entries, limit)
            assert len(text) <= limit, (size, limit)
            shown = [p for p in text.split("\n\n") if p == "y" * size]
            if len(shown) < 7:
                assert text.endswith(f"and {7 - len(shown)} more")
