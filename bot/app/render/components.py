"""Buttons and select menus, and the custom_id encoding that lets them outlive the bot.

A custom_id holds at most 100 characters, and section keys are longer than that, so a
section travels as `sid`: the first 12 hex digits of a BLAKE2b hash of its key, resolved
through the snapshot being served *when the click arrives*. Nothing about a message is kept
in memory: a click after a restart or a reload works the same as one a second later, and
a section removed by a reload is reported instead of guessed at.

custom_id formats (all ASCII, at most 26 characters):

    bb:pg:<sid>:<page>     page button: show page <page> (0-based) of section <sid>
    bb:op:<mode>:<slot>    select menu whose chosen value is a sid; mode `e` edits the
                           message in place ("did you mean", subsections), `n` answers
                           with a new message (search results, "Read section")
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, Protocol, cast

import discord

from bot.app.render import limits
from bot.search.index import SearchIndex

SID_CHARS = 12
MAX_PAGE = 9999
PAGE_TEMPLATE = re.compile(r"^bb:pg:(?P<sid>[0-9a-f]{12}):(?P<page>[0-9]{1,4})$")
OPEN_TEMPLATE = re.compile(r"^bb:op:(?P<mode>[en]):(?P<slot>[0-9])$")
COG_NAME = "Lookup"

Mode = Literal["e", "n"]


def section_sid(key: str) -> str:
    """A short, stable id for a section key (`doc#path`), the same in every process."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=SID_CHARS // 2).hexdigest()


def page_custom_id(sid: str, page: int) -> str:
    return f"bb:pg:{sid}:{max(0, min(page, MAX_PAGE))}"


def open_custom_id(mode: Mode, slot: int = 0) -> str:
    return f"bb:op:{mode}:{slot % 10}"


@dataclass(frozen=True, slots=True)
class Action:
    """What a click asks for, decoded from its custom_id (and chosen value)."""

    sid: str
    page: int
    mode: Mode  # e: edit the message, n: new message


def parse_custom_id(custom_id: str, values: Sequence[str] = ()) -> Action | None:
    """The action for a custom_id, None when it is not ours or the value is malformed."""
    match = PAGE_TEMPLATE.match(custom_id)
    if match:
        return Action(match["sid"], int(match["page"]), "e")
    match = OPEN_TEMPLATE.match(custom_id)
    if match and values and re.fullmatch(r"[0-9a-f]{12}", values[0]):
        mode: Mode = "e" if match["mode"] == "e" else "n"
        return Action(values[0], 0, mode)
    return None


class SidResolver:
    """sid -> position in the index, for the snapshot being served (rebuilt on a new hash)."""

    def __init__(self) -> None:
        self._hash: str | None = None
        self._map: dict[str, int] = {}
        self._lock = threading.Lock()

    def resolve(self, index: SearchIndex, sid: str) -> int | None:
        content_hash = index.snapshot.content_hash
        with self._lock:
            if content_hash == self._hash:
                return self._map.get(sid)
        mapping = {section_sid(e.key): i for i, e in enumerate(index.sections)}
        with self._lock:
            self._hash, self._map = content_hash, mapping
        return mapping.get(sid)


# -- dispatch to the cog ---------------------------------------------------------------------


class ComponentHandler(Protocol):
    async def handle_component(self, interaction: discord.Interaction, action: Action) -> None: ...


async def _dispatch(interaction: discord.Interaction, action: Action | None) -> None:
    """Hand a click to the lookup cog of the bot that received it (two bots may share a
    process in tests, so the handler is looked up per client, never stored on the class)."""
    client: Any = interaction.client
    handler = client.get_cog(COG_NAME) if hasattr(client, "get_cog") else None
    if handler is None or action is None:
        await interaction.response.send_message(
            "This button no longer works; run the command again.", ephemeral=True
        )
        return
    await handler.handle_component(interaction, action)


class PageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=PAGE_TEMPLATE):
    """Previous/Next: the target page is in the custom_id, so no state is kept."""

    def __init__(self, sid: str, page: int, label: str = "Next", disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=limits.clip(label, limits.BUTTON_LABEL),
                style=discord.ButtonStyle.secondary,
                custom_id=page_custom_id(sid, page),
                disabled=disabled,
            )
        )
        self.sid = sid
        self.page = page

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> PageButton:
        label = getattr(item, "label", None) or "Page"
        return cls(match["sid"], int(match["page"]), label=label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _dispatch(interaction, Action(self.sid, self.page, "e"))


class OpenSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=OPEN_TEMPLATE):
    """A menu of sections; the chosen option's value is the section's sid."""

    def __init__(
        self,
        mode: Mode,
        slot: int,
        options: Sequence[discord.SelectOption],
        placeholder: str = "Open a section",
    ) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=open_custom_id(mode, slot),
                placeholder=limits.clip(placeholder, 150),
                options=list(options)[: limits.SELECT_OPTIONS],
                min_values=1,
                max_values=1,
            )
        )
        self.mode: Mode = mode

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> OpenSelect:
        options = getattr(item, "options", None) or [discord.SelectOption(label="?", value="0")]
        mode: Mode = "e" if match["mode"] == "e" else "n"
        return cls(mode, int(match["slot"]), options, getattr(item, "placeholder", "") or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        data: Any = interaction.data or {}
        values = [str(v) for v in data.get("values") or []]
        await _dispatch(interaction, parse_custom_id(self.item.custom_id, values))


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (PageButton, OpenSelect)


# -- views -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SectionOption:
    """One entry of a section menu: shown label and description, the section's key."""

    key: str
    label: str
    description: str = ""

    def to_select_option(self) -> discord.SelectOption:
        return discord.SelectOption(
            label=limits.clip(self.label or "Section", limits.SELECT_OPTION_LABEL),
            value=section_sid(self.key),
            description=limits.clip(self.description, limits.SELECT_OPTION_DESCRIPTION) or None,
        )


def select_options(options: Sequence[SectionOption]) -> list[discord.SelectOption]:
    """Deduplicated by section (Discord rejects repeated values), at most 25."""
    out: list[discord.SelectOption] = []
    seen: set[str] = set()
    for option in options:
        select = option.to_select_option()
        if select.value in seen:
            continue
        seen.add(select.value)
        out.append(select)
        if len(out) >= limits.SELECT_OPTIONS:
            break
    return out


# Option dicts kept: one per (key, label, description) seen; a few hundred bytes each.
OPTION_DICT_CACHE = 4096


@lru_cache(maxsize=OPTION_DICT_CACHE)
def _option_dict(option: SectionOption) -> tuple[str, dict[str, Any]]:
    """(sid, the option as discord.py serialises it): the BLAKE2b and clipping done once
    per distinct option rather than on every answer that lists it."""
    select = option.to_select_option()
    return select.value, cast(dict[str, Any], select.to_dict())


@lru_cache(maxsize=64)
def _select_skeleton(mode: Mode, slot: int, placeholder: str) -> dict[str, Any]:
    """An OpenSelect's component dict without its options, as discord.py renders it."""
    item = OpenSelect(mode, slot, [discord.SelectOption(label="-", value="-")], placeholder)
    rendered: dict[str, Any] = item.to_component_dict()
    rendered.pop("options")
    return rendered


class RenderedView(discord.ui.View):
    """A stopped view whose component rows were rendered straight to dicts.

    Its items are dynamic (state in the custom_id), so discord.py needs nothing from the
    view but `to_components()`: building the `ui.Select` and `DynamicItem` objects only to
    serialise them again cost more than the rest of the reply's rendering. The rows come
    from discord.py's own serialisation of each piece (`_option_dict`, `_select_skeleton`),
    and a test checks them against the item-built view.
    """

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        super().__init__(timeout=None)
        self._rows = rows
        self.stop()  # out of the view store, like _finished below

    def to_components(self) -> list[dict[str, Any]]:
        return self._rows


def no_view() -> discord.ui.View | None:
    return None


def reusable_view(rows: list[dict[str, Any]]) -> Callable[[], discord.ui.View | None]:
    """The view of a cached reply: made at its first send (a view belongs to the running
    loop), then the same one for every send. It is stopped, so discord.py only reads its
    rows; a view per send cost a random id from the OS and a future each time."""
    if not rows:
        return no_view
    made: list[RenderedView] = []

    def view() -> discord.ui.View:
        if not made:
            made.append(RenderedView(rows))
        return made[0]

    return view


def menu_rows(
    options: Sequence[SectionOption], mode: Mode, placeholder: str, slot: int = 1
) -> list[dict[str, Any]]:
    """The component rows of `menu_view` (deduplicated, at most 25 options), or []."""
    rendered: list[dict[str, Any]] = []
    seen: set[str] = set()
    for option in options:
        sid, as_dict = _option_dict(option)
        if sid in seen:
            continue
        seen.add(sid)
        rendered.append(dict(as_dict))
        if len(rendered) >= limits.SELECT_OPTIONS:
            break
    if not rendered:
        return []
    select = dict(_select_skeleton(mode, slot, placeholder))
    select["options"] = rendered
    return [{"type": 1, "components": [select]}]


def _finished(view: discord.ui.View) -> discord.ui.View | None:
    """A view whose items are all dynamic needs no entry in discord.py's view store (which
    would otherwise keep every message's view for the life of the process): stopping it
    before sending keeps it out, and clicks reach the dynamic items by custom_id."""
    if not view.children:
        return None
    view.stop()
    return view


@lru_cache(maxsize=OPTION_DICT_CACHE)
def _page_button_dict(sid: str, page: int, label: str, disabled: bool) -> dict[str, Any]:
    """A PageButton's component dict, as discord.py renders it."""
    rendered: dict[str, Any] = PageButton(sid, page, label, disabled).to_component_dict()
    return rendered


def section_rows(
    key: str, page: int, pages: int, children: Sequence[SectionOption] = ()
) -> list[dict[str, Any]]:
    """The component rows of `section_view`: Previous/Next in one row, then the menu."""
    rows: list[dict[str, Any]] = []
    sid = section_sid(key)
    if pages > 1:
        buttons = [
            dict(_page_button_dict(sid, max(page - 1, 0), "◀ Previous", page <= 0)),
            dict(_page_button_dict(sid, min(page + 1, pages - 1), "Next ▶", page >= pages - 1)),
        ]
        rows.append({"type": 1, "components": buttons})
    return rows + menu_rows(children, "e", "Open a subsection", slot=0)


def section_view(
    key: str,
    page: int,
    pages: int,
    children: Sequence[SectionOption] = (),
) -> discord.ui.View | None:
    """Previous/Next when the section has several pages, a menu of its subsections."""
    rows = section_rows(key, page, pages, children)
    return RenderedView(rows) if rows else None


def section_view_items(
    key: str,
    page: int,
    pages: int,
    children: Sequence[SectionOption] = (),
) -> discord.ui.View | None:
    """`section_view` built from discord.ui items: the reference `section_rows` must equal."""
    view = discord.ui.View(timeout=None)
    sid = section_sid(key)
    if pages > 1:
        view.add_item(PageButton(sid, max(page - 1, 0), "◀ Previous", disabled=page <= 0))
        view.add_item(
            PageButton(sid, min(page + 1, pages - 1), "Next ▶", disabled=page >= pages - 1)
        )
    options = select_options(children)
    if options:
        view.add_item(OpenSelect("e", 0, options, "Open a subsection"))
    return _finished(view)


def menu_view(
    options: Sequence[SectionOption], mode: Mode, placeholder: str
) -> discord.ui.View | None:
    """One select menu of sections (did-you-mean, search results, "Read section")."""
    rows = menu_rows(options, mode, placeholder)
    return RenderedView(rows) if rows else None


def menu_view_items(
    options: Sequence[SectionOption], mode: Mode, placeholder: str
) -> discord.ui.View | None:
    """`menu_view` built from discord.ui items: the reference `menu_rows` must equal."""
    view = discord.ui.View(timeout=None)
    selects = select_options(options)
    if selects:
        view.add_item(OpenSelect(mode, 1, selects, placeholder))
    return _finished(view)
