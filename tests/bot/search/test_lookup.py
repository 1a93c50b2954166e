"""Name index (flat postings, bounded candidates), typo repair buckets, autocomplete cache."""

from __future__ import annotations

from bot.search import autocomplete as ac
from bot.search.lookup import best_names, prepare
from bot.search.names import NameIndex, make_name
from bot.search.vocab import Vocabulary
from tests.support.search import content_index

CHOICES = {"limit": 25, "width": 100}  # Discord's autocomplete limits


def _names(titles: list[str]) -> NameIndex:
    return NameIndex([(make_name(t),) for t in titles])


def test_candidates_prefer_more_shared_words_then_shorter_names():
    titles = [f"Japan Russia Relations extra words number {i}" for i in range(50)]
    titles.append("Japan Russia Relations")
    titles.append("Russia Economy")
    index = _names(titles)
    index.CANDIDATES = 5
    found = index.candidates(prepare(None, "japan russia relations"), prefix=False)
    assert len(found) == 5 and found[0] == 50 and 51 not in found


def test_candidates_include_prefix_completions_of_the_last_word():
    index = _names(["Northern Territories", "Northern Europe", "Economy"])
    found = index.candidates(prepare(None, "northern terr"), prefix=True)
    assert set(found) == {0, 1}


def test_fallback_without_shared_words_is_bounded_to_the_same_head(monkeypatch):
    titles = ["Kuril Islands"] + [f"Zeta {i}" for i in range(30)]
    monkeypatch.setattr(NameIndex, "FALLBACK_SCAN", 10)
    index = _names(titles)
    assert index.candidates(prepare(None, "kurli islnads"), prefix=False)[:1] == [0]


def test_best_names_scores_match_the_single_name_scorer():
    names = [(make_name("Japan-Russia Relations"), make_name("Russia ties")), (make_name("Trade"),)]
    ranked = best_names(None, "russia ties", names)
    assert ranked[0] == (1.0, 0)


def test_repair_same_first_letter_and_two_edit_first_letter_cases():
    vocab = Vocabulary({"economy": 5, "ecology": 1, "international": 3, "vaccine": 2})
    assert vocab.repair("econmy") == "economy"
    assert vocab.repair("interantional") == "international"  # two edits, long word
    assert vocab.repair("nternational") == "international"  # first letter dropped
    assert vocab.repair("xnternational") == "international"  # first letter replaced
    assert vocab.repair("baccine") is None  # one edit at the first letter is not enough


def test_autocomplete_answers_are_kept_per_index_and_bounded(monkeypatch):
    monkeypatch.setattr(ac, "_answers", ac.MemoPerOwner(2, ac._make))
    index = content_index()
    first = ac.section_choices(index, "northern t", **CHOICES)
    assert ac.section_choices(index, "northern t", **CHOICES) is first
    ac.section_choices(index, "japan", **CHOICES)
    ac.section_choices(index, "russia", **CHOICES)
    assert len(ac._answers(index)) == 2
    assert ac.topic_choices(index, "", **CHOICES) == ac.topic_choices(index, "", **CHOICES)
