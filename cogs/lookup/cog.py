"""/section, /search, /summit, /trade and /fact: parse, call bot.search.ask, render, answer.

The logic lives in `bot.search` (pure functions over the search index) and the rendering in
`bot.app.render`; this cog only glues them to discord.py. The index is read from the bot on
every interaction (`bot.search_index`), never kept here, so a reload is seen at once.
Answers go out with `interaction.response.send_message` straight away: a command is a
millisecond or two of CPU, well inside Discord's 3-second window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.client import BriefingBot, Interaction
from bot.app.errors import ContentUnavailableError
from bot.app.overload import SHEDDABLE
from bot.app.render import embeds, limits
from bot.app.render.cache import ContentLRU
from bot.app.render.components import (
    Mode,
    SectionOption,
    ViewFactory,
    made_once,
    menu_view,
    no_view,
    section_view,
)
from bot.content.model import Document
from bot.search import SearchIndex
from bot.search.ask import fact_lookup, find_section, summit_timeline, trade_figures
from bot.search.ask import search as run_search
from bot.search.autocomplete import Choice, section_choices, topic_choices
from bot.search.factview import FactView
from cogs.lookup.views import DYNAMIC_ITEMS

log = logging.getLogger(__name__)

PRIVATE_HELP = "Only you see the answer"
LOOKUP = {SHEDDABLE: "private"}  # admitted by the overload gate; `private` decides visibility
# Answers kept per content version: (command, query) -> rendered reply.
REPLY_CACHE_SIZE = 2048


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


@dataclass(frozen=True, slots=True)
class Reply:
    """A rendered answer: an embed (public unless asked otherwise) with the recipe for its
    components, or an ephemeral text ("nothing relevant", a bad query). The view is made
    at the first send (discord.py views belong to a running loop) and reused after
    (`components.reusable_view`); everything else is cached."""

    embed: discord.Embed | None = None
    text: str = ""
    view: ViewFactory = no_view


def _nothing(message: str, suggestions: Iterable[str] = (), hint: str = "") -> Reply:
    return Reply(text=embeds.nothing_message(message, tuple(suggestions), hint))


def _menu(options: list[SectionOption], mode: Mode, placeholder: str) -> ViewFactory:
    return made_once(lambda: menu_view(options, mode, placeholder))


class Lookup(commands.Cog):
    """Reading the content: sections, search, the summit timeline, trade figures, facts."""

    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot
        # Answers are pure functions of (content, command, query): one cache, at the edge.
        self.replies: ContentLRU[Reply] = ContentLRU(REPLY_CACHE_SIZE)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    # -- shared ------------------------------------------------------------------------------

    def index(self) -> SearchIndex:
        """The index being served right now; read per interaction, so reloads apply."""
        index = self._index_or_none()
        if index is None:
            raise ContentUnavailableError()
        return index

    def _index_or_none(self) -> SearchIndex | None:
        return self.bot.search_index

    def reply(self, command: str, query: str, build: Callable[[SearchIndex, str], Reply]) -> Reply:
        """The answer to `/command query` for the content being served, built once per
        content version and query (answers are pure functions of both)."""
        index = self.index()
        q = " ".join(query.split())
        return self.replies.get(index.snapshot.content_hash, (command, q), lambda: build(index, q))

    async def answer(
        self,
        interaction: Interaction,
        command: str,
        query: str,
        build: Callable[[SearchIndex, str], Reply],
        private: bool,
    ) -> None:
        """Build (or reuse) the reply and send it; a lookup acknowledged under load builds
        its answer once newcomers have been acknowledged (`Gate.quiet`)."""
        if not interaction.response.is_done():
            await self.send(interaction, self.reply(command, query, build), private)
            return
        async with self.bot.gate.turn():
            reply = self.reply(command, query, build)
        await self.send(interaction, reply, private)

    @staticmethod
    async def send(interaction: Interaction, reply: Reply, private: bool) -> None:
        view = reply.view()
        if interaction.response.is_done():  # deferred under load: fill in "thinking…"
            await interaction.edit_original_response(
                content=reply.text or None,
                embed=reply.embed,
                view=view if view is not None else discord.utils.MISSING,
            )
            return
        if reply.embed is None:
            await interaction.response.send_message(reply.text, ephemeral=True)
            return
        kwargs: dict[str, Any] = {"embed": reply.embed, "ephemeral": private}
        if view is not None:
            kwargs["view"] = view
        await interaction.response.send_message(**kwargs)

    # -- /section ------------------------------------------------------------------------------

    def build_section(self, index: SearchIndex, query: str) -> Reply:
        answer = find_section(index, query)
        if answer.status == "ok" and answer.top is not None:
            si = index.section_idx(answer.top.key)
            if si is not None:
                rendered = self.bot.reader.pages.get(index, si)
                children = [SectionOption(c.key, c.heading) for c in rendered.children]
                view = made_once(lambda: section_view(rendered.key, 0, rendered.count, children))
                return Reply(rendered.embeds[0], view=view)
        if answer.status == "choices" and answer.results:
            options = [SectionOption(r.key, r.title, r.breadcrumb) for r in answer.results]
            return Reply(embeds.choices_embed(answer), view=_menu(options, "e", "Did you mean…?"))
        return _nothing(
            answer.message or "No section matches that name.",
            answer.suggestions,
            "Or search the text with `/search`.",
        )

    @app_commands.command(
        name="section", description="Read a section of the Diplomatic Bluebook", extras=LOOKUP
    )
    @app_commands.describe(
        query="The section's title (pick one) or words from it", private=PRIVATE_HELP
    )
    async def section(self, interaction: Interaction, query: str, private: bool = False) -> None:
        await self.answer(interaction, "section", query, self.build_section, private)

    @section.autocomplete("query")
    async def section_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return self._choices(section_choices, current)

    # -- /search -------------------------------------------------------------------------------

    @staticmethod
    def build_search(index: SearchIndex, query: str) -> Reply:
        answer = run_search(index, query)
        if answer.status in ("ok", "choices") and answer.results:
            docs = _documents(index, (r.document for r in answer.results))
            options = [SectionOption(r.key, r.title, r.breadcrumb) for r in answer.results]
            return Reply(
                embeds.search_embed(answer, docs),
                view=_menu(options, "n", "Open a passage's section"),
            )
        return _nothing(
            answer.message, answer.suggestions, "Try other words, or browse with `/section`."
        )

    @app_commands.command(
        name="search", description="Search the text of the Diplomatic Bluebook", extras=LOOKUP
    )
    @app_commands.describe(query="Words, a name or a question", private=PRIVATE_HELP)
    async def search(self, interaction: Interaction, query: str, private: bool = False) -> None:
        await self.answer(interaction, "search", query, self.build_search, private)

    # -- /summit -------------------------------------------------------------------------------

    @staticmethod
    def build_summit(index: SearchIndex, query: str) -> Reply:
        timeline = summit_timeline(index, query)
        if timeline.status != "ok" or not timeline.events:
            return _nothing(
                timeline.message,
                hint="Try a year (`2019`), a place (`Osaka`) or leave the query empty.",
            )
        docs = _documents(index, (e.document for e in timeline.events))
        options = _fact_options(index, timeline.events)
        return Reply(
            embeds.timeline_embed(timeline, docs), view=_menu(options, "n", "Read section")
        )

    @app_commands.command(
        name="summit", description="Summits, ministerial meetings and visits", extras=LOOKUP
    )
    @app_commands.describe(
        query="A place, person, year or month (leave empty for all)", private=PRIVATE_HELP
    )
    async def summit(
        self, interaction: Interaction, query: str = "", private: bool = False
    ) -> None:
        await self.answer(interaction, "summit", query, self.build_summit, private)

    # -- /trade --------------------------------------------------------------------------------

    @staticmethod
    def build_trade(index: SearchIndex, query: str) -> Reply:
        answer = trade_figures(index, query)
        if answer.status != "ok" or not answer.figures:
            return _nothing(
                answer.message,
                hint="Try `/trade` with no query, or `/search` for other figures.",
            )
        facts = [f.fact for f in answer.figures]
        docs = _documents(index, (f.document for f in facts))
        options = _fact_options(index, facts)
        return Reply(embeds.trade_embed(answer, docs), view=_menu(options, "n", "Read section"))

    @app_commands.command(
        name="trade", description="Trade, investment and economic figures", extras=LOOKUP
    )
    @app_commands.describe(
        query="A topic such as investment or energy (optional)", private=PRIVATE_HELP
    )
    async def trade(self, interaction: Interaction, query: str = "", private: bool = False) -> None:
        await self.answer(interaction, "trade", query, self.build_trade, private)

    # -- /fact ---------------------------------------------------------------------------------

    @staticmethod
    def build_fact(index: SearchIndex, topic: str) -> Reply:
        answer = fact_lookup(index, topic)
        if answer.status != "ok" or answer.fact is None:
            return _nothing(
                answer.message,
                hint="Pick a topic from the list while typing, or leave it empty for any fact.",
            )
        doc = index.snapshot.document(answer.fact.document)
        options = _fact_options(index, (answer.fact, *answer.alternatives))
        return Reply(embeds.fact_embed(answer, doc), view=_menu(options, "n", "Read section"))

    @app_commands.command(
        name="fact", description="A fact from the Bluebook, with its source", extras=LOOKUP
    )
    @app_commands.describe(
        topic="A topic, place or person (empty: a random fact)", private=PRIVATE_HELP
    )
    async def fact(self, interaction: Interaction, topic: str = "", private: bool = False) -> None:
        if topic.strip():
            await self.answer(interaction, "fact", topic, self.build_fact, private)
            return
        if not interaction.response.is_done():  # a random fact each time: nothing to cache
            await self.send(interaction, self.build_fact(self.index(), ""), private)
            return
        async with self.bot.gate.turn():
            reply = self.build_fact(self.index(), "")
        await self.send(interaction, reply, private)

    @fact.autocomplete("topic")
    async def fact_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return self._choices(topic_choices, current)

    def _choices(
        self, source: Callable[..., Sequence[Choice]], current: str
    ) -> list[app_commands.Choice[str]]:
        """Autocomplete from the core's scorer; nothing while no content is loaded."""
        index = self._index_or_none()
        if index is None:
            return []
        found = source(
            index, current, limit=limits.AUTOCOMPLETE_CHOICES, width=limits.AUTOCOMPLETE_NAME
        )
        return [app_commands.Choice(name=c.name, value=c.value) for c in found]
