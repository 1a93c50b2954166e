"""Opening a section from a button or a menu: the same rendered pages /section shows, for
the content being served when the click arrives (a section a reload removed is reported,
never guessed at). Shared by the lookup buttons and the briefing's "Read full section"."""

from __future__ import annotations

import threading
from typing import Any

import discord

from bot.app.errors import ContentUnavailableError, UserFacingError
from bot.app.render.components import Action, SectionOption, section_sid, section_view
from bot.app.render.embeds import SectionCache
from bot.search import SearchIndex

GONE = (
    "That section is no longer in the loaded content (it was removed or renamed in an "
    "update). Look it up again with `/section` or `/search`."
)


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


def may_edit(interaction: discord.Interaction[Any]) -> bool:
    """Only the person who asked turns the pages of a public answer; anyone else gets
    their own ephemeral copy, so one reader never moves the page under another."""
    message = interaction.message
    if message is None:
        return False
    if message.flags.ephemeral:
        return True
    meta = message.interaction_metadata
    return meta is None or meta.user.id == interaction.user.id


class SectionReader:
    """Rendered section pages (cached per content version) and the sids that name them."""

    def __init__(self) -> None:
        self.pages = SectionCache()
        self.sids = SidResolver()

    def message(
        self, index: SearchIndex, si: int, page: int = 0
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        rendered = self.pages.get(index, si)
        page, embed = rendered.page(page)
        children = [SectionOption(c.key, c.heading) for c in rendered.children]
        return embed, section_view(rendered.key, page, rendered.count, children)

    async def open(
        self, interaction: discord.Interaction[Any], index: SearchIndex | None, action: Action
    ) -> None:
        """Answer a click: edit the message in place (paging, "did you mean") when the
        clicker may, else an ephemeral copy for the clicker alone."""
        if index is None:
            raise ContentUnavailableError()
        si = self.sids.resolve(index, action.sid)
        if si is None:
            raise UserFacingError(GONE)
        embed, view = self.message(index, si, action.page)
        if action.mode == "e" and may_edit(interaction):
            await interaction.response.edit_message(
                content=None,
                embed=embed,
                view=view,
                allowed_mentions=discord.AllowedMentions.none(),
            )
            return
        await interaction.response.send_message(
            embed=embed,
            view=view if view is not None else discord.utils.MISSING,
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )
