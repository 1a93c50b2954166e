"""discord.Embed builders for the answers of /section, /search, /summit, /trade and /fact.

Every builder budgets against `bot.app.render.limits` itself (fields clipped to what is left of the
6,000-character total) instead of building first and checking after, so no answer can be
rejected by Discord for being one character too long. Section pages are the expensive part
and are cached per content snapshot (`SectionCache`): a reload brings a new content hash
and with it a fresh cache, so nobody ever sees a page of the old text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import discord

from bot.app.render import limits
from bot.app.render.cache import ContentLRU
from bot.app.render.escape import escape_content, escape_user_text
from bot.app.render.paging import paginate
from bot.content.model import Document, Section
from bot.search.answer import Answer, Result
from bot.search.facts import FactAnswer
from bot.search.factview import FactView
from bot.search.index import BREADCRUMB_SEP, SearchIndex
from bot.search.summit import Timeline
from bot.search.trade import TradeAnswer

COLOUR = 0xBC002D
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Room kept for "page 999/999" and the separator, so the footer never pushes a page over.
_PAGE_MARK_RESERVE = 24
# Sections cached per snapshot; a page render costs ~0.1 ms, the cache is for hot sections.
SECTION_CACHE_SIZE = 512
_BOLD = "**"
# Least room kept for each result after the first, so five results always show.
_MIN_RESULT_FIELD = 200


# -- small helpers ---------------------------------------------------------------------------


def clip_markdown(text: str, limit: int) -> str:
    """`limits.clip` that never leaves a `**` open (an unclosed bold swallows the rest)."""
    out = limits.clip(text, limit)
    if out.count(_BOLD) % 2:
        at = out.rfind(_BOLD)
        out = out[:at] + out[at + len(_BOLD) :]
    return out


def embed_chars(embed: discord.Embed) -> int:
    """Characters Discord counts towards the 6,000 total (title, description, fields,
    footer text, author name)."""
    return len(embed)


def pretty_date(date: str | None) -> str:
    """`2019-09-05` -> `5 Sep 2019`, `2019-09` -> `Sep 2019`, `2019` -> `2019`."""
    if not date:
        return "undated"
    parts = date.split("-")
    try:
        if len(parts) >= 3:
            return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        return date
    return parts[0]


def document_footer(doc: Document | None) -> str:
    if doc is None:
        return ""
    edition = str(doc.edition)
    return doc.title if edition in doc.title else f"{doc.title}, {edition} edition"


def _url(doc: Document | None) -> str | None:
    url = doc.source_url if doc is not None else ""
    return url if url.startswith(("http://", "https://")) else None


def _new_embed(title: str, description: str | None = None, url: str | None = None) -> discord.Embed:
    return discord.Embed(
        title=limits.clip(title, limits.EMBED_TITLE),
        description=limits.clip(description, limits.EMBED_DESCRIPTION) if description else None,
        url=url,
        colour=COLOUR,
    )


def _footer(embed: discord.Embed, text: str) -> None:
    if text:
        embed.set_footer(text=limits.clip(text, limits.EMBED_FOOTER))


def _titled(title: str, query: str, ignored: bool = False) -> str:
    """`title: query`, escaped; just the title when the query was not used to filter
    (the description then says why), so a title never claims an ignored query."""
    return f"{title}: {escape_user_text(query, 150)}" if query and not ignored else title


def _room(embed: discord.Embed, reserve: int = 0) -> int:
    return limits.EMBED_TOTAL - embed_chars(embed) - reserve


# -- /section ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SectionPages:
    """A section rendered: one embed per page, and its subsections for a select menu."""

    key: str
    heading: str
    embeds: tuple[discord.Embed, ...]
    children: tuple[Section, ...]

    @property
    def count(self) -> int:
        return len(self.embeds)

    def page(self, n: int) -> tuple[int, discord.Embed]:
        """Page `n` clamped to the pages there are (a reload may have shortened the text)."""
        n = max(0, min(n, len(self.embeds) - 1))
        return n, self.embeds[n]


def _with_markers(section: Section) -> list[str]:
    """Paragraphs with `[n]` where each footnote marker stood, Markdown escaped."""
    by_paragraph: dict[int, list[tuple[int, str]]] = {}
    for ref in section.footnote_refs:
        by_paragraph.setdefault(ref.paragraph, []).append((ref.offset, ref.number))
    out = []
    for i, text in enumerate(section.paragraphs):
        pieces: list[str] = []
        last = 0
        for offset, number in sorted(by_paragraph.get(i, ())):
            offset = max(last, min(offset, len(text)))
            pieces.append(escape_content(text[last:offset]))
            pieces.append(f"[{number}]")
            last = offset
        pieces.append(escape_content(text[last:]))
        out.append("".join(pieces))
    return out


def _note_fields(section: Section) -> list[tuple[str, str]]:
    """Footnotes then photo captions as (name, value) fields, long ones continued."""
    fields: list[tuple[str, str]] = []
    notes = [(f"Footnote {f.number}", f.text) for f in section.footnotes]
    notes += [("Photo", c) for c in section.captions]
    for name, text in notes:
        chunks = paginate([escape_content(text)], limits.EMBED_FIELD_VALUE)
        for j, chunk in enumerate(chunks):
            label = name if j == 0 else f"{name} (continued)"
            fields.append((limits.clip(label, limits.EMBED_FIELD_NAME), chunk))
    return fields


def _children_text(doc: Document, section: Section) -> str:
    lines = []
    for cid in section.children:
        child = doc.get(cid)
        if child is not None:
            lines.append(f"• {escape_content(child.heading)}")
    if not lines:
        return "This section has no text of its own."
    return "This section is divided into:\n" + "\n".join(lines)


def render_section(index: SearchIndex, si: int) -> SectionPages:
    """All pages of section number `si` of `index` (uncached; see SectionCache)."""
    entry = index.sections[si]
    section = entry.section
    doc = index.snapshot.document(section.document_id)
    assert doc is not None  # a section always belongs to a loaded document
    crumbs = entry.breadcrumb.split(BREADCRUMB_SEP)[:-1]
    author = limits.clip(BREADCRUMB_SEP.join([doc.title, *crumbs]), limits.EMBED_AUTHOR)
    title = limits.clip(section.heading, limits.EMBED_TITLE)
    base_footer = limits.clip(document_footer(doc), limits.EMBED_FOOTER - _PAGE_MARK_RESERVE)
    overhead = len(title) + len(author) + len(base_footer) + _PAGE_MARK_RESERVE
    text_pages = paginate(_with_markers(section), limits.EMBED_DESCRIPTION)
    if not text_pages:
        text_pages = [limits.clip(_children_text(doc, section), limits.EMBED_DESCRIPTION)]
    pages: list[tuple[str, list[tuple[str, str]]]] = [(p, []) for p in text_pages]
    for name, value in _note_fields(section):
        desc, fields = pages[-1]
        used = overhead + len(desc) + sum(len(n) + len(v) for n, v in fields)
        if len(fields) >= limits.EMBED_FIELDS or used + len(name) + len(value) > limits.EMBED_TOTAL:
            pages.append(("", []))
            desc, fields = pages[-1]
        fields.append((name, value))
    url = _url(doc)
    embeds = []
    for n, (desc, fields) in enumerate(pages, start=1):
        embed = _new_embed(title, desc or None, url)
        embed.set_author(name=author)
        for name, value in fields:
            embed.add_field(name=name, value=value, inline=False)
        mark = f" · page {n}/{len(pages)}" if len(pages) > 1 else ""
        _footer(embed, base_footer + mark)
        embeds.append(embed)
    children = tuple(c for c in (doc.get(cid) for cid in section.children) if c is not None)
    return SectionPages(entry.key, section.heading, tuple(embeds), children)


class SectionCache:
    """Rendered sections of the snapshot being served, least recently used dropped first.

    Keyed by content hash: when the app swaps in a new index the first lookup sees another
    hash and starts afresh, so a page of removed or changed text is never served.
    """

    def __init__(self, size: int = SECTION_CACHE_SIZE) -> None:
        self._lru: ContentLRU[SectionPages] = ContentLRU(size)

    def get(self, index: SearchIndex, si: int) -> SectionPages:
        return self._lru.get(index.snapshot.content_hash, si, lambda: render_section(index, si))


# -- "did you mean" --------------------------------------------------------------------------


def _note(answer: Answer) -> str:
    """The core's note on an answer (`Not in the text: govt.`), as a line of its own."""
    return f"\n*{escape_user_text(answer.message, 200)}*" if answer.message else ""


