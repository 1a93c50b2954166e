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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import discord

from bot.app.render import limits

SID_CHARS = 12
MAX_PAGE = 9999
PAGE_TEMPLATE = re.compile(r"^bb:pg:(?P<sid>[0-9a-f]{12}):(?P<page>[0-9]{1,4})$")
OPEN_TEMPLATE = re.compile(r"^bb:op:(?P<mode>[en]):(?P<slot>[0-9])$")

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
        if select.value not in seen:
            seen.add(select.value)
            out.append(select)
        if len(out) >= limits.SELECT_OPTIONS:
            break
    return out


def _finished(view: discord.ui.View) -> discord.ui.View | None:
    """Every component's state is in its custom_id, so discord.py needs nothing from a
    view but its rows: a stopped view stays out of the view store (which would otherwise
    keep every message's view for the life of the process)."""
    if not view.children:
        return None
    view.stop()
    return view


def page_button(sid: str, page: int, label: str, disabled: bool) -> discord.ui.Button[Any]:
    return discord.ui.Button(
        label=limits.clip(label, limits.BUTTON_LABEL),
        style=discord.ButtonStyle.secondary,
        custom_id=page_custom_id(sid, page),
        disabled=disabled,
    )


def section_select(
    mode: Mode, slot: int, options: Sequence[discord.SelectOption], placeholder: str
) -> discord.ui.Select[Any]:
    return discord.ui.Select(
        custom_id=open_custom_id(mode, slot),
        placeholder=limits.clip(placeholder, limits.SELECT_PLACEHOLDER),
        options=list(options)[: limits.SELECT_OPTIONS],
        min_values=1,
        max_values=1,
    )


def section_view(
    key: str, page: int, pages: int, children: Sequence[SectionOption] = ()
) -> discord.ui.View | None:
    """Previous/Next when the section has several pages, a menu of its subsections."""
    view = discord.ui.View(timeout=None)
    sid = section_sid(key)
    if pages > 1:
        view.add_item(page_button(sid, max(page - 1, 0), "◀ Previous", page <= 0))
        view.add_item(page_button(sid, min(page + 1, pages - 1), "Next ▶", page >= pages - 1))
    options = select_options(children)
    if options:
        view.add_item(section_select("e", 0, options, "Open a subsection"))
    return _finished(view)


def menu_view(
    options: Sequence[SectionOption], mode: Mode, placeholder: str
) -> discord.ui.View | None:
    """One select menu of sections (did-you-mean, search results, "Read section")."""
    view = discord.ui.View(timeout=None)
    selects = select_options(options)
    if selects:
        view.add_item(section_select(mode, 1, selects, placeholder))
    return _finished(view)


ViewFactory = Callable[[], discord.ui.View | None]


def no_view() -> None:
    return None


def made_once(build: ViewFactory) -> ViewFactory:
    """The view of a cached reply: built at its first send (a view belongs to the running
    event loop), then the same stopped view for every send."""
    made: list[discord.ui.View | None] = []

    def view() -> discord.ui.View | None:
        if not made:
            made.append(build())
        return made[0]

    return view
