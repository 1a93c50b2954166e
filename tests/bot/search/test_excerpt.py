from bot.search.excerpt import MAX_EXCERPT, build_excerpt

PASSAGE = (
    "Mr. Abe met the U.S. envoy in May. The talks covered trade. "
    "Trade reached 2.3459 trillion yen in 2019. Nothing else happened."
)


def test_excerpt_is_whole_sentences_with_bold_and_ellipsis():
    out = build_excerpt(PASSAGE * 30, [[(("trillion",), 1.0)]], {"trillion"})
    assert "**trillion**" in out
    assert len(out) <= MAX_EXCERPT
    assert out.startswith("…") or out.startswith("Mr.")
    assert out.endswith("…")
    plain = out.replace("**", "").strip("…")
    assert plain.endswith(".")


def test_overlong_sentence_is_cut_around_the_match():
    long = "word " * 400 + "the figure is 42 billion " + "word " * 400 + "."
    out = build_excerpt(long, [[(("42",), 1.0)]], {"42"})
    assert "**42**" in out
    assert len(out) <= MAX_EXCERPT
    assert out.startswith("…") and out.endswith("…")
