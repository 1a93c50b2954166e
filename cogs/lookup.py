"""/section, /search, /summit, /trade and /fact: parse, call bot.commands, render, answer.

The logic lives in `bot.commands` (pure functions over the search index) and the rendering
in `bot.render`; this cog only glues them to discord.py. The index is read from the app on
every interaction (`bot.search_index`), never kept here, so a reload is seen at once.
Answers go out with `interaction.response.send_message` straight away: every command is
a few milliseconds of CPU, well inside Discord's 3-second window, so deferring would only
cost an extra request.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import limits
from bot.app import reply_ephemeral
from bot.commands import fact_lookup, find_section, summit_timeline, trade_figures
from bot.commands import search as run_search
from bot.commands.facts_common import FactView
from bot.errors import ContentUnavailableError
from bot.model import Document
from bot.render import embeds
from bot.render.components import (
    COG_NAME,
    DYNAMIC_ITEMS,
    Action,
    SectionOption,
    SidResolver,
    menu_view,
    section_view,
)
from bot.search.autocomplete import section_choices, topic_choices
from bot.search.index import SearchIndex

log = logging.getLogger(__name__)

PRIVATE_HELP = "Only you see the answer"
GONE = (
    "That section is no longer in the loaded content (it was removed or renamed in an "
    "update). Look it up again with `/section` or `/search`."
)


def _documents(index: SearchIndex, doc_ids: Iterable[str]) -> list[Document]:
    out: list[Document] = []
    for doc_id in dict.fromkeys(doc_ids):
        doc = index.snapshot.document(doc_id)
        if doc is not None:
            out.append(doc)
    return out


def _fact_options(index: SearchIndex, facts: Iterable[FactView]) -> list[SectionOption]:
    options = []
    for fact in facts:
        entry = index.entry(f"{fact.document}#{fact.section_id}")
        if entry is not None:
            options.append(SectionOption(entry.key, entry.section.heading, entry.breadcrumb))
    return options


def _send_kwargs(
    embed: discord.Embed, view: discord.ui.View | None, private: bool
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"embed": embed, "ephemeral": private}
    if view is not None:
        kwargs["view"] = view
    return kwargs


class Lookup(commands.Cog, name=COG_NAME):
    """Reading the content: sections, search, the summit timeline, trade figures, facts."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.sections = embeds.SectionCache()
        self.sids = SidResolver()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    # -- shared ------------------------------------------------------------------------------

    def index(self) -> SearchIndex:
        """The index being served right now; read per interaction, so reloads apply."""
        index = getattr(self.bot, "search_index", None)
        if index is None:
            raise ContentUnavailableError()
        return index

    def _index_or_none(self) -> SearchIndex | None:
        return getattr(self.bot, "search_index", None)

    def section_message(
        self, index: SearchIndex, si: int, page: int = 0
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        rendered = self.sections.get(index, si)
        page, embed = rendered.page(page)
        children = [SectionOption(c.key, c.heading) for c in rendered.children]
        return embed, section_view(rendered.key, page, rendered.count, children)

    async def _nothing(
        self,
        interaction: discord.Interaction,
        message: str,
        suggestions: Iterable[str] = (),
        hint: str = "",
    ) -> None:
        text = embeds.nothing_message(message, tuple(suggestions), hint)
        await interaction.response.send_message(text, ephemeral=True)

    # -- /section ------------------------------------------------------------------------------

    @app_commands.command(name="section", description="Read a section of the Diplomatic Bluebook")
    @app_commands.describe(
        query="The section's title (pick one) or words from it", private=PRIVATE_HELP
    )
    async def section(
        self, interaction: discord.Interaction, query: str, private: bool = False
    ) -> None:
        index = self.index()
        answer = find_section(index, query)
        if answer.status == "ok" and answer.top is not None:
            si = index.section_idx(answer.top.key)
            if si is not None:
                embed, view = self.section_message(index, si)
                await interaction.response.send_message(**_send_kwargs(embed, view, private))
                return
        if answer.status == "choices" and answer.results:
            options = [SectionOption(r.key, r.title, r.breadcrumb) for r in answer.results]
            view = menu_view(options, "e", "Did you mean…?")
            embed = embeds.choices_embed(answer)
            await interaction.response.send_message(**_send_kwargs(embed, view, private))
            return
        await self._nothing(
            interaction,
            answer.message or "No section matches that name.",
            answer.suggestions,
            "Or search the text with `/search`.",
        )

    @section.autocomplete("query")
    async def section_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        index = self._index_or_none()
        if index is None:
            return []
        return [
            app_commands.Choice(name=c.name, value=c.value)
            for c in section_choices(index, current)[: limits.AUTOCOMPLETE_CHOICES]
        ]

    # -- /search -------------------------------------------------------------------------------

    @app_commands.command(name="search", description="Search the text of the Diplomatic Bluebook")
    @app_commands.describe(query="Words, a name or a question", private=PRIVATE_HELP)
    async def search(
        self, interaction: discord.Interaction, query: str, private: bool = False
    ) -> None:
        index = self.index()
        answer = run_search(index, query)
        if answer.status in ("ok", "choices") and answer.results:
            docs = _documents(index, (r.document for r in answer.results))
            options = [SectionOption(r.key, r.title, r.breadcrumb) for r in answer.results]
            view = menu_view(options, "n", "Open a passage's section")
            embed = embeds.search_embed(answer, docs)
            await interaction.response.send_message(**_send_kwargs(embed, view, private))
            return
        await self._nothing(
            interaction,
            answer.message,
            answer.suggestions,
            "Try other words, or browse with `/section`.",
        )

    # -- /summit -------------------------------------------------------------------------------

    @app_commands.command(name="summit", description="Summits, ministerial meetings and visits")
    @app_commands.describe(
        query="A place, person, year or month (leave empty for all)", private=PRIVATE_HELP
    )
    async def summit(
        self, interaction: discord.Interaction, query: str = "", private: bool = False
    ) -> None:
        index = self.index()
        timeline = summit_timeline(index, query)
        if timeline.status != "ok" or not timeline.events:
            await self._nothing(
                interaction,
                timeline.message,
                hint="Try a year (`2019`), a place (`Osaka`) or leave the query empty.",
            )
            return
        docs = _documents(index, (e.document for e in timeline.events))
        view = menu_view(_fact_options(index, timeline.events), "n", "Read section")
        embed = embeds.timeline_embed(timeline, docs)
        await interaction.response.send_message(**_send_kwargs(embed, view, private))

    # -- /trade --------------------------------------------------------------------------------

    @app_commands.command(name="trade", description="Trade, investment and economic figures")
    @app_commands.describe(
        query="A topic such as investment or energy (optional)", private=PRIVATE_HELP
    )
    async def trade(
        self, interaction: discord.Interaction, query: str = "", private: bool = False
    ) -> None:
        index = self.index()
        answer = trade_figures(index, query)
        if answer.status != "ok" or not answer.figures:
            await self._nothing(
                interaction,
                answer.message,
                hint="Try `/trade` with no query, or `/search` for other figures.",
            )
            return
        facts = [f.fact for f in answer.figures]
        docs = _documents(index, (f.document for f in facts))
        view = menu_view(_fact_options(index, facts), "n", "Read section")
        embed = embeds.trade_embed(answer, docs)
        await interaction.response.send_message(**_send_kwargs(embed, view, private))

    # -- /fact ---------------------------------------------------------------------------------

    @app_commands.command(name="fact", description="A fact from the Bluebook, with its source")
    @app_commands.describe(
        topic="A topic, place or person (empty: a random fact)", private=PRIVATE_HELP
    )
    async def fact(
        self, interaction: discord.Interaction, topic: str = "", private: bool = False
    ) -> None:
        index = self.index()
        answer = fact_lookup(index, topic)
        if answer.status != "ok" or answer.fact is None:
            await self._nothing(
                interaction,
                answer.message,
                hint="Pick a topic from the list while typing, or leave it empty for any fact.",
            )
            return
        doc = index.snapshot.document(answer.fact.document)
        view = menu_view(
            _fact_options(index, (answer.fact, *answer.alternatives)), "n", "Read section"
        )
        embed = embeds.fact_embed(answer, doc)
        await interaction.response.send_message(**_send_kwargs(embed, view, private))

    @fact.autocomplete("topic")
    async def fact_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        index = self._index_or_none()
        if index is None:
            return []
        return [
            app_commands.Choice(name=c.name, value=c.value)
            for c in topic_choices(index, current)[: limits.AUTOCOMPLETE_CHOICES]
        ]

    # -- buttons and menus -----------------------------------------------------------------------

    @staticmethod
    def _may_edit(interaction: discord.Interaction) -> bool:
        """Only the person who asked turns the pages of a public answer; anyone else gets
        their own ephemeral copy, so one reader never moves the page under another."""
        message = interaction.message
        if message is None:
            return False
        if message.flags.ephemeral:
            return True
        meta = message.interaction_metadata
        return meta is None or meta.user.id == interaction.user.id

    async def handle_component(self, interaction: discord.Interaction, action: Action) -> None:
        """A page button or section menu was used (called by the dynamic items)."""
        try:
            index = self._index_or_none()
            if index is None:
                await reply_ephemeral(interaction, str(ContentUnavailableError()))
                return
            si = self.sids.resolve(index, action.sid)
            if si is None:
                await reply_ephemeral(interaction, GONE)
                return
            embed, view = self.section_message(index, si, action.page)
            if action.mode == "e" and self._may_edit(interaction):
                await interaction.response.edit_message(
                    content=None,
                    embed=embed,
                    view=view,
                    allowed_mentions=discord.AllowedMentions.none(),
                )
            else:
                await interaction.response.send_message(**_send_kwargs(embed, view, True))
        except Exception:  # not routed through the tree's on_error: same treatment here
            error_id = secrets.token_hex(4)
            log.exception(
                "Unexpected error %s in component %s (guild %s, channel %s, user %s)",
                error_id,
                action,
                interaction.guild_id,
                interaction.channel_id,
                interaction.user.id,
            )
            await reply_ephemeral(
                interaction, f"Something went wrong on my side. Error id: `{error_id}`."
            )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Lookup(bot))
