import dataclasses

from bot.content.model import Document, Section, Snapshot
from bot.search import build_index
from bot.search.autocomplete import section_choices, topic_choices
from tests.support.search import content_index

CHOICES = {"limit": 25, "width": 100}  # Discord's autocomplete limits


def _big_index():
    sections = [
        Section(
            id=f"s{i}",
            document_id="d",
            label=str(i),
            title=f"Relations with country number {i} " + "x" * 120,
            level=1,
            order=i,
            parent_id=None,
            paragraphs=(f"Text {i}. " * (i + 1),),
        )
        for i in range(60)
    ]
    doc = Document("d", "Doc", 2020, "", "", "", "en", tuple(sections))
    return build_index(Snapshot.build((doc,)))


def test_at_most_25_choices_of_at_most_100_chars():
    index = _big_index()
    for prefix in ("", "rel", "relations with country"):
        choices = section_choices(index, prefix, **CHOICES)
        assert 0 < len(choices) <= 25
        assert all(len(c.name) <= 100 and len(c.value) <= 100 for c in choices)


def test_empty_prefix_prefers_top_level_and_long_sections_in_document_order():
    index = content_index()
    choices = section_choices(index, "", **CHOICES)
    keys = [c.value for c in choices]
    by_title = {e.section.title: i for i, e in enumerate(index.sections)}
    order = [index.section_idx(k) if "#" in k else by_title[k] for k in keys]
    assert order == sorted(order)
    assert index.sections[order[0]].section.level == 1


def test_prefix_uses_the_section_scorer():
    index = content_index()
    names = [c.name for c in section_choices(index, "northern t", **CHOICES)]
    assert names and "Northern Territories" in names[0]
    assert all(dataclasses.is_dataclass(c) for c in topic_choices(index, "", **CHOICES))
    assert len(topic_choices(index, "", **CHOICES)) <= 25
