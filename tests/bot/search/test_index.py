"""The flat index structures: posting lists, per-unit terms, title weights, prefix table."""

from __future__ import annotations

import numpy as np

from bot.content.model import Snapshot
from bot.search import build_index, chunked
from bot.search import index as ix
from bot.search import tokens as tx
from tests.support.search import paragraph_snapshot, seed_index


def _doc(paragraphs: list[str]) -> Snapshot:
    return paragraph_snapshot(paragraphs, "Maritime Security Talks")


def test_postings_are_sorted_best_first_and_match_unit_terms():
    index = seed_index()
    for term_id in range(0, len(index.terms), 97):
        units, impacts = index.postings(term_id, cap=10**9)
        assert len(units) == index.df[term_id]
        assert all(impacts[:-1] >= impacts[1:])
        for u in units[:20].tolist():
            assert term_id in index.unit_terms(u)


def test_posting_cap_bounds_what_a_query_reads():
    index = build_index(_doc([f"trade figure {i} " + "trade " * (i % 5) for i in range(40)]))
    units, impacts = index.postings(index.term_ids[tx.term("trade")], cap=7)
    assert len(units) == len(impacts) == 7
    full, full_imp = index.postings(index.term_ids[tx.term("trade")], cap=1000)
    assert len(full) == 40 and np.array_equal(full[:7], units)
    assert full_imp[0] > full_imp[-1]  # more mentions in a short unit score higher


def test_phrase_terms_and_title_weights():
    index = build_index(_doc(["Maritime security agencies met.", "Security alone."]))
    phrase = index.term_ids[ix.phrase_term((tx.term("maritime"), tx.term("security")))]
    units, _ = index.postings(phrase)
    assert units.tolist() == [0]
    weights = index.title_maps[0]
    assert weights[index.term_ids[tx.term("talks")]] == 1.0
    assert index.term_ids[tx.term("talks")] in index.section_sets[1]


def test_unit_terms_are_sorted_distinct_term_ids():
    index = build_index(_doc(["Trade and trade again.", "Gas talks."]))
    first = index.unit_terms(0).tolist()
    assert first == sorted(set(first)) and index.term_ids[tx.term("trade")] in first
    assert index.unit_sets[1] == frozenset(index.unit_terms(1))
    assert index.term_ids[tx.term("gas")] not in index.unit_sets[0]


def test_empty_snapshot_builds():
    index = build_index(Snapshot.build(()))
    assert index.n_units == 0 and index.related_terms("disqualified") == []


def test_related_terms_use_the_sorted_prefix_table():
    index = build_index(
        _doc(["He was disqualified.", "The disqualification stands.", "Discount rates."])
    )
    related = index.related_terms("disqualifi")
    assert "disqualification" in related and "discount" not in related


def test_chunked_sorted_equals_sorted(monkeypatch):
    monkeypatch.setattr(chunked, "SORT_CHUNK", 3)
    words = ["pear", "apple", "fig", "kiwi", "apple", "date", "banana", "cherry"]
    assert chunked.chunked_sorted(words) == sorted(words)
