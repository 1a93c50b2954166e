from bot.app.render import limits


def test_clip_keeps_short_text() -> None:
    assert limits.clip("short", 10) == "short"


def test_clip_cuts_at_word_and_marks_it() -> None:
    text = "word " * 100
    out = limits.clip(text, 50)
    assert len(out) <= 50
    assert out.endswith(limits.ELLIPSIS)
    assert "wor…" not in out


def test_clip_hard_cuts_one_long_word() -> None:
    out = limits.clip("x" * 300, limits.AUTOCOMPLETE_NAME)
    assert len(out) == limits.AUTOCOMPLETE_NAME
