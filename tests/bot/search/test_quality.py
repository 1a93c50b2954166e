"""Classes of query that must generalise: spelling variants, topic words for the none decision,
figures for "how much", definitions for "what is X", the narrowest section, content aliases.

The queries here are not those of the evaluation sets; each stands for a kind of query.
"""

from __future__ import annotations

import dataclasses

import pytest

from bot.content.model import Document, Section, Snapshot
from bot.ingest import parse_bluebook
from bot.search import SearchIndex, build_index
from bot.search import tokens as tx
from bot.search.ask import find_section, search
from bot.search.evaluation import clean
from bot.search.query import W_RELATED, plan_query
from bot.search.synonyms import spelling_variants
from tests.support.paths import DATA
from tests.support.search import content_index, seed_index

RAW = DATA / "raw"
_DOCS: dict[str, Document] = {}
_INDEXES: dict[tuple[str, ...], SearchIndex] = {}


def _doc(name: str) -> Document:
    if name not in _DOCS:
        _DOCS[name] = parse_bluebook((RAW / f"{name}.txt").read_text(encoding="utf-8"), name)
    return _DOCS[name]


def raw_index(*names: str) -> SearchIndex:
    if names not in _INDEXES:
        _INDEXES[names] = build_index(Snapshot.build(tuple(_doc(n) for n in names)))
    return _INDEXES[names]


ALL = (
    "bluebook-2020-russia",
    "bluebook-2019-europe",
    "bluebook-2019-latin-america",
    "bluebook-2020-central-asia",
)


def top(index: SearchIndex, query: str) -> tuple[str, str]:
    ans = search(index, query)
    assert ans.status in ("ok", "choices"), (query, ans.status, ans.message)
    assert ans.top is not None
    return ans.top.key, clean(ans.top.excerpt)


@pytest.mark.parametrize(
    ("word", "variant"),
    [
        ("defence", "defense"),
        ("programme", "program"),
        ("organisation", "organization"),
        ("centres", "centers"),
        ("labour", "labor"),
        ("favor", "favour"),
        ("analyse", "analyze"),
    ],
)
def test_spelling_variants_cover_british_and_american(word, variant):
    assert variant in spelling_variants(word)
    assert word in spelling_variants(variant)


def test_british_spelling_finds_american_text_and_back():
    key, excerpt = top(raw_index(*ALL), "cyber defense centre in estonia tallinn")
    assert key.endswith("#overview/japan-europe-relations/japan-nato-relations")
    assert "cyber defence centre" in excerpt
    key, _ = top(seed_index(), "japan-russia youth exchange programme participants")
    assert key.endswith("/human-and-cultural-exchanges")


def test_section_lookup_uses_the_titles_spelling():
    ans = find_section(raw_index(*ALL), "security, defence exchanges")
    assert ans.status == "ok"
    assert ans.results[0].key.endswith("/security-defense-exchanges-and-maritime-security")


@pytest.mark.parametrize(
    "query",
    [
        "japan portugal relations",  # only the country is a topic word, and it is absent
        "japan canada summit",
        "russian submarine programme",
        "g7 osaka summit",  # G7 and Osaka both occur, never in one section
        "south korea trade dispute ruling arbitration",
        "sakhalin oil project",
    ],
)
def test_absent_topic_answers_none_despite_boilerplate_matches(query):
    ans = search(raw_index(*ALL), query)
    assert ans.status == "none", [r.key for r in ans.results]


@pytest.mark.parametrize(
    ("query", "section"),
    [
        ("latest on uzbek students", "/bilateral-relations"),  # `latest`: phrasing
        ("japan france relations", "western-europe/france"),
        ("g4 reform", "western-europe/germany"),  # glued letters and digits match as such
        ("mercosur combined gdp size", "/common-market-of-the-south-mercosur"),
        ("which countries belong to caricom", "/caribbean-community-caricom"),  # no `countries`
        ("what does AWACS stand for", "/russian-diplomacy"),  # `stand` is no typo of `stance`
        ("french military parade", "western-europe/france"),  # adjective for the country
        ("g7 summit", "/unity-of-the-eu"),
    ],
)
def test_phrasing_and_boilerplate_do_not_hide_a_real_answer(query, section):
    key, _ = top(raw_index(*ALL), query)
    assert key.endswith(section)


@pytest.mark.parametrize(
    ("query", "figure"),
    [
        ("how much japanese investment went to russia", "168.8 billion yen"),
        ("how far did japan-russia trade fall", "7.2%"),
        ("how many foreign ministers meetings in 2019", "seven foreign ministers' meetings"),
        ("how many people took part in the youth exchange", "860 people"),
    ],
)
def test_figure_questions_show_the_sentence_with_the_figure(query, figure):
    _, excerpt = top(seed_index(), query)
    assert figure in excerpt


def test_what_is_an_abbreviation_answers_where_it_is_spelled_out():
    ans = search(raw_index("bluebook-2019-europe"), "what is the EPA")
    assert ans.status == "ok"
    assert ans.top is not None and ans.top.key == "bluebook-2019-europe#europe"
    assert "economic partnership agreement (epa)" in clean(ans.top.excerpt)