def choices_embed(answer: Answer) -> discord.Embed:
    """The candidates of a `choices` answer, to pick from in the select menu below."""
    query = escape_user_text(answer.query, 120)
    embed = _new_embed(
        f"Did you mean…? ({escape_user_text(answer.query, 200)})",
        f"Several sections match **{query}**. Choose one below." + _note(answer),
    )
    _result_fields(embed, answer.results)
    _footer(embed, "Pick a section in the menu to open it here.")
    return embed


# Breadcrumbs kept escaped: short strings, and the same few hundred recur across answers.
CRUMB_CACHE_SIZE = 4096


@lru_cache(maxsize=CRUMB_CACHE_SIZE)
def _escaped_crumb(crumb: str) -> str:
    """`escape_content` of a breadcrumb, done once per distinct breadcrumb (pure)."""
    return escape_content(crumb)


def _result_fields(embed: discord.Embed, results: Sequence[Result]) -> None:
    """One field per result: the breadcrumb (ending in the section's title) as its name,
    the excerpt as its value. The best result gets its whole excerpt (the core keeps
    excerpts under 1,000 characters); later ones share what is left of the 6,000."""
    shown = list(results)[: limits.EMBED_FIELDS]
    reserve = 60  # the footer set after
    left = _room(embed, reserve)  # kept as fields are added instead of re-counting the embed
    for i, result in enumerate(shown):
        crumb = result.breadcrumb or result.title
        name = limits.clip(f"{i + 1}. {_escaped_crumb(crumb)}", limits.EMBED_FIELD_NAME)
        later = len(shown) - i - 1
        room = left - len(name) - later * (_MIN_RESULT_FIELD + 60)
        per_field = min(limits.EMBED_FIELD_VALUE, room)
        if per_field < _MIN_RESULT_FIELD // 2:
            break
        value = clip_markdown(result.excerpt, per_field) if result.excerpt.strip() else "…"
        embed.add_field(name=name, value=value, inline=False)
        left -= len(name) + len(value)


