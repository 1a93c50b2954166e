"""The fast paths of ranking give the answers of the plain ones, bit for bit.

A small corpus keeps per-section term sets, title postings and the concept weights summed
while the postings are read; a large one works them out per candidate. Both are run here
on the bundled content with every search query of the evaluation sets, so a shortcut that
drifts from the reference shows up as a different answer, not as a slower bot.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.search import index as ix
from bot.search import rank as rk
from bot.search.fulltext import search
from bot.search.index import build_index
from bot.search.query import plan_query
from tests.support.paths import EVAL_PUBLIC, REPO
from tests.support.search import content_index

EVAL_FILES = (EVAL_PUBLIC, *sorted((REPO / "tests/data/eval").glob("*.yaml")))


def _queries() -> list[str]:
    out: list[str] = []
    for path in EVAL_FILES:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        out += [str(q["query"]) for q in raw.get("queries") or [] if q.get("command") == "search"]
    return out


QUERIES = _queries()


def test_there_are_queries_to_compare():
    assert len(QUERIES) >= 100


@pytest.fixture(scope="module")
def lazy_index() -> ix.SearchIndex:
    """The bundled content indexed as if it were large: nothing precomputed per passage."""
    small = content_index()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ix, "EAGER_PASSAGES", -1)
        lazy = build_index(small.snapshot)
    assert lazy.title_postings() is None and small.title_postings() is not None
    return lazy


def test_small_and_large_index_paths_answer_alike(lazy_index: ix.SearchIndex) -> None:
    small = content_index()
    for q in QUERIES:
        assert search(small, q).to_json() == search(lazy_index, q).to_json(), q


def test_summed_concept_weights_equal_the_weighted_share(monkeypatch) -> None:
    index = content_index()
    checked = 0
    for q in QUERIES:
        plan = plan_query(index, q)
        top, cover = rk._top_units(index, plan)
        if cover is None:
            continue
        for u, _ in top:
            expected = rk._weighted_share(plan, index.unit_term_set(u))
            assert min(1.0, cover[u] / len(plan.concepts)) == expected, (q, u)
            checked += 1
    assert checked > 1000


def test_title_postings_equal_the_per_section_boost() -> None:
    index = content_index()
    boosted = 0
    for q in QUERIES:
        plan = plan_query(index, q)
        sections = range(len(index.sections))
        titled = rk._title_matches(index, plan, sections)
        assert titled is not None
        for si in sections:
            score = 1.0
            for v in titled.get(si, ()):
                score += rk.TITLE_BOOST * v
            assert score == rk._plus_title_boost(index, plan, si, 1.0), (q, si)
            boosted += si in titled
    assert boosted > 100


def test_rank_reads_truncated_postings_without_the_summed_weights(monkeypatch) -> None:
    """A posting list cut at the cap would miss units in the sum: the share is asked per unit."""
    index = content_index()
    plan = plan_query(index, "japan russia relations")
    monkeypatch.setattr(rk, "POSTING_CAP", 3)
    top, cover = rk._top_units(index, plan)
    assert top and cover is None


def test_concepts_kept_per_index_plan_as_fresh_ones() -> None:
    """A query word's concept is kept per index; a plan from kept concepts equals a new one."""
    index = build_index(content_index().snapshot)  # its own caches, filled here
    queries = [*QUERIES, "russia russia", "defence defense", "sakhalin LNG lng sakhalin"]
    kept = [plan_query(index, q) for q in queries]
    answers = [search(index, q).to_json() for q in queries]
    assert len(index.concept_cache) > 100
    for q, plan, answer in zip(queries, kept, answers, strict=True):
        index.concept_cache.clear()
        assert plan_query(index, q) == plan, q
        index.concept_cache.clear()
        index.query_cache.clear()
        assert search(index, q).to_json() == answer, q


def test_word_concepts_made_with_a_small_index_equal_those_made_on_demand(
    lazy_index: ix.SearchIndex,
) -> None:
    """A small index works out every content word's concept while it is built; a large one
    makes them on demand. Both must plan every query alike."""
    small = content_index()
    assert len(small._word_concepts) > 500 and not lazy_index._word_concepts
    for q in QUERIES:
        assert plan_query(small, q) == plan_query(lazy_index, q), q


def test_concept_scores_kept_per_index_rank_as_fresh_ones() -> None:
    """A concept's per-passage scores are kept per index (by its alternatives); ranking from
    kept scores gives the same sections and scores as ranking with nothing kept."""
    index = build_index(content_index().snapshot)
    plans = [plan_query(index, q) for q in QUERIES]
    warm = [rk.rank(index, plan) for plan in plans]  # later queries reuse earlier concepts
    assert len(index.alt_scores) > 50
    for q, plan, hits in zip(QUERIES, plans, warm, strict=True):
        index.alt_scores.clear()
        assert rk.rank(index, plan) == hits, q


def test_concept_scores_of_many_passages_are_not_kept(monkeypatch) -> None:
    index = build_index(content_index().snapshot)
    monkeypatch.setattr(rk, "ALT_SCORES_UNITS", 0)
    rk.rank(index, plan_query(index, "japan russia economic relations"))
    assert len(index.alt_scores) == 0
