"""The posted briefing: one embed and one "Read full section" button.

The delivery key goes in two places a restarted bot can read back from the channel — the
embed footer and the button's custom_id — so crash recovery can tell "this day's briefing
is already in the channel" without any local record of the message.

The button's custom_id carries the section as the lookup cog's `sid` (a short hash of the
section key; keys are longer than Discord's 100-character custom_id), so it keeps working
after restarts and content reloads without any stored view state, and opens the section the
same way /section does when the lookup cog is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import discord
from discord.utils import TimestampStyle

from bot.app.render import limits
from bot.app.render.components import SID_CHARS, section_sid
from bot.briefings.compose import Briefing, BriefingFact, OnThisDay

COLOUR = 0xBC002D
FACT_FIELD_NAME = "Fact of the day"
ON_THIS_DAY_FIELD_NAME = "On this day"
ON_THIS_DAY_LINE = 300
# Room left in the 6,000-character total for the footer (delivery key) added at send time.
FOOTER_RESERVE = 200
FOOTER_PREFIX = "Briefing · "
PREVIEW_FOOTER = "Briefing preview · not posted"
EXTRA_FOOTER = "Briefing · posted on request"
READ_LABEL = "Read full section"
READ_PREFIX = "bbread"
NO_KEY = "-"
READ_TEMPLATE = re.compile(
    rf"{READ_PREFIX}\|(?P<sid>[0-9a-f]{{{SID_CHARS}}})\|(?P<key>bb:[0-9]+:[0-9-]{{10}}|{NO_KEY})"
)


def footer_text(delivery_key: str | None, preview: bool = False) -> str:
    """The delivery key of a scheduled post (crash recovery reads it back), a preview's
    notice, or a plain mark for an extra post made on request."""
    if preview:
        return PREVIEW_FOOTER
    return f"{FOOTER_PREFIX}{delivery_key}" if delivery_key else EXTRA_FOOTER


def fact_value(fact: BriefingFact) -> str:
    """Text and quote as one embed field value (<= 1,024 characters)."""
    text = limits.clip(fact.text, limits.EMBED_FIELD_VALUE // 2)
    budget = limits.EMBED_FIELD_VALUE - len(text) - len("\n> “”")
    return f"{text}\n> “{limits.clip(fact.quote, budget)}”"


def event_line(event: OnThisDay) -> str:
    return limits.clip(f"**{event.label}** — {event.text}", ON_THIS_DAY_LINE)


def description(briefing: Briefing) -> str:
    if briefing.section is None:
        return ""
    text = (
        f"**{limits.clip(briefing.section.title, limits.EMBED_TITLE)}**\n{briefing.section.excerpt}"
    )
    return limits.clip(text, limits.EMBED_DESCRIPTION)


def on_this_day_value(briefing: Briefing) -> str:
    """The "On this day" lines that fit one field value; empty if there are none."""
    lines: list[str] = []
    used = 0
    for event in briefing.on_this_day:
        line = event_line(event)
        if used + len(line) + 1 > limits.EMBED_FIELD_VALUE:
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def briefing_embed(
    briefing: Briefing, delivery_key: str | None = None, *, preview: bool = False
) -> discord.Embed:
    """The suggested layout of docs/briefings.md, every part cut to its limit."""
    title = limits.clip(briefing.title, limits.EMBED_TITLE)
    embed = discord.Embed(title=title, colour=COLOUR)
    section = briefing.section
    if section is not None:
        embed.description = description(briefing)
        embed.set_author(name=limits.clip(section.breadcrumb, limits.EMBED_AUTHOR))
        if section.url.startswith(("http://", "https://")):
            embed.url = section.url
    if briefing.fact is not None:
        embed.add_field(name=FACT_FIELD_NAME, value=fact_value(briefing.fact), inline=False)
    on_this_day = on_this_day_value(briefing)
    if on_this_day:
        embed.add_field(name=ON_THIS_DAY_FIELD_NAME, value=on_this_day, inline=False)
    embed.set_footer(text=limits.clip(footer_text(delivery_key, preview), limits.EMBED_FOOTER))
    return embed


def render_text(briefing: Briefing) -> str:
    """A plain-text version (<= 2,000 characters) for logs, previews and embed-less posts."""
    parts = [f"**{limits.clip(briefing.title, limits.EMBED_TITLE)}**"]
    if briefing.section is not None:
        crumb = limits.clip(briefing.section.breadcrumb, limits.EMBED_AUTHOR)
        parts.append(f"{crumb}\n{description(briefing)}")
    if briefing.fact is not None:
        parts.append(f"**{FACT_FIELD_NAME}**: {fact_value(briefing.fact)}")
    if briefing.on_this_day:
        parts.append(f"**{ON_THIS_DAY_FIELD_NAME}**\n{on_this_day_value(briefing)}")
    return limits.clip("\n\n".join(parts), limits.MESSAGE_CONTENT)


def parse_custom_id(custom_id: str) -> tuple[str, str | None] | None:
    """(section sid, delivery key or None) from a custom_id, None if it is not ours."""
    match = READ_TEMPLATE.fullmatch(custom_id)
    if match is None:
        return None
    key = match.group("key")
    return match.group("sid"), (None if key == NO_KEY else key)


def read_custom_id(sid: str, delivery_key: str | None) -> str:
    """`bbread|<sid>|<delivery key or ->`, at most 41 characters: the section travels as its
    sid (a short hash of its key), so the button opens it like /section does."""
    return f"{READ_PREFIX}|{sid}|{delivery_key or NO_KEY}"


def briefing_view(briefing: Briefing, delivery_key: str | None = None) -> discord.ui.View | None:
    """The button row, or None when the briefing has nothing to open."""
    if not briefing.reference:
        return None
    view = discord.ui.View(timeout=None)
    button: discord.ui.Button[Any] = discord.ui.Button(
        label=READ_LABEL,
        style=discord.ButtonStyle.secondary,
        custom_id=read_custom_id(section_sid(briefing.reference), delivery_key),
    )
    view.add_item(button)
    view.stop()  # state lives in the custom_id: nothing for discord.py's view store to keep
    return view


def _custom_ids(components: Iterable[Mapping[str, Any]]) -> Iterable[str]:
    for component in components:
        custom_id = component.get("custom_id")
        if isinstance(custom_id, str):
            yield custom_id
        yield from _custom_ids(component.get("components") or ())


def message_has_key(message: Mapping[str, Any], delivery_key: str) -> bool:
    """Whether a raw message payload is the post of `delivery_key` (footer or custom_id)."""
    footer = FOOTER_PREFIX + delivery_key
    for embed in message.get("embeds") or ():
        if ((embed.get("footer") or {}).get("text") or "") == footer:
            return True
    for custom_id in _custom_ids(message.get("components") or ()):
        parsed = parse_custom_id(custom_id)
        if parsed is not None and parsed[1] == delivery_key:
            return True
    return False


# -- /briefing answers -------------------------------------------------------------------------

# What the bot needs in a channel to post a briefing and to find it again after a crash.
REQUIRED_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("embed_links", "Embed Links"),
    ("read_message_history", "Read Message History"),
)
DAYS_LABELS = {"daily": "every day", "weekdays": "weekdays (Mon–Fri)"}
DISABLE_EXPLAINED = {
    "missing_access": "I lost access to the channel (Discord said 403)",
    "unknown_channel": "the channel no longer exists (Discord said 404)",
}


def missing_permissions(permissions: discord.Permissions) -> list[str]:
    """Display names of the required permissions the bot lacks, in a fixed order."""
    return [label for attr, label in REQUIRED_PERMISSIONS if not getattr(permissions, attr)]


def missing_permissions_message(channel_mention: str, missing: list[str]) -> str:
    names = ", ".join(missing[:-1]) + (" and " if len(missing) > 1 else "") + missing[-1]
    noun = "permission" if len(missing) == 1 else "permissions"
    return (
        f"I can't post briefings in {channel_mention}: I'm missing the {names} {noun} there. "
        "Grant it to my role in that channel and try again."
        if len(missing) == 1
        else f"I can't post briefings in {channel_mention}: I'm missing the {names} {noun} "
        "there. Grant them to my role in that channel and try again."
    )


def timestamp(when: datetime, style: TimestampStyle = "F") -> str:
    """Discord's `<t:…>` markup: every reader sees the instant in their own time zone."""
    return discord.utils.format_dt(when, style)


def fit_entries(entries: list[str], limit: int, sep: str = "\n\n") -> str:
    """As many whole entries as fit in `limit` characters, then `… and N more`: an entry
    cut in half would show a schedule without its status."""
    shown: list[str] = []
    used = 0
    for i, entry in enumerate(entries):
        later = len(entries) - i - 1
        reserve = len(f"{sep}{limits.ELLIPSIS} and {later} more") if later else 0
        cost = len(entry) + (len(sep) if shown else 0)
        if used + cost + reserve > limit:
            shown.append(f"{limits.ELLIPSIS} and {len(entries) - i} more")
            break
        shown.append(entry)
        used += cost
    return sep.join(shown)