# -- /search -----------------------------------------------------------------------------------


def search_embed(answer: Answer, docs: Sequence[Document] = ()) -> discord.Embed:
    """The top passages of a search, each with its breadcrumb and highlighted excerpt."""
    shown_query = escape_user_text(answer.query, 200)
    intro = (
        "The best passages, most relevant first. Open one as its section in the menu below."
        if answer.status == "ok"
        else "Several passages match about equally well. Open one in the menu below."
    )
    embed = _new_embed(f"Search: {shown_query}", intro + _note(answer))
    _result_fields(embed, answer.results)
    _footer(embed, " · ".join(document_footer(d) for d in docs) or "Diplomatic Bluebook")
    return embed


# -- /summit ---------------------------------------------------------------------------------


def _event_field(event: FactView) -> tuple[str, str]:
    """(name, value): date and place as the field name, what happened and who below."""
    head = [pretty_date(event.date)]
    if event.place:
        head.append(event.place)
    name = limits.clip(escape_content(" · ".join(head)), limits.EMBED_FIELD_NAME)
    value = escape_content(event.text)
    if event.participants:
        value += "\n*" + escape_content(", ".join(event.participants)) + "*"
    return name, value


def timeline_embed(timeline: Timeline, docs: Sequence[Document] = ()) -> discord.Embed:
    """Events by date, one field each (date and place, what came of it, who), in one embed."""
    title = _titled("Summits and ministerial meetings", timeline.query, timeline.ignored)
    note = escape_user_text(timeline.message, 600) if timeline.ignored else None
    embed = _new_embed(title, note, url=_url(docs[0]) if len(docs) == 1 else None)
    events = list(timeline.events)[: limits.EMBED_FIELDS]
    total = max(timeline.total, len(events))
    tail = " · open an event's section in the menu below"
    if docs:
        tail += " · " + " · ".join(document_footer(d) for d in docs)
    reserve = len(tail) + 30  # "25 of 999 events"
    shown = 0
    for i, event in enumerate(events):
        name, value = _event_field(event)
        room = _room(embed, reserve) - len(name)
        per_field = min(limits.EMBED_FIELD_VALUE, room // (len(events) - i))
        if per_field < 40:
            break
        embed.add_field(name=name, value=clip_markdown(value, per_field), inline=False)
        shown += 1
    count = f"{shown} of {total} events" if total > shown else f"{shown} events"
    _footer(embed, count + tail)
    return embed


# -- /trade ----------------------------------------------------------------------------------


def trade_embed(answer: TradeAnswer, docs: Sequence[Document] = ()) -> discord.Embed:
    """Each figure with the sentence it stands in and the section it comes from."""
    title = _titled("Trade, investment and the economy", answer.query, answer.ignored)
    note = escape_user_text(answer.message, 600) if answer.ignored else None
    embed = _new_embed(title, note, url=_url(docs[0]) if len(docs) == 1 else None)
    footer = " · ".join(document_footer(d) for d in docs) or "Diplomatic Bluebook"
    reserve = len(footer) + 10
    figures = list(answer.figures)[: limits.EMBED_FIELDS]
    for i, item in enumerate(figures):
        fact = item.fact
        name = item.fact.figure or pretty_date(fact.date)
        if fact.figure and fact.date:
            name += f" ({pretty_date(fact.date)})"
        name = limits.clip(escape_content(name), limits.EMBED_FIELD_NAME)
        room = _room(embed, reserve) - len(name)
        per_field = min(limits.EMBED_FIELD_VALUE, room // (len(figures) - i))
        if per_field < 40:
            break
        crumb = f"— *{escape_content(fact.breadcrumb)}*"
        text = escape_content(fact.text)
        left = per_field - len(crumb) - 2
        value = clip_markdown(text, max(20, left // 2))
        if item.excerpt and left - len(value) > 60:
            value += "\n> " + clip_markdown(item.excerpt, left - len(value) - 3)
        value = limits.clip(f"{value}\n{crumb}", per_field)
        embed.add_field(name=name, value=value, inline=False)
    _footer(embed, footer)
    return embed


# -- /fact -----------------------------------------------------------------------------------


def fact_embed(answer: FactAnswer, doc: Document | None = None) -> discord.Embed:
    """A fact, its verbatim quote and where it stands; other facts on the topic below."""
    fact = answer.fact
    assert fact is not None  # only called for an `ok` answer
    embed = _new_embed(_titled("Fact", answer.query), escape_content(fact.text), _url(doc))
    quote = limits.clip(escape_content(" ".join(fact.quote.split())), limits.EMBED_FIELD_VALUE - 4)
    embed.add_field(name="Quote", value=f"> {quote}", inline=False)
    where = [f"*{escape_content(fact.breadcrumb)}*"]
    details = [pretty_date(fact.date)] if fact.date else []
    if fact.place:
        details.append(escape_content(fact.place))
    if fact.participants:
        details.append(escape_content(", ".join(fact.participants)))
    if details:
        where.append(" · ".join(details))
    embed.add_field(
        name="Source", value=limits.clip("\n".join(where), limits.EMBED_FIELD_VALUE), inline=False
    )
    if answer.alternatives:
        more = "\n".join(
            f"• {escape_content(limits.clip(a.text, 200))}" for a in answer.alternatives
        )
        embed.add_field(
            name="More on this topic",
            value=limits.clip(more, limits.EMBED_FIELD_VALUE),
            inline=False,
        )
    _footer(embed, document_footer(doc))
    return embed


# -- nothing found / errors ------------------------------------------------------------------

_SLASH_HINT = re.compile(r"`")


def nothing_message(
    message: str, suggestions: Sequence[str] = (), hint: str = "", command: str = "section"
) -> str:
    """An ephemeral "nothing relevant" or error reply: the core's message (escaped, as it
    may quote the user's words) and what to try instead."""
    # A message of only spaces or control characters escapes to "": Discord refuses an empty
    # message, so the default stands in for it too.
    text = escape_user_text(message, 600) or "Nothing relevant found."
    tries = [f"`/{command} {_SLASH_HINT.sub('', s)}`" for s in suggestions[:5]]
    if tries:
        text += "\nTry " + ", ".join(tries) + "."
    if hint:
        text += "\n" + hint
    return limits.clip(text, limits.MESSAGE_CONTENT)