def test_section_prefers_the_narrowest_title_covering_the_words():
    ans = find_section(raw_index("bluebook-2020-central-asia"), "central asia + japan")
    assert ans.status == "ok"
    assert ans.results[0].key.endswith("/the-central-asia-plus-japan-dialogue")


def _with_aliases(doc: Document, section_id: str, aliases: tuple[str, ...]) -> Document:
    sections = tuple(
        dataclasses.replace(s, aliases=aliases) if s.id == section_id else s for s in doc.sections
    )
    return dataclasses.replace(doc, sections=sections)


def test_aliases_in_content_carry_domain_knowledge():
    nt = "russia/japan-russia-relations/the-northern-territories-and-negotiations-on-peace-treaty"
    doc = _with_aliases(_doc("bluebook-2020-russia"), nt, ("Kuril Islands", "Southern Kurils"))
    index = build_index(Snapshot.build((doc,)))
    key, excerpt = top(index, "russian soldiers on the kurils")
    assert key.endswith(nt)
    assert "military forces" in excerpt
    section = find_section(index, "kuril islands")
    assert section.status == "ok" and section.results[0].key.endswith(nt)


def test_section_prefers_the_title_that_says_least_beyond_the_query() -> None:
    index = seed_index()
    parent = find_section(index, "Japan-Russia")
    assert parent.status == "ok"
    assert parent.results[0].section_id == "russia/japan-russia-relations"
    generic = find_section(index, "exchanges")
    assert generic.status == "choices"
    assert {r.title for r in generic.results} >= {
        "Human and Cultural Exchanges",
        "Security, Defense Exchanges and Maritime Security",
    }


def model_section(section_id: str, title: str, text: str) -> Section:
    return Section(
        id=section_id,
        document_id="d",
        label="",
        title=title,
        level=1,
        order=0,
        parent_id=None,
        paragraphs=(text,),
    )


def test_other_names_of_countries_find_the_official_one() -> None:
    """Users type "East Timor" or "Ivory Coast"; the Bluebook writes the official names."""
    doc = Document(
        id="d",
        title="Diplomatic Bluebook",
        edition=2021,
        chapter="",
        section="",
        source_url="",
        language="en",
        sections=(
            model_section("timor-leste", "Timor-Leste", "Japan supported Timor-Leste's ASEAN bid."),
            model_section(
                "cote-d-ivoire",
                "Côte d'Ivoire",
                "Japan signed an investment agreement with Côte d'Ivoire.",
            ),
            model_section("ghana", "Ghana", "Japan and Ghana held policy talks in Accra."),
        ),
    )
    index = build_index(Snapshot.build((doc,)))
    assert search(index, "east timor").results[0].section_id == "timor-leste"
    assert search(index, "ivory coast investment").results[0].section_id == "cote-d-ivoire"


def test_a_derived_form_borrows_the_synonyms_of_its_table_word():
    """`prioritise` is not in the synonym table, `priority` is: it borrows that group, at the
    weight of a related term; a name or a shorter stem that merely starts alike does not."""
    index = content_index()
    alts = {index.terms[a]: w for a, w in plan_query(index, "prioritise").concepts[0].alts}
    assert alts == {"importanc": W_RELATED}
    assert index.related_table_words(tx.term("prioritise")) == [tx.term("priority")]
    for word in ("navalny", "stream"):
        assert plan_query(index, word).concepts[0].alts == (), word
    assert index.related_table_words(tx.term("navalny")) == []
    assert index.related_table_words(tx.term("stream")) == []


def _sections(*texts: tuple[str, str]) -> SearchIndex:
    sections = tuple(
        Section(
            id=f"s{i}",
            document_id="doc",
            label=str(i + 1),
            title=title,
            level=1,
            order=i,
            parent_id=None,
            paragraphs=(text,),
        )
        for i, (title, text) in enumerate(texts)
    )
    doc = Document("doc", "Test", 2023, "", "", "", "en", sections)
    return build_index(Snapshot.build((doc,)))


def test_a_phrase_is_mentioned_only_where_all_its_words_are():
    """`agreement` and `access` alone do not mention the Reciprocal Access Agreement: asked
    about one with a country the text never ties to it, the answer is none, not any section
    with a country and an agreement in it. The acronym finds the phrase written out."""
    index = _sections(
        ("Japan-Canada Relations", "Japan and Canada signed an agreement on market access."),
        ("Japan-UK Relations", "Japan and the UK signed the Reciprocal Access Agreement."),
    )
    assert search(index, "canada reciprocal access agreement").status == "none"
    for q in ("uk reciprocal access agreement", "japan uk RAA"):
        answer = search(index, q)
        assert answer.status == "ok" and answer.top is not None, q
        assert answer.top.title == "Japan-UK Relations", q
    # A word the table gives as the phrase's own synonym still counts alone (`gas` for
    # `natural gas`).
    energy = _sections(("Energy", "Russia supplies gas to Japan through Sakhalin."))
    assert search(energy, "natural gas russia").status == "ok"
    # ... but the phrase's other words alone still do not (`natural` is not `natural gas`).
    resources = _sections(
        ("Resources", "Russia's natural resources are vast."),
        ("Norway", "Norway sells gas to Europe."),
    )
    assert search(resources, "natural gas russia").status == "none"
