"""Ranking gives the plain version's answers (tests/bot/search/oracle.py), float for float, and
an index answers alike whatever its memos hold.

Run on the bundled content and the seed document with every search query of the evaluation
sets, so a fast path that drifts from the reference shows up as a different answer, not as a
slower bot.
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest
import yaml

from bot.content.model import Snapshot
from bot.search import build_index
from bot.search import index as ix
from bot.search import query as qm
from bot.search import rank as rk
from bot.search.ask import find_section, search
from bot.search.autocomplete import section_choices
from bot.search.memo import Memo
from bot.search.query import plan_query
from tests.bot.search import oracle
from tests.support.paths import EVAL_PUBLIC, REPO
from tests.support.search import content_index, paragraph_snapshot, seed_index

EVAL_FILES = (EVAL_PUBLIC, *sorted((REPO / "tests/data/eval").glob("*.yaml")))


def _queries() -> list[str]:
    out: list[str] = []
    for path in EVAL_FILES:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        out += [str(q["query"]) for q in raw.get("queries") or [] if q.get("command") == "search"]
    return out


QUERIES = _queries()


def _hits(index: ix.SearchIndex, plan: qm.QueryPlan) -> list[tuple[int, int, float]]:
    return [(h.section, h.unit, h.score) for h in rk.rank(index, plan)]


def test_there_are_queries_to_compare() -> None:
    assert len(QUERIES) >= 100


@pytest.mark.parametrize("make", [content_index, seed_index])
def test_rank_equals_the_plain_ranking(make) -> None:
    index = make()
    ranked = 0
    for q in QUERIES:
        plan = plan_query(index, q)
        expected = oracle.rank(index, plan, rk.POSTING_CAP)
        assert _hits(index, plan) == expected, q
        ranked += bool(expected)
    assert ranked > 100


def test_rank_of_postings_cut_at_the_cap_equals_the_plain_ranking(monkeypatch) -> None:
    """With lists cut short, a passage may hold a term its read postings do not show: its
    share of concepts still comes from its own terms."""
    index = content_index()
    monkeypatch.setattr(rk, "POSTING_CAP", 4)
    for q in QUERIES:
        plan = plan_query(index, q)
        assert _hits(index, plan) == oracle.rank(index, plan, 4), q


def test_rank_with_small_memos_and_cut_postings_equals_the_plain_ranking(monkeypatch) -> None:
    """A large corpus keeps few units' term sets and few titles' weights: the shares and
    title boosts of those it does not keep are read from the index's arrays, alike."""
    monkeypatch.setattr(ix, "UNIT_MEMO", 3)
    monkeypatch.setattr(ix, "SECTION_MEMO", 3)
    index = build_index(content_index().snapshot)
    monkeypatch.setattr(rk, "POSTING_CAP", 4)
    for q in QUERIES:
        plan = plan_query(index, q)
        assert _hits(index, plan) == oracle.rank(index, plan, 4), q
    assert len(index.unit_sets) <= 3 and len(index.title_maps) <= 3


def _doc(paragraphs: list[str]) -> Snapshot:
    return paragraph_snapshot(paragraphs, "Talks")


def test_rank_breaks_ties_at_the_candidate_boundary_by_unit() -> None:
    index = build_index(_doc(["Gas pipeline talks."] * 90 + ["Gas pipeline and gas talks."] * 10))
    plan = plan_query(index, "gas pipeline")
    hits = [(h.section, h.unit, h.score) for h in rk.rank(index, plan, limit=20)]
    assert hits == oracle.rank(index, plan, rk.POSTING_CAP, limit=20)
    assert [si for si, _, _ in hits[:10]] == list(range(90, 100))


def test_an_index_with_small_memos_answers_alike(monkeypatch) -> None:
    """Beyond its memos' bounds an index works values out on demand and drops the oldest."""
    whole = content_index()
    monkeypatch.setattr(ix, "UNIT_MEMO", 3)
    monkeypatch.setattr(ix, "SECTION_MEMO", 3)
    monkeypatch.setattr(qm, "_concepts", qm.MemoPerOwner(3, qm._concept))
    small = build_index(whole.snapshot)
    for q in QUERIES:
        assert search(small, q).to_json() == search(whole, q).to_json(), q
    assert len(qm._concepts(small)) <= 3


def test_kept_concepts_plan_as_fresh_ones() -> None:
    index = build_index(content_index().snapshot)
    queries = [*QUERIES, "russia russia", "defence defense", "sakhalin LNG lng sakhalin"]
    kept = [plan_query(index, q) for q in queries]
    assert len(qm._concepts(index)) > 500  # the content's words, made while building
    for q, plan in zip(queries, kept, strict=True):
        qm._concepts(index).clear()
        assert plan_query(index, q) == plan, q


def test_memo_is_bounded_and_drops_the_oldest() -> None:
    class Owner:
        made = 0

        def double(self, key: int) -> int:
            self.made += 1
            return key * 2

    owner = Owner()
    memo: Memo[int, int] = Memo(2, Owner.double, owner)
    assert (memo[1], memo[2], memo[1]) == (2, 4, 2)
    assert owner.made == 2
    assert memo[3] == 6  # drops 1, the oldest
    assert sorted(memo) == [2, 3] and owner.made == 3


def test_an_index_is_freed_by_reference_counting_alone() -> None:
    """A reload freezes the new index (gc.freeze): a reference cycle through it would never
    be collected, so nothing the index keeps may point back at it."""
    index = build_index(content_index().snapshot)
    for q in QUERIES[:20]:
        search(index, q)
        find_section(index, q)
        section_choices(index, q[:5], limit=25, width=100)
    ref = weakref.ref(index)
    gc.disable()
    try:
        del index
        assert ref() is None
    finally:
        gc.enable()
