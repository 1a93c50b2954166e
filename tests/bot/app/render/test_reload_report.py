"""The reload report as an embed description: errors first, always within the limit."""

from __future__ import annotations

from bot.app.render.limits import EMBED_DESCRIPTION
from bot.app.render.reload_report import render_report
from bot.content.manager import ReloadReport


def test_render_shows_errors_until_full_then_counts() -> None:
    errors = tuple(f"content/doc/sections/{i:04d}.md:{i}: missing 'title'" for i in range(500))
    report = ReloadReport(ok=False, trigger="t", errors=errors, old_hash="a" * 64)
    text = render_report(report)
    assert len(text) <= EMBED_DESCRIPTION
    shown = [e for e in errors if e in text]
    assert shown == list(errors[: len(shown)]) and len(shown) > 40
    assert text.rstrip().endswith(f"… and {500 - len(shown)} more errors")


def test_render_fits_with_a_huge_single_error() -> None:
    report = ReloadReport(ok=False, trigger="t", errors=("x.md:1: " + "y" * 10_000,) * 3)
    text = render_report(report)
    assert len(text) <= EMBED_DESCRIPTION and "x.md:1:" in text


def test_render_escapes_code_fences() -> None:
    report = ReloadReport(ok=False, trigger="t", errors=("a.md:1: bad ```inject",))
    assert "```inject" not in render_report(report)
