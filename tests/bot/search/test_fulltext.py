from bot.search.ask import answer, find_section, search
from tests.support.search import content_index, seed_index


def test_search_groups_passages_by_section():
    ans = search(seed_index(), "november")
    keys = [r.key for r in ans.results]
    assert len(keys) == len(set(keys))


def test_search_on_bundled_content_finds_typo():
    ans = search(content_index(), "anti corupption")
    assert ans.status in ("ok", "choices")
    assert "anti-corruption" in ans.results[0].excerpt.replace("**", "")


def test_section_exact_title_and_parent_without_text():
    ans = find_section(seed_index(), "Situation in Russia")
    assert ans.status == "ok"
    assert ans.results[0].section_id == "russia/situation-in-russia"
    assert "Russian Economy" in ans.results[0].excerpt


def test_section_by_key_and_by_typo():
    index = seed_index()
    key = index.sections[3].key
    assert find_section(index, key).results[0].key == key
    assert find_section(index, "russain diplomcy").results[0].title == "Russian Diplomacy"


def test_section_none_for_nonsense():
    ans = answer(seed_index(), "section", "qwertyuiop zxcvbnm")
    assert ans.status == "none"
