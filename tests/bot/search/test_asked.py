"""Answers for the way people ask: joined and split words, symbols and numbers as words,
"nothing relevant" by meaning, and excerpts that hold what was asked.

The text (tests/data/search/asked.txt) is written in the Bluebook's style for these tests;
its queries stand for kinds of query and are not those of the evaluation sets.
"""

from __future__ import annotations

import pytest

from bot.content.model import Snapshot
from bot.ingest import parse_bluebook
from bot.search import SearchIndex, build_index, lexicon
from bot.search import tokens as tx
from bot.search.answer import Answer
from bot.search.ask import find_section, search
from bot.search.evaluation import clean
from bot.search.query import _split, plan_query
from tests.bot.search import oracle
from tests.support.paths import DATA
from tests.support.search import paragraph_snapshot

# A chapter in the Bluebook's raw page style, written for these tests.
RAW = (DATA / "search" / "asked.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return build_index(Snapshot.build((parse_bluebook(RAW, "asked"),)))


def answered(index: SearchIndex, query: str) -> Answer:
    ans = search(index, query)
    assert ans.status in ("ok", "choices"), (query, ans.status, ans.message)
    assert ans.top is not None
    return ans


def top_excerpt(index: SearchIndex, query: str) -> str:
    top = answered(index, query).top
    assert top is not None
    return clean(top.excerpt)


# -- 1. joined, split and hyphenated forms meet ----------------------------------------------


def test_a_word_splits_as_the_plain_version_splits_it(index: SearchIndex) -> None:
    """Pairs and triples of the text's words run together, and each cut short or lengthened
    by a letter, split (or not) as trying every cut in turn would."""
    words = sorted({w for w in index.vocab.words() if w.isalpha() and len(w) >= 3})[:120]
    tried = [a + b for a in words[::7] for b in words[::5]]
    tried += [a + b + c for a, b, c in zip(words[::3], words[1::3], words[2::3], strict=False)]
    tried += [w[:-1] for w in tried] + [w + "s" for w in tried]
    assert any(oracle.split(index, w) for w in tried)  # the check has splits to compare
    for w in tried:
        assert _split(index, w) == oracle.split(index, w), w


def test_of_several_cuts_the_split_keeps_the_longest_shorter_part() -> None:
    """`sunflower` cuts into `sun`+`flower` and `sunf`+`lower`: the shorter part is longest
    at `sunf`/`lower`. `tandembolts` cuts into `tande`+`mbolts` and `tandem`+`bolts`, equal:
    the left one."""
    words = "sun flower sunf lower tandem bolts tande mbolts"
    own = build_index(paragraph_snapshot([f"Talks on {words}."], "Talks"))
    assert _split(own, "sunflower") == oracle.split(own, "sunflower") == ("sunf", "lower")
    assert _split(own, "tandembolts") == oracle.split(own, "tandembolts") == ("tande", "mbolts")


@pytest.mark.parametrize("query", ["peacekeeping training", "peace keeping training"])
def test_hyphenated_word_is_found_joined_and_apart(index: SearchIndex, query: str) -> None:
    assert "fourth seminar on peace-keeping training" in top_excerpt(index, query)


def test_a_hyphenated_word_bolds_as_a_whole(index: SearchIndex) -> None:
    top = answered(index, "socioeconomic recovery").top
    assert top is not None and "**socio-economic recovery**" in top.excerpt


@pytest.mark.parametrize("query", ["counterterrorism forum", "counter-terrorism forum"])
def test_words_typed_apart_or_joined_find_the_other_form(index: SearchIndex, query: str) -> None:
    excerpt = top_excerpt(index, query)
    assert "global counterterrorism forum" in excerpt
    assert "counter terrorism training" in excerpt


def test_a_word_absent_from_the_text_is_split_only_where_its_parts_stand_together(
    index: SearchIndex,
) -> None:
    # the text writes `cyber security` apart only
    top = answered(index, "cybersecurity finland").top
    assert top is not None and "**cyber security**" in top.excerpt
    # `ice` and `land` stand apart in the text: `iceland` does not match them
    assert search(index, "iceland").status == "none"


def test_names_written_with_a_hyphen_are_not_joined_into_one_word(index: SearchIndex) -> None:
    plan = plan_query(index, "counter terrorism")
    joined = index.term_ids[tx.term("counterterrorism")]
    assert all(joined in {a for a, _ in c.alts} for c in plan.concepts)
    # `Japan-Russia` style pairs: the joined form is no word the text uses
    assert "japanrussia" not in {index.terms[a] for c in plan.concepts for a, _ in c.alts}


# -- 2. symbols and numbers are words ---------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("fourth meeting kyoto", "4th meeting"),
        ("4th seminar", "fourth seminar"),
        ("2.5 percent imports", "2.5%"),
        ("imports 2.5 per cent", "2.5%"),
        ("no 3 contributor", "no. 3 financial contributor"),
        ("No. 3 contributor", "no. 3 financial contributor"),
        ("fy 2019 research", "fy2019"),
        ("FY19 research", "fy2019"),
        ("fiscal year 2026 vessel", "fy2026"),
        ("5 g networks", "5g networks"),
    ],
)
def test_symbols_and_numbers_are_found_as_people_type_them(
    index: SearchIndex, query: str, shown: str
) -> None:
    assert shown in top_excerpt(index, query)


