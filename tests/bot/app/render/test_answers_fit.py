"""Every bundled section and every command answer, rendered, within every Discord limit.

Also a worst case built for the purpose (huge paragraphs, 40 long footnotes, 30 captions, a
300-character title) and the public evaluation queries, so a limit is never met by luck.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.app.render import embeds, limits
from bot.app.render.check import message_problems, rendered_problems
from bot.app.render.components import SectionOption, menu_view, section_view
from bot.content.model import Document, Footnote, Section, Snapshot
from bot.search import SearchIndex, build_index
from bot.search.ask import fact_lookup, find_section, search, summit_timeline, trade_figures
from bot.search.autocomplete import fact_topics, section_choices, topic_choices
from bot.search.loading import load_index
from tests.support.paths import CONTENT_DIR, EVAL_PUBLIC

CHOICES = {"limit": 25, "width": 100}  # Discord's autocomplete limits


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    found, problems = load_index(Path(CONTENT_DIR))
    assert found is not None, problems
    return found


def _queries() -> list[tuple[str, str]]:
    out = [("search", "Northern Territories"), ("section", "Japan-Russia")]
    if EVAL_PUBLIC.exists():
        data: Any = yaml.safe_load(EVAL_PUBLIC.read_text(encoding="utf-8"))
        out += [(q["command"], q["query"]) for q in data.get("queries", [])]
    out += [("search", "@everyone **bold** " + "x" * 400), ("section", "")]
    return out


async def _section_pages_ok(index: SearchIndex, si: int) -> int:
    pages = embeds.render_section(index, si)
    children = [SectionOption(c.key, c.heading) for c in pages.children]
    for n, embed in enumerate(pages.embeds):
        view = section_view(pages.key, n, pages.count, children)
        assert rendered_problems(embed, view) == [], (pages.key, n)
        assert len(embed) <= limits.EMBED_TOTAL
    return pages.count


async def test_every_bundled_section_fits(index: SearchIndex) -> None:
    total = 0
    for si in range(len(index.sections)):
        total += await _section_pages_ok(index, si)
    assert total > len(index.sections)  # at least one section needed several pages


async def test_every_text_answer_fits(index: SearchIndex) -> None:
    for command, query in _queries():
        if command == "search":
            answer = search(index, query)
            if answer.results:
                embed = embeds.search_embed(answer, index.snapshot.documents)
                assert rendered_problems(embed) == [], query
                assert len(embed.fields) == len(answer.results)
                continue
        else:
            answer = find_section(index, query)
            if answer.status == "choices":
                assert rendered_problems(embeds.choices_embed(answer)) == [], query
                continue
        text = embeds.nothing_message(answer.message, answer.suggestions, "hint")
        assert message_problems({"content": text}) == []


async def test_every_fact_topic_summit_and_trade_answer_fits(index: SearchIndex) -> None:
    topics = ["", *(t for t, _ in fact_topics(index)), "2019", "June 2019", "penguins"]
    docs = index.snapshot.documents
    for topic in topics:
        timeline = summit_timeline(index, topic)
        if timeline.events:
            assert rendered_problems(embeds.timeline_embed(timeline, docs)) == [], topic
        trade = trade_figures(index, topic)
        if trade.figures:
            assert rendered_problems(embeds.trade_embed(trade, docs)) == [], topic
        fact = fact_lookup(index, topic, random.Random(1))
        if fact.fact is not None:
            doc = index.snapshot.document(fact.fact.document)
            assert rendered_problems(embeds.fact_embed(fact, doc)) == [], topic
    for fact in index.snapshot.facts():  # every fact as the answer once
        answer = fact_lookup(index, fact.text[:200], random.Random(2))
        if answer.fact is not None:
            assert rendered_problems(embeds.fact_embed(answer, docs[0])) == []


def test_autocomplete_choices_fit(index: SearchIndex) -> None:
    for prefix in ["", "r", "ja", "north", "econ", "x" * 300, "@everyone"]:
        for choices in (
            section_choices(index, prefix, **CHOICES),
            topic_choices(index, prefix, **CHOICES),
        ):
            assert len(choices) <= limits.AUTOCOMPLETE_CHOICES
            for c in choices:
                assert 0 < len(c.name) <= limits.AUTOCOMPLETE_NAME
                assert 0 < len(c.value) <= limits.AUTOCOMPLETE_VALUE


def _worst_case_index() -> SearchIndex:
    words = "Japan and Russia held talks on the peace treaty and agreed to continue. "
    big = (words * 120).strip()  # ~8,600 characters, one paragraph
    section = Section(
        id="w",
        document_id="worst",
        label="(Z)",
        title="T" * 300,
        level=1,
        order=1,
        parent_id=None,
        paragraphs=(big, "*Short* _one_ with `code` and @everyone.", big, big),
        footnotes=tuple(Footnote(str(n), "Note text. " * 250) for n in range(1, 41)),
        captions=tuple("Photo caption " * 20 for _ in range(30)),
        children=tuple(f"w/c{i}" for i in range(30)),
    )
    children = tuple(
        Section(
            id=f"w/c{i}",
            document_id="worst",
            label=f"({i})",
            title="Child " + "c" * 150,
            level=2,
            order=2 + i,
            parent_id="w",
            paragraphs=("A child paragraph about the peace treaty.",),
        )
        for i in range(30)
    )
    doc = Document(
        id="worst",
        title="B" * 300,
        edition=2099,
        chapter="",
        section="",
        source_url="https://example.org/" + "p" * 50,
        language="en",
        sections=(section, *children),
    )
    return build_index(Snapshot.build((doc,)))


async def test_a_worst_case_section_still_fits_every_limit() -> None:
    index = _worst_case_index()
    pages = embeds.render_section(index, 0)
    assert pages.count >= 6
    await _section_pages_ok(index, 0)
    fields = [f for e in pages.embeds for f in e.fields]
    assert sum(f.name == "Photo" for f in fields) == 30
    assert {f"Footnote {n}" for n in range(1, 41)} <= {f.name for f in fields}
    text = "".join(e.description or "" for e in pages.embeds)
    assert "\\*Short\\* \\_one\\_" in text  # content Markdown shown as written
    answer = search(index, "peace treaty")
    if answer.results:
        assert rendered_problems(embeds.search_embed(answer)) == []
    many = [SectionOption(e.key, e.section.heading, e.breadcrumb) for e in index.sections]
    view = menu_view(many, "n", "Read section")
    assert rendered_problems(view=view) == []


def test_the_checker_catches_what_discord_rejects() -> None:
    import discord

    too_long = discord.Embed(title="t" * 257, description="d" * 4097)
    too_long.add_field(name="n", value="v" * 1025)
    problems = rendered_problems(too_long)
    assert any("title" in p for p in problems) and any("description" in p for p in problems)
    assert any("fields[0].value" in p for p in problems)
    assert any(
        "total" in p for p in message_problems({"embeds": [{"description": "d" * 4000}] * 2})
    )
    row = {"type": 1, "components": [{"type": 2, "custom_id": "x" * 101, "label": "b"}]}
    assert message_problems({"components": [row]}) == ["components[0][0].custom_id: 101 > 100"]
