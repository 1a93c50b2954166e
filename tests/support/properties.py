"""Hypothesis settings and query strategies for the property tests of the query path.

Profiles (pick one with HYPOTHESIS_PROFILE; loaded when a property test imports this):

- `ci` (the default): 200 examples per property, derandomized (the same examples on every
  run, so CI is reproducible), no example database written.
- `thorough`: for a local hunt, 5,000 random examples per property, failures saved in
  `.hypothesis/` and replayed first next time:
  `HYPOTHESIS_PROFILE=thorough pytest -q tests/bot/search/test_properties.py
  tests/bot/app/render/test_rendered_properties.py` (add `--hypothesis-seed=N` to replay a
  run, or `--hypothesis-show-statistics` to see how the examples spread).
"""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from bot.search import SearchIndex
from bot.search import tokens as tx
from tests.support.search import content_index

settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# Discord lets a string option hold 6,000 characters; the core refuses more than 300.
MAX_OPTION = 6000

# Pieces users (and attackers) type: Markdown, mentions, other scripts, right-to-left text,
# bidirectional overrides, zero-width and control characters, emoji sequences, combining
# marks, compatibility forms, the number and abbreviation forms the tokenizer rewrites.
FRAGMENTS = (
    "@everyone", "@here", "<@123>", "<@!123456789012345678>", "<@&456>", "<#789>",
    "<:emoji:123>", "**", "**bold**", "__under__", "*", "_", "~~", "`", "```py", "> ", ">>> ",
    "||spoiler||", "[link](https://example.org)", "# heading", "-# small", "\\", "/section",
    "北方領土", "日露関係", "Москва", "Россия", "مرحبا بالعالم", "שלום", "Ελλάδα", "한국",
    "\u202e", "\u202d", "\u200f", "\u200e", "\u2066", "\u2069", "\u200b", "\u200d", "\ufeff",
    "\x00", "\x1b[31m", "\x7f", "\x85", "\r\n", "\t", "\u2028", "\u3000",
    "🇯🇵🇷🇺🔥", "👨‍👩‍👧‍👦", "🏳️‍🌈", "1️⃣", "e\u0301", "\u0301", "ß", "İ", "ﬁ", "Æ", "²", "½",
    "١٢٣", "U.S.", "u.s.", "Russia's", "Russia’s", "G20", "TPP11", "2019", "sept", "1,334",
    "178.0", "2.3459", "-", "'", "’", "%", "#", "…", "the", "of", "and", "how many", "what is",
    "when", "anti-corruption", "co-operation", "defence", "LNG", "lgn", "Kurils",
)  # fmt: skip
SEPARATORS = (" ", " ", " ", "", "\n", "  ", "-", ", ", "/", "\u3000", "\u200b", "\t")


def content_words(index: SearchIndex) -> tuple[str, ...]:
    """Words of the section titles and the first paragraph of every section, as written,
    so generated queries reach the ranking, the excerpts and every kind of answer."""
    words: set[str] = set()
    for entry in index.sections:
        section = entry.section
        text = " ".join((section.title, *section.paragraphs[:1]))
        words.update(raw for raw, _, _ in tx.tokens(text))
    return tuple(sorted(words))


def fact_words(index: SearchIndex) -> tuple[str, ...]:
    """What /summit, /trade and /fact match facts by: tags, people, places, years, months."""
    words: set[str] = set()
    for fact in index.snapshot.facts():
        words.update(t.replace("-", " ") for t in fact.tags)
        words.update(fact.participants)
        if fact.place:
            words.update((fact.place, *fact.place.split(", ")))
        if fact.date:
            words.add(fact.date[:4])
            if len(fact.date) >= 7:
                words.add(tx.MONTHS[int(fact.date[5:7]) - 1].capitalize())
    return tuple(sorted(words))


def _index_strings(index: SearchIndex) -> tuple[str, ...]:
    """Whole titles, headings and `doc#section` keys, as /section and autocomplete send."""
    out: list[str] = []
    for entry in index.sections:
        out += [entry.section.title, entry.section.heading, entry.key]
    return tuple(out)


INDEX = content_index()
WORDS = content_words(INDEX)
FACT_WORDS = fact_words(INDEX)
NAMES = _index_strings(INDEX)

_piece = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(WORDS),
    st.sampled_from(FRAGMENTS),
    st.text(max_size=12),
)


@st.composite
def _mixed(draw: st.DrawFn) -> str:
    """Content words mixed with fragments and random text, joined by odd separators."""
    parts = draw(st.lists(_piece, max_size=12))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(parts), max_size=len(parts)))
    return "".join(p + s for p, s in zip(parts, seps, strict=True))


@st.composite
def _mangled_name(draw: st.DrawFn) -> str:
    """A title or key, cut, case-changed or with a fragment spliced in (typed half-way)."""
    name = draw(st.sampled_from(NAMES))
    cut = draw(st.integers(0, len(name)))
    name = name[:cut] if draw(st.booleans()) else name
    if draw(st.booleans()):
        at = draw(st.integers(0, len(name)))
        name = name[:at] + draw(st.sampled_from(FRAGMENTS)) + name[at:]
    return name.upper() if draw(st.integers(0, 4)) == 0 else name


@st.composite
def _answerable(draw: st.DrawFn, words: tuple[str, ...]) -> str:
    """A few of `words` with fragments among them, in any order: reaches the results (and
    so the excerpts, titles and menus) far more often than random text does."""
    picked = draw(st.lists(st.sampled_from(words), min_size=1, max_size=3))
    extras = draw(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=6), max_size=3))
    parts = draw(st.permutations(picked + extras))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(parts), max_size=len(parts)))
    return "".join(p + s for p, s in zip(parts, seps, strict=True))


# One fact topic with something inert around it (markup, another script, a stop word).
_topic = st.builds(
    "{1}{0}{2}".format,
    st.sampled_from(FACT_WORDS),
    st.sampled_from(("", "**", "@everyone ", "\u202e", "> ")),
    st.sampled_from(("", " ", " **", " 北方領土", " the", " 🔥", "\x00", " ||")),
)

# Very long words and texts around the 300-character limit (and far beyond it).
_long = st.one_of(
    st.builds(lambda w, n: w * n, st.sampled_from(WORDS), st.integers(1, 120)),
    st.builds(lambda c, n: c * n, st.sampled_from("xé北🔥*_@\u202e "), st.integers(250, 700)),
    st.text(min_size=290, max_size=320),
    st.text(alphabet=st.characters(codec="ascii"), min_size=40, max_size=800),
)

QUERIES: st.SearchStrategy[str] = st.one_of(
    st.text(max_size=400),  # any Unicode (no surrogates: Discord sends UTF-8)
    _mixed(),
    _answerable(WORDS),
    _answerable(FACT_WORDS),
    _topic,
    _mangled_name(),
    _long,
)
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)

# The Markdown a user's words may not bring into a rendered answer: a live mass mention.
LIVE_MENTION = re.compile(r"@(everyone|here)")
# Characters the renderers strip from user text (they reverse or hide what follows).
BIDI_OVERRIDES = re.compile("[\u202a-\u202e\u2066-\u2069]")