@pytest.mark.parametrize("query", ["g 7", "G-7", "g7"])
def test_glued_forms_match_only_glued_and_bold_whole(index: SearchIndex, query: str) -> None:
    top = answered(index, query).top
    assert top is not None and "**G7**" in top.excerpt
    assert "**G20**" not in top.excerpt and "**G**20" not in top.excerpt


def test_a_short_year_after_a_year_is_a_year(index: SearchIndex) -> None:
    texts = [c.text for c in plan_query(index, "budget 2019/21").concepts]
    assert texts == ["budget", "2019", "2021"]
    assert tx.number_forms("fourth") == ("4th",)
    assert tx.number_forms("4th") == ("fourth", "4")
    assert tx.number_forms("2") == ("2nd",)  # no `two`: `Arctic LNG 2` is a name
    assert tx.terms("the 21st session, 3.5% up") == [
        *("the", "21st", "session", "3.5", "percent", "up")
    ]


# -- 3. "nothing relevant" is decided by meaning ----------------------------------------------


@pytest.mark.parametrize(
    "query", ["relations in 2021", "recent developments", "overview of the year", "2020"]
)
def test_boilerplate_and_years_alone_ask_about_nothing(index: SearchIndex, query: str) -> None:
    assert search(index, query).status == "none"


@pytest.mark.parametrize("query", ["how many peacekeeping operations in 2020", "2.5%"])
def test_a_question_or_a_figure_is_something_in_particular(index: SearchIndex, query: str) -> None:
    answered(index, query)


def test_a_common_word_the_text_lacks_is_named_not_a_reason_for_none(index: SearchIndex) -> None:
    ans = answered(index, "japan arctic policy three pillars")
    assert ans.top is not None and ans.top.title == "The Arctic"
    assert ans.message == "Not in the text: pillars."


def test_one_found_word_does_not_carry_a_missing_one(index: SearchIndex) -> None:
    # `debris` is a common word the text lacks, but `space` alone points nowhere in particular
    assert search(index, "space debris").status == "none"


def test_found_words_must_meet_in_one_passage_to_carry_a_missing_word(index: SearchIndex) -> None:
    # Three found words (japan, arctic, policy) for the one missing: they meet in one passage.
    assert answered(index, "japan arctic policy pillars").message == "Not in the text: pillars."
    # japan, kyoto and policy are all in the text, but no passage holds them together.
    assert search(index, "japan kyoto policy pillars").status == "none"


@pytest.mark.parametrize(
    "query",
    [
        "advisory group meeting in vienna",  # the place is nowhere in the text
        "advisory group meeting in nairobi",  # it is, but not where the advisory group met
    ],
)
def test_a_place_asked_for_must_be_the_sections(index: SearchIndex, query: str) -> None:
    assert search(index, query).status == "none"


def test_a_place_in_the_section_answers(index: SearchIndex) -> None:
    assert "kyoto" in top_excerpt(index, "advisory group meeting in kyoto")
    assert "4th meeting" in top_excerpt(index, "advisory group report in decades")  # no place


def test_a_section_is_about_the_titles_above_it(index: SearchIndex) -> None:
    ans = answered(index, "sweden general election")
    assert ans.top is not None and ans.top.title == "Political Situation"
    assert "Sweden" in ans.top.breadcrumb


def test_section_lookup_offers_a_title_named_with_one_more_word(index: SearchIndex) -> None:
    ans = find_section(index, "sweden monarchy")
    assert ans.status == "choices"
    assert ans.results[0].title == "Sweden"


def test_the_word_list_tells_common_words_from_names() -> None:
    for word in ("pillars", "finished", "among", "dates", "larger"):
        assert lexicon.is_common_word(word), word
    for word in ("sovaleni", "aukus", "kurils"):
        assert not lexicon.is_common_word(word), word
    assert lexicon.could_be_name("vienna") and lexicon.could_be_name("paris")
    assert not lexicon.could_be_name("decades")


# -- 4. the excerpt holds what was asked ------------------------------------------------------


def test_a_place_in_another_passage_joins_the_excerpt(index: SearchIndex) -> None:
    top = answered(index, "partnership project engineers kampala").top
    assert top is not None and top.title == "Partnership Project"
    excerpt = clean(top.excerpt)
    assert "trains engineers" in excerpt and "courses in kampala" in excerpt
    assert " … " in top.excerpt and len(top.excerpt) <= 1000


def test_a_month_and_a_city_prefer_the_sentence_holding_both(index: SearchIndex) -> None:
    excerpt = top_excerpt(index, "seminar accra june")
    assert "held in accra in june" in excerpt


def test_a_how_much_question_wants_the_figure_not_the_name(index: SearchIndex) -> None:
    assert "312 engineers" in top_excerpt(index, "how many engineers trained nairobi")
