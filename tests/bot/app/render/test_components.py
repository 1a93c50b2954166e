"""custom_id encoding: short, stable, round-tripping, resolved through the current snapshot."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import discord
import pytest

from bot.app.reader import SidResolver
from bot.app.render import limits
from bot.app.render.components import (
    OPEN_TEMPLATE,
    PAGE_TEMPLATE,
    Action,
    SectionOption,
    made_once,
    menu_view,
    no_view,
    open_custom_id,
    page_custom_id,
    parse_custom_id,
    section_sid,
    section_view,
)
from bot.search import SearchIndex, build_index
from bot.search.loading import load_index
from tests.support.paths import CONTENT_DIR


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    found, problems = load_index(Path(CONTENT_DIR))
    assert found is not None, problems
    return found


def test_every_bundled_section_round_trips_through_a_short_custom_id(index: SearchIndex) -> None:
    resolver = SidResolver()
    sids = set()
    for i, entry in enumerate(index.sections):
        sid = section_sid(entry.key)
        sids.add(sid)
        for page in (0, 1, 57, 9999):
            custom_id = page_custom_id(sid, page)
            assert len(custom_id) <= limits.CUSTOM_ID
            assert PAGE_TEMPLATE.match(custom_id)
            assert parse_custom_id(custom_id) == Action(sid, page, "e")
        assert resolver.resolve(index, sid) == i
    assert len(sids) == len(index.sections)
    assert max(len(e.key) for e in index.sections) > limits.CUSTOM_ID  # why the hash exists


def test_the_sid_is_stable_across_processes() -> None:
    # fixed value: a click on a message sent by an older process must still resolve
    assert section_sid("bluebook-2020-russia#russia") == section_sid("bluebook-2020-russia#russia")
    assert re.fullmatch(r"[0-9a-f]{12}", section_sid("x#y"))
    assert section_sid("a#b") != section_sid("a#c")


def test_select_custom_ids_and_values() -> None:
    sid = section_sid("doc#a")
    for mode in ("e", "n"):
        custom_id = open_custom_id(mode, 3)  # type: ignore[arg-type]
        assert OPEN_TEMPLATE.match(custom_id) and len(custom_id) <= limits.CUSTOM_ID
        assert parse_custom_id(custom_id, [sid]) == Action(sid, 0, mode)  # type: ignore[arg-type]
    assert parse_custom_id(open_custom_id("e"), ["not-a-sid"]) is None
    assert parse_custom_id(open_custom_id("e"), []) is None
    assert parse_custom_id("someone-elses:button") is None
    assert parse_custom_id("bb:pg:zzzz:1") is None


def test_a_removed_section_does_not_resolve(index: SearchIndex) -> None:
    resolver = SidResolver()
    gone = index.sections[-1]
    assert resolver.resolve(index, section_sid(gone.key)) is not None
    doc = index.snapshot.documents[0]
    kept = tuple(s for s in doc.sections if s.id != gone.section.id)
    parent = doc.get(gone.section.parent_id or "")
    fixed = []
    for s in kept:
        if parent is not None and s.id == parent.id:
            s = dataclasses.replace(
                s, children=tuple(c for c in s.children if c != gone.section.id)
            )
        fixed.append(s)
    facts = tuple(f for f in doc.facts if f.section_id != gone.section.id)
    new_doc = dataclasses.replace(doc, sections=tuple(fixed), facts=facts)
    new_index = build_index(type(index.snapshot).build((new_doc,)))
    assert resolver.resolve(new_index, section_sid(gone.key)) is None
    assert resolver.resolve(new_index, section_sid(index.sections[0].key)) == 0


async def test_views_have_unique_ids_within_limits_and_are_not_stored() -> None:
    view = section_view(
        "doc#" + "x" * 150, 1, 3, [SectionOption(f"doc#c{i}", f"C{i}") for i in range(40)]
    )
    assert view is not None and view.is_finished()  # kept out of discord.py's view store
    rows = view.to_components()
    ids = [c["custom_id"] for row in rows for c in row["components"]]
    assert len(ids) == len(set(ids)) == 3
    select = rows[-1]["components"][0]
    assert len(select["options"]) == limits.SELECT_OPTIONS
    long_label = SectionOption("doc#z", "L" * 300, "D" * 300).to_select_option()
    assert len(long_label.label) <= 100 and len(long_label.description or "") <= 100
    repeated = menu_view(
        [SectionOption("doc#a", "A"), SectionOption("doc#a", "A again")], "n", "Go"
    )
    assert repeated is not None
    assert len(repeated.to_components()[0]["components"][0]["options"]) == 1
    assert section_view("doc#a", 0, 1) is None
    assert menu_view([], "n", "Go") is None


async def test_a_cached_replys_view_is_made_once_and_reused() -> None:
    built: list[int] = []

    def build() -> discord.ui.View | None:
        built.append(1)
        return menu_view([SectionOption("doc#a", "A")], "n", "Go")

    recipe = made_once(build)
    first, again = recipe(), recipe()
    assert first is again and first is not None and first.is_finished()
    assert built == [1]
    assert no_view() is None


async def test_page_buttons_point_at_the_neighbouring_pages() -> None:
    sid = section_sid("doc#a")
    for pages, page in ((2, 0), (3, 1), (3, 2)):
        view = section_view("doc#a", page, pages)
        assert view is not None
        buttons = view.to_components()[0]["components"]
        previous, following = (parse_custom_id(b["custom_id"]) for b in buttons)
        assert previous == Action(sid, max(page - 1, 0), "e")
        assert following == Action(sid, min(page + 1, pages - 1), "e")
        assert [b.get("disabled", False) for b in buttons] == [page == 0, page == pages - 1]
